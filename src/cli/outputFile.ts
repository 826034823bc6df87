/**
 * Where a command will write is checked BEFORE it works: a simulation of an hour must not end
 * in "cannot write" because `--out` names a folder that does not exist. The write itself still
 * goes through `writeFileAtomic` (a temporary file in the same folder, then a rename), so what
 * is checked here is exactly what that write needs: the folder exists, is a folder, and this
 * process may create files in it; and the target is not itself a folder.
 */
import { W_OK } from 'node:constants';
import { accessSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './args.ts';

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/**
 * Throws a one-line `UsageError` naming `label` (e.g. `--out`) when `file` cannot be written
 * atomically: an empty path, a folder, or a parent folder that is missing, not a folder or not
 * writable. Cost: two `stat` calls and one `access`.
 */
export function checkOutputFile(file: string, label = '--out'): void {
  if (file.trim() === '') throw new UsageError(`${label} must be a file path, got '${file}'`);
  const target = resolve(file);
  try {
    if (statSync(target).isDirectory()) throw new UsageError(`${label} '${file}' is a folder; give a file path inside it`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Missing (or under something that is not a folder): the folder check below names the problem.
    if (errorCode(error) !== 'ENOENT' && errorCode(error) !== 'ENOTDIR')
      throw new UsageError(`${label} '${file}' cannot be written: ${errorCode(error)}`);
  }
  const folder = dirname(target);
  try {
    if (!statSync(folder).isDirectory()) throw new UsageError(`${label} '${file}': '${folder}' is not a folder`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR')
      throw new UsageError(`${label} '${file}': the folder '${folder}' does not exist`);
    throw new UsageError(`${label} '${file}': cannot use the folder '${folder}': ${errorCode(error)}`);
  }
  try {
    accessSync(folder, W_OK);
  } catch (error) {
    throw new UsageError(`${label} '${file}': cannot write into the folder '${folder}' (${errorCode(error)})`);
  }
}

/**
 * Runs one command object in-process the way `main` does (UsageError/RangeError → exit 2 with
 * one line), for testing commands before they are registered in commands/index.ts.
 */
import { UsageError } from '../../src/cli/args.ts';
import type { Command } from '../../src/cli/io.ts';

export async function runCommand(command: Command, argv: string[], stdinText?: string | (string | Uint8Array)[]) {
  let stdout = '';
  let stderr = '';
  const chunks = stdinText === undefined ? undefined : Array.isArray(stdinText) ? stdinText : [stdinText];
  const stdin =
    chunks &&
    (async function* () {
      yield* chunks;
    })();
  let code: number;
  try {
    code = await command.run(argv, {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      stdin,
    });
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof RangeError)) throw error;
    stderr += `rollout-lab ${command.name}: ${error.message}\n`;
    code = 2;
  }
  return { code, stdout, stderr };
}

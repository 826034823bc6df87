/** Runs the CLI in-process, capturing what it writes, for fast CLI tests. */
import { main } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for `--json` runs). */
  json: any;
}

export function runCli(argv: string[], stdinText?: string): Promise<CliRun> {
  return runCommandObject({ run: main }, argv, stdinText);
}

/**
 * Runs one command object directly (not through `main`), capturing its output; a `UsageError`
 * propagates to the test, so tests can assert the exact error the command raises.
 */
export async function runCommandObject(
  command: { run(argv: string[], io: Parameters<typeof main>[1]): Promise<number> | number },
  argv: string[],
  stdinText?: string,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const stdin =
    stdinText === undefined
      ? undefined
      : (async function* () {
          yield stdinText;
        })();
  const code = await command.run(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin,
  });
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

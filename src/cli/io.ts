/** The streams a command writes to, injected so that tests run commands in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin?: AsyncIterable<string | Uint8Array>;
}

/** A CLI command: `run` returns the exit code (0 success, 1 a negative finding, 2 bad input). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CliIo): Promise<number> | number;
}

/** Writes `value` as one JSON object on a line. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value) + '\n');
}

/** Numbers for people (4 significant digits, scientific below 1e-4): the one formatter, src/engine/text/format.ts. */
export { formatNumber } from '../engine/text/format.ts';

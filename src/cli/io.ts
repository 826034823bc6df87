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

/** Formats a probability or rate for people: 4 significant digits, scientific below 1e-4. */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-4) return value.toExponential(2);
  return Number(value.toPrecision(digits)).toString();
}

/**
 * The one place the CLI reads its input files: scenario and policy JSON (with a replay
 * scenario's arrival trace) and any other small text file. Every failure names the file:
 *
 * - cannot be read: a `UsageError`, `cannot read policy file 'p.json': no such file`;
 * - not JSON: a `UsageError` with the line and column (jsonText.ts), after the byte-order mark
 *   is dropped and hostile nesting refused;
 * - JSON but not a valid scenario or policy: an `InvalidFileError` listing every problem by
 *   JSON path, which commands report with `reportInvalidFile` (exit code 2).
 *
 * Before this module `simulate` exported its loaders to `sweep`, `tune` and `replay`, and
 * `policy` and `serve` each had a different function named `readPolicyFile` (issue 13).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defaultPolicy } from '../engine/policy/defaultPolicy.ts';
import type { ParsePolicyResult } from '../engine/policy/parsePolicy.ts';
import { formatPolicyError, parsePolicy } from '../engine/policy/parsePolicy.ts';
import type { Policy } from '../engine/policy/policy.ts';
import { arrivalTimesFromCsv } from '../sim/arrivalTrace.ts';
import type { Scenario } from '../sim/scenario.ts';
import { parseScenario } from '../sim/scenario.ts';
import { UsageError } from './args.ts';
import type { CliIo } from './io.ts';
import { parseJsonText, stripByteOrderMark } from './jsonText.ts';

/** A file whose content is invalid: the problems, each `path: reason`, for exit code 2. */
export class InvalidFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not valid: ${problems.join('; ')}`);
  }
}

/** Why a file could not be read, in words, for the common system error codes. */
export function readFailureReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return code ?? (error as Error).message;
}

/**
 * The UTF-8 text of `file` without a byte-order mark; a `UsageError`
 * `cannot read LABEL: REASON` when it cannot be read. `label` says what the file is, e.g.
 * `policy file 'p.json'`.
 */
export function readTextFile(file: string, label: string): string {
  try {
    return stripByteOrderMark(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${label}: ${readFailureReason(error)}`);
  }
}

/** The parsed JSON of `file`, a `what` file ('scenario', 'policy'); `UsageError` naming it when unreadable or not JSON. */
export function readJsonFile(file: string, what: string): unknown {
  const label = `${what} file '${file}'`;
  return parseJsonText(readTextFile(file, label), label);
}

/**
 * Reads and checks a scenario file. A replay arrival process may name a CSV `file` (relative
 * to the scenario): its times are loaded into `times`. Throws `InvalidFileError` listing every
 * problem by path, or `UsageError` when the file cannot be read or is not JSON.
 */
export function loadScenario(file: string): Scenario {
  const json = readJsonFile(file, 'scenario');
  const arrivals = (json as { traffic?: { arrivals?: Record<string, unknown> } } | null)?.traffic?.arrivals;
  if (
    arrivals &&
    typeof arrivals === 'object' &&
    arrivals.kind === 'replay' &&
    typeof arrivals.file === 'string' &&
    arrivals.times === undefined
  ) {
    const trace = resolve(dirname(file), arrivals.file);
    arrivals.times = arrivalTimesFromCsv(readTextFile(trace, `arrival file '${trace}' (traffic.arrivals.file of ${file})`), trace);
    delete arrivals.file;
  }
  const parsed = parseScenario(json);
  if (!parsed.ok)
    throw new InvalidFileError(
      file,
      parsed.errors.map((problem) => `${problem.path || '(root)'}: ${problem.message}`),
    );
  return parsed.scenario;
}

/**
 * The policy file `file`, parsed and checked but not thrown on: the caller lists the problems
 * (`policy validate`, `decide`). Unreadable or not JSON: a one-line `UsageError`.
 */
export function readPolicyDocument(file: string): ParsePolicyResult {
  return parsePolicy(readJsonFile(file, 'policy'));
}

/**
 * The policy of `file`, or `fallback` (default: the framework's default policy) when `file` is
 * undefined. An invalid policy is an `InvalidFileError` listing every problem by JSON path.
 */
export function readPolicyFile(
  file: string | undefined,
  fallback: { json: unknown; source: string; prefix?: string } = { json: defaultPolicy(), source: 'default policy' },
): Policy {
  const parsed = parsePolicy(file === undefined ? fallback.json : readJsonFile(file, 'policy'));
  if (!parsed.ok) {
    const prefix = file === undefined ? (fallback.prefix ?? '') : '';
    throw new InvalidFileError(
      file ?? fallback.source,
      parsed.errors.map((error) => `${prefix}${formatPolicyError(error)}`),
    );
  }
  return parsed.policy;
}

/**
 * As `readPolicyFile(file)`, for the commands whose every error is one line (`serve`,
 * `policy export`): an invalid policy is a `UsageError`
 * `policy file 'p.json' is not valid (2 problems): a; b`.
 */
export function requirePolicyFile(file: string): Policy {
  try {
    return readPolicyFile(file);
  } catch (error) {
    if (!(error instanceof InvalidFileError)) throw error;
    const count = error.problems.length;
    throw new UsageError(`policy file '${file}' is not valid (${count} problem${count === 1 ? '' : 's'}): ${error.problems.join('; ')}`);
  }
}

/** The policy to simulate: `--policy FILE`, else the scenario's own `policy`, else the default. */
export function loadPolicy(file: string | undefined, scenario: Scenario, scenarioFile: string): Policy {
  if (file !== undefined || scenario.policy === undefined) return readPolicyFile(file);
  return readPolicyFile(undefined, { json: scenario.policy, source: `${scenarioFile} (policy)`, prefix: 'policy.' });
}

/** Writes the problems of an invalid file to stderr and returns exit code 2. */
export function reportInvalidFile(io: CliIo, command: string, error: InvalidFileError): number {
  io.stderr.write(
    `rollout-lab ${command}: ${error.file} is not valid (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}):\n`,
  );
  for (const problem of error.problems) io.stderr.write(`  ${problem}\n`);
  return 2;
}

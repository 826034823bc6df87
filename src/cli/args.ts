/**
 * Argument checking for the CLI: every bad value becomes a `UsageError` whose one-line
 * message names the argument and the reason, which `main` prints with exit code 2.
 */
import { parseArgs as nodeParseArgs } from 'node:util';

/** A user mistake on the command line: printed as one line, exit code 2, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** Parses `argv` against `options` (plus `--json` and `--help`, which every command takes). */
export function parseCommandArgs(argv: string[], options: OptionSpec, maxPositionals = 0): ParsedArgs {
  let parsed;
  try {
    parsed = nodeParseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0].replace(/^Unknown option/, 'unknown option'));
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`);
  }
  return parsed as ParsedArgs;
}

interface NumberRule {
  default?: number;
  /** Inclusive lower bound unless `exclusiveMin`. */
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  integer?: boolean;
}

/** Reads `--name` as a finite number within the stated bounds. */
export function numberOption(args: ParsedArgs, name: string, rule: NumberRule = {}): number {
  const raw = args.values[name];
  if (raw === undefined) {
    if (rule.default === undefined) throw new UsageError(`--${name} is required`);
    return rule.default;
  }
  return parseNumber(String(raw), `--${name}`, rule);
}

/** Parses one number with bounds, naming `label` in the error. */
export function parseNumber(text: string, label: string, rule: NumberRule = {}): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`${label} must be a number, got '${text}'`);
  if (rule.integer && !Number.isInteger(value)) throw new UsageError(`${label} must be a whole number, got ${text}`);
  const { min, max } = rule;
  if (min !== undefined && (rule.exclusiveMin ? value <= min : value < min)) {
    throw new UsageError(`${label} must be ${rule.exclusiveMin ? 'greater than' : 'at least'} ${min}, got ${text}`);
  }
  if (max !== undefined && (rule.exclusiveMax ? value >= max : value > max)) {
    throw new UsageError(`${label} must be ${rule.exclusiveMax ? 'less than' : 'at most'} ${max}, got ${text}`);
  }
  return value;
}

/** Reads `--name` as a string, required unless a default is given. */
export function stringOption(args: ParsedArgs, name: string, fallback?: string): string {
  const raw = args.values[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  return String(raw);
}

/** Reads `--name` as one of `choices`. */
export function choiceOption<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const raw = stringOption(args, name, fallback);
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}

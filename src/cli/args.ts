/**
 * Argument checking for the CLI: every bad value becomes a `UsageError` whose one-line
 * message names the argument and the reason, which `main` prints with exit code 2.
 */
import { parseArgs as nodeParseArgs } from 'node:util';
import { seedFromText } from '../engine/random/seedFromText.ts';

/** A user mistake on the command line: printed as one line, exit code 2, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** A token that is a negative number (`-5`, `-0.02`, `-.5`, `-1e3`), not an option. */
const negativeNumber = /^-(?:\d|\.\d)/;

/**
 * Joins `--name -5` into `--name=-5` when `--name` takes a value: node's `parseArgs` otherwise
 * reports a value starting with `-` as ambiguous ("Did you mean --name=-5?"), though a negative
 * number can only be the value (no option is named like a number). Stops at `--`.
 */
export function attachNegativeValues(argv: readonly string[], options: OptionSpec): string[] {
  const takesValue = new Set<string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (spec.short !== undefined) takesValue.add(`-${spec.short}`);
  }
  const result: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      result.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (takesValue.has(token) && next !== undefined && negativeNumber.test(next)) {
      result.push(`${token.startsWith('--') ? `${token}=` : token}${next}`);
      i++;
    } else {
      result.push(token);
    }
  }
  return result;
}

/**
 * Parses `argv` against `options` (plus `--json` and `--help`, which every command takes). A
 * negative number after an option that takes a value is that value (`--seed -5`).
 */
export function parseCommandArgs(argv: string[], options: OptionSpec, maxPositionals = 0): ParsedArgs {
  let parsed;
  try {
    parsed = nodeParseArgs({
      args: attachNegativeValues(argv, options),
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

/** A whole number in decimal digits: `10`, `-5` — not `0x10`, `1e3`, `10.0`, `+10` or ` 10`. */
const decimalInteger = /^-?\d+$/;
/** A decimal number: `0.05`, `-0.02`, `.5`, `1e-3` — not `0x10`, `Infinity` or padded with spaces. */
const decimalNumber = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses one number with bounds, naming `label` in the error. Only decimal notation is read:
 * `Number()` alone would take `0x10` as 16, `1e3` as a whole number and ` 10` as 10, so a typo
 * or a shell-quoting slip would run with a value nobody wrote. Integers take digits only.
 */
export function parseNumber(text: string, label: string, rule: NumberRule = {}): number {
  if (rule.integer && !decimalInteger.test(text) && Number.isFinite(Number(text))) {
    throw new UsageError(`${label} must be a whole number in decimal digits, got '${text}'`);
  }
  const value = decimalNumber.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) throw new UsageError(`${label} must be a number, got '${text}'`);
  if (rule.integer && !decimalInteger.test(text)) throw new UsageError(`${label} must be a whole number in decimal digits, got '${text}'`);
  if (rule.integer && !Number.isSafeInteger(value)) throw new UsageError(`${label} must be a whole number below 2^53, got ${text}`);
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

/**
 * Reads `--seed` as the numeric stream seed, or undefined when it is absent: a whole number is
 * itself (so every numeric seed gives the results it always gave); any other text, such as
 * `release-2026-12`, is hashed by the engine's `seedFromText` (seedrandom), and the command's
 * output shows the number it maps to.
 */
export function seedOption(args: ParsedArgs): number | undefined {
  const raw = args.values.seed;
  if (raw === undefined) return undefined;
  const text = String(raw);
  if (text === '') throw new UsageError('--seed must be a whole number or a text such as release-2026-12, got an empty text');
  return seedFromText(text, '--seed');
}

/** Reads `--name` as one of `choices`. */
export function choiceOption<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const raw = stringOption(args, name, fallback);
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}

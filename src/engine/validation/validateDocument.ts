/**
 * `validateDocument`: checks a loose JSON value against a field table (fieldSpec.ts) and lists
 * EVERY problem by JSON path and reason, in the order of the table (an object's unknown fields
 * first, then its fields in table order, then its cross-field `check`). The messages name the
 * reason the way people say it: `must be between 0 and 1 (exclusive), got 1.5`,
 * `unknown field 'minDuraton' (allowed: kind, name, …)`, `is required: an ordered list of stages`.
 * Never throws. Cost O(size of the document × depth of the table).
 */
import { durationSeconds } from '../policy/duration.ts';
import type { ArraySpec, FieldProblem, FieldSpec, MapSpec, NumberSpec, ObjectSpec, Report, VariantsSpec } from './fieldSpec.ts';

/** Checks `value` against `spec`; returns the problems (empty when valid), paths relative to `path`. */
export function validateDocument(value: unknown, spec: FieldSpec, path = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  checkValue(value, spec, path, (where, message) => problems.push({ path: where, message }));
  return problems;
}

/** `parent.key`, or `key` at the root. */
export function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** A value as a message shows it: `"5%"`, `2`, `null`, `an object`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** `'a', 'b', 'c'`. */
export function quoteList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The phrase for a range, as the messages say it (`between 0 and 1 (excluding 0)`, `at least 1`). */
export function rangePhrase(spec: Pick<NumberSpec, 'min' | 'max' | 'exclusiveMin' | 'exclusiveMax'>): string | undefined {
  const { min, max, exclusiveMin, exclusiveMax } = spec;
  if (min !== undefined && max !== undefined) {
    const bounds =
      exclusiveMin && exclusiveMax ? ' (exclusive)' : exclusiveMin ? ` (excluding ${min})` : exclusiveMax ? ` (excluding ${max})` : '';
    return `between ${min} and ${max}${bounds}`;
  }
  if (min !== undefined) return `${exclusiveMin ? 'greater than' : 'at least'} ${min}`;
  if (max !== undefined) return `${exclusiveMax ? 'less than' : 'at most'} ${max}`;
  return undefined;
}

/** Checks one value; returns true when it (and everything inside it) passed. */
function checkValue(value: unknown, spec: FieldSpec, path: string, report: Report): boolean {
  let count = 0;
  const counted: Report = (where, message) => {
    count++;
    report(where, message);
  };
  checkInto(value, spec, path, counted);
  return count === 0;
}

function typeError(spec: FieldSpec, noun: string, value: unknown): string {
  return `must be ${spec.expected ?? noun}, got ${describeValue(value)}`;
}

function checkInto(value: unknown, spec: FieldSpec, path: string, report: Report): void {
  switch (spec.kind) {
    case 'any':
      return;
    case 'number':
      return checkNumber(value, spec, path, report);
    case 'text':
      if (typeof value !== 'string') return report(path, typeError(spec, spec.nonEmpty ? 'a non-empty string' : 'a string', value));
      if (spec.nonEmpty && value.trim() === '') report(path, `must be a non-empty string, got ${describeValue(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') report(path, typeError(spec, 'true or false', value));
      return;
    case 'choice':
      if (typeof value !== 'string' || !spec.values.includes(value))
        report(path, `must be one of ${quoteList(spec.values)}, got ${describeValue(value)}`);
      return;
    case 'constant':
      if (value !== spec.value) report(path, typeError(spec, JSON.stringify(spec.value), value));
      return;
    case 'duration': {
      const seconds = durationSeconds(value);
      if (seconds === undefined) {
        report(path, typeError(spec, 'a number of seconds (≥ 0) or a duration like "90s", "5m", "24h"', value));
      } else if (spec.positive && seconds <= 0) {
        report(path, `must be longer than 0, got ${describeValue(value)}`);
      }
      return;
    }
    case 'object':
      return checkObject(value, spec, path, report);
    case 'map':
      return checkMap(value, spec, path, report);
    case 'array':
      return checkArray(value, spec, path, report);
    case 'variants':
      return checkVariants(value, spec, path, report);
    case 'either': {
      const option = spec.options.find((candidate) => acceptsType(candidate, value));
      if (option) return checkInto(value, option, path, report);
      const nouns = spec.options.map((candidate) => candidate.expected ?? typeNoun(candidate));
      return report(path, typeError(spec, nouns.join(' or '), value));
    }
  }
}

function checkNumber(value: unknown, spec: NumberSpec, path: string, report: Report): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) return report(path, typeError(spec, 'a number', value));
  if (spec.integer && !Number.isInteger(value)) return report(path, `must be a whole number, got ${value}`);
  const { min, max, exclusiveMin, exclusiveMax } = spec;
  if (spec.atExclusiveMax !== undefined && exclusiveMax && value === max) return report(path, spec.atExclusiveMax);
  const belowMin = min !== undefined && (exclusiveMin ? value <= min : value < min);
  const aboveMax = max !== undefined && (exclusiveMax ? value >= max : value > max);
  if (belowMin || aboveMax) report(path, `must be ${rangePhrase(spec)}, got ${value}`);
}

/** Checks the fields of `value` (already known to be an object) against `fields`; returns the failed keys. */
function checkFields(value: Record<string, unknown>, fields: Record<string, FieldSpec>, path: string, report: Report): Set<string> {
  const allowed = Object.keys(fields);
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(fields, key)) report(joinPath(path, key), `unknown field '${key}' (allowed: ${allowed.join(', ')})`);
  }
  const failed = new Set<string>();
  for (const key of allowed) {
    const field = fields[key];
    const item = value[key];
    const where = joinPath(path, key);
    if (item === undefined || (item === null && field.nullable)) {
      if (field.required) {
        report(where, `is required${field.requiredHint ? `: ${field.requiredHint}` : ''}`);
        failed.add(key);
      }
      continue;
    }
    if (!checkValue(item, field, where, report)) failed.add(key);
  }
  return failed;
}

function checkObject(value: unknown, spec: ObjectSpec, path: string, report: Report): void {
  if (!isJsonObject(value)) return report(path, typeError(spec, 'an object', value));
  if (spec.open) return;
  const failed = checkFields(value, spec.fields, path, report);
  spec.check?.(value, path, report, failed);
}

function checkMap(value: unknown, spec: MapSpec, path: string, report: Report): void {
  if (!isJsonObject(value)) return report(path, typeError(spec, 'an object', value));
  const keys = Object.keys(value);
  if (spec.nonEmpty !== undefined && keys.length === 0) return report(path, spec.nonEmpty);
  const failed = new Set<string>();
  for (const key of keys) if (!checkValue(value[key], spec.values, joinPath(path, key), report)) failed.add(key);
  spec.check?.(value, path, report, failed);
}

function checkArray(value: unknown, spec: ArraySpec, path: string, report: Report): void {
  if (!Array.isArray(value)) return report(path, typeError(spec, 'an array', value));
  if (spec.minItems !== undefined && value.length < spec.minItems) {
    const { tooFew } = spec;
    const message = typeof tooFew === 'function' ? tooFew(value.length) : tooFew;
    return report(path, message ?? `must list at least ${spec.minItems} item${spec.minItems === 1 ? '' : 's'}, got ${value.length}`);
  }
  const failed = new Set<number>();
  value.forEach((item, i) => {
    if (!checkValue(item, spec.items, `${path}[${i}]`, report)) failed.add(i);
  });
  spec.check?.(value, path, report, failed);
}

function checkVariants(value: unknown, spec: VariantsSpec, path: string, report: Report): void {
  if (!isJsonObject(value)) return report(path, typeError(spec, 'an object', value));
  const names = Object.keys(spec.variants);
  const tag = value[spec.tag];
  const where = joinPath(path, spec.tag);
  if (tag === undefined) return report(where, `is required: one of ${quoteList(names)}`);
  if (typeof tag === 'string' && spec.refused && Object.hasOwn(spec.refused, tag)) return report(path, spec.refused[tag]);
  if (typeof tag !== 'string' || !Object.hasOwn(spec.variants, tag))
    return report(where, `must be one of ${quoteList(names)}, got ${describeValue(tag)}`);
  checkObject(value, spec.variants[tag], path, report);
}

/** The JSON type a spec accepts, for `either`. */
function acceptsType(spec: FieldSpec, value: unknown): boolean {
  switch (spec.kind) {
    case 'number':
      return typeof value === 'number';
    case 'text':
    case 'choice':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'constant':
      return typeof value === typeof spec.value;
    case 'duration':
      return typeof value === 'number' || typeof value === 'string';
    case 'object':
    case 'map':
    case 'variants':
      return isJsonObject(value);
    case 'array':
      return Array.isArray(value);
    case 'either':
      return spec.options.some((option) => acceptsType(option, value));
    case 'any':
      return true;
  }
}

function typeNoun(spec: FieldSpec): string {
  switch (spec.kind) {
    case 'number':
      return spec.integer ? 'a whole number' : 'a number';
    case 'text':
      return spec.nonEmpty ? 'a non-empty string' : 'a string';
    case 'choice':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'constant':
      return JSON.stringify(spec.value);
    case 'duration':
      return 'a duration';
    case 'array':
      return 'an array';
    case 'either':
      return spec.options.map(typeNoun).join(' or ');
    case 'any':
      return 'a value';
    default:
      return 'an object';
  }
}

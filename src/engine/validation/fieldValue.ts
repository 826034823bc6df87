import { durationSeconds } from '../policy/duration.ts';
import type { ObjectSpec } from './fieldSpec.ts';

/**
 * The value of `key` in an object that passed `validateDocument` against `spec`: as given, else
 * the table's default (so a default is written once, in the table); a duration field in seconds.
 * Undefined when the field is absent and has no default. Trusts its input (the parser's internal
 * twin of the checks). Cost O(1).
 */
export function fieldValue(object: Record<string, unknown>, spec: ObjectSpec, key: string): unknown {
  const field = spec.fields[key];
  if (field === undefined) throw new RangeError(`'${key}' is not a field of this table`);
  const given = object[key];
  const value = given === undefined || (given === null && field.nullable) ? field.default : given;
  if (field.kind === 'duration' && value !== undefined) return durationSeconds(value);
  return value;
}

/**
 * Field tables: the one place a document's per-field constraints are written (type, range,
 * choices, required, default, description). `validateDocument` (validateDocument.ts) checks a
 * loose JSON value against a table, and `jsonSchemaOf` (jsonSchemaOf.ts) publishes the same table
 * as a JSON Schema (draft 2020-12), so the parser and the published schema cannot drift apart.
 * Only cross-field rules (stage order, `p95 > median`, …) are hand-written, as `check` hooks on
 * the object they concern.
 *
 * A table is plain data built with the small factories below (`numberField`, `objectField`, …),
 * composed like Observable Plot options: a spec is a value, and `{ ...spec, required: true }`
 * makes a variant of it. No `eval`, no generated code: the app's CSP forbids `eval`.
 */

/** One problem: where (`stages[2].traffic`, '' for the document itself) and what, without the path. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Reports a problem at a path (absolute: the hook receives its object's path to build on). */
export type Report = (path: string, message: string) => void;

/**
 * A cross-field rule of one object, run after its fields were checked (whether or not they
 * passed). `failed` holds the keys whose own checks failed, so a rule can skip what was already
 * reported; a rule must check the types of what it reads.
 */
export type CrossFieldCheck = (value: Record<string, unknown>, path: string, report: Report, failed: ReadonlySet<string>) => void;

/** What every spec may say. */
export interface FieldBase {
  /** Shown in editors (the schema's `description`). */
  description?: string;
  /** The field must be present in its parent object. */
  required?: boolean;
  /** Appended to "is required" (`is required: an ordered list of stages`). */
  requiredHint?: string;
  /** The value used when the field is absent (published as the schema's `default`). */
  default?: unknown;
  /** `null` counts as absent (the field is optional and a producer may write null). */
  nullable?: boolean;
  /** Replaces the noun phrase of the type error: `must be <expected>, got …`. */
  expected?: string;
  /** Publish this spec once under `$defs/<definition>` and refer to it with `$ref`. */
  definition?: string;
}

/** A finite number, optionally a whole number, within bounds (inclusive unless marked exclusive). */
export interface NumberSpec extends FieldBase {
  kind: 'number';
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  integer?: boolean;
  /** The message when the value equals an exclusive maximum (`must be below 1: a canary at 100% …`). */
  atExclusiveMax?: string;
}

/** A string; `nonEmpty` refuses '' and blank strings. */
export interface TextSpec extends FieldBase {
  kind: 'text';
  nonEmpty?: boolean;
}

/** true or false. */
export interface BooleanSpec extends FieldBase {
  kind: 'boolean';
}

/** One of a fixed list of strings. */
export interface ChoiceSpec extends FieldBase {
  kind: 'choice';
  values: readonly string[];
}

/** Exactly one value (`version: 1`). */
export interface ConstantSpec extends FieldBase {
  kind: 'constant';
  value: string | number | boolean;
}

/** Seconds (a number ≥ 0) or a duration text like "90s", "5m", "1h30m"; `positive` refuses 0. */
export interface DurationSpec extends FieldBase {
  kind: 'duration';
  positive?: boolean;
}

/** An object with named fields; unknown fields are refused by name unless `open`. */
export interface ObjectSpec extends FieldBase {
  kind: 'object';
  fields: Record<string, FieldSpec>;
  /** Any fields allowed and none checked (e.g. a policy embedded in a scenario, checked by its own parser). */
  open?: boolean;
  check?: CrossFieldCheck;
}

/** An object keyed by the user's names (segments, input features), each value checked by `values`. */
export interface MapSpec extends FieldBase {
  kind: 'map';
  values: FieldSpec;
  /** At least one entry; the message when there is none (`must list at least one segment`). */
  nonEmpty?: string;
  check?: CrossFieldCheck;
}

/** An array whose items are all checked by `items`. */
export interface ArraySpec extends FieldBase {
  kind: 'array';
  items: FieldSpec;
  minItems?: number;
  /** The message when there are fewer than `minItems` items (a function receives the count). */
  tooFew?: string | ((count: number) => string);
  /** A rule over the whole array (e.g. ascending times), run after its items were checked. */
  check?: (value: unknown[], path: string, report: Report, failed: ReadonlySet<number>) => void;
}

/**
 * Objects of several shapes told apart by a tag field (`kind`, `type`, `method`): each variant
 * is an object spec whose own fields include the tag. `refused` names tag values that are known
 * but not allowed here, with the message to give (`must not be a mixture inside a mixture`).
 */
export interface VariantsSpec extends FieldBase {
  kind: 'variants';
  tag: string;
  variants: Record<string, ObjectSpec>;
  refused?: Record<string, string>;
}

/** A value of one of several JSON types (a number or an object of numbers, say); the first spec of the value's type applies. */
export interface EitherSpec extends FieldBase {
  kind: 'either';
  options: readonly FieldSpec[];
}

/** Any JSON value, not checked here. */
export interface AnySpec extends FieldBase {
  kind: 'any';
}

/** A field table entry. */
export type FieldSpec =
  | NumberSpec
  | TextSpec
  | BooleanSpec
  | ChoiceSpec
  | ConstantSpec
  | DurationSpec
  | ObjectSpec
  | MapSpec
  | ArraySpec
  | VariantsSpec
  | EitherSpec
  | AnySpec;

type Options<S> = Omit<S, 'kind'>;

/** A number spec. */
export function numberField(options: Options<NumberSpec> = {}): NumberSpec {
  return { kind: 'number', ...options };
}

/** A text spec. */
export function textField(options: Options<TextSpec> = {}): TextSpec {
  return { kind: 'text', ...options };
}

/** A boolean spec. */
export function booleanField(options: Options<BooleanSpec> = {}): BooleanSpec {
  return { kind: 'boolean', ...options };
}

/** A choice among `values`. */
export function choiceField(values: readonly string[], options: Omit<Options<ChoiceSpec>, 'values'> = {}): ChoiceSpec {
  return { kind: 'choice', values, ...options };
}

/** Exactly `value`. */
export function constantField(value: string | number | boolean, options: Omit<Options<ConstantSpec>, 'value'> = {}): ConstantSpec {
  return { kind: 'constant', value, ...options };
}

/** A duration spec. */
export function durationField(options: Options<DurationSpec> = {}): DurationSpec {
  return { kind: 'duration', ...options };
}

/** An object of `fields`. */
export function objectField(fields: Record<string, FieldSpec>, options: Omit<Options<ObjectSpec>, 'fields'> = {}): ObjectSpec {
  return { kind: 'object', fields, ...options };
}

/** A map from the user's names to `values`. */
export function mapField(values: FieldSpec, options: Omit<Options<MapSpec>, 'values'> = {}): MapSpec {
  return { kind: 'map', values, ...options };
}

/** An array of `items`. */
export function arrayField(items: FieldSpec, options: Omit<Options<ArraySpec>, 'items'> = {}): ArraySpec {
  return { kind: 'array', items, ...options };
}

/** Variants told apart by `tag`. */
export function variantsField(
  tag: string,
  variants: Record<string, ObjectSpec>,
  options: Omit<Options<VariantsSpec>, 'tag' | 'variants'> = {},
): VariantsSpec {
  return { kind: 'variants', tag, variants, ...options };
}

/** One of `options`, chosen by the value's JSON type. */
export function eitherField(options: readonly FieldSpec[], extra: Omit<Options<EitherSpec>, 'options'> = {}): EitherSpec {
  return { kind: 'either', options, ...extra };
}

/** Any value. */
export function anyField(options: Options<AnySpec> = {}): AnySpec {
  return { kind: 'any', ...options };
}

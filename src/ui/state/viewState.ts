/**
 * A view's state as a small typed record whose fields round-trip through text — the query
 * string of the view's URL (`#/sizer?baseline=0.1&…`, so a view can be shared) and the copy
 * autosaved in localStorage (so a reload loses nothing). Pure: no DOM, unit-tested in node.
 */

/** How one field of a view's state is written as text and read back. */
export interface FieldCodec<T> {
  /** The value a new visitor sees. */
  initial: T;
  /** The value written in `text`, or undefined when the text is not a valid value (then the initial value is used). */
  parse(text: string): T | undefined;
  format(value: T): string;
}

/** One codec per field of the state `S`. */
export type StateSchema<S> = { [K in keyof S]: FieldCodec<S[K]> };

/** A field that takes one of a fixed list of values. */
export function choiceField<T extends string>(choices: readonly T[], initial: T): FieldCodec<T> {
  return {
    initial,
    parse: (text) => (choices.includes(text as T) ? (text as T) : undefined),
    format: (value) => value,
  };
}

/**
 * A free-text field: pasted CSV, or a number kept exactly as typed (`textField('0.05')`) — the
 * view reads the number and explains a bad one, so the input never rewrites what the user is
 * typing and a shared URL with a bad value shows the same clear error.
 */
export function textField(initial: string): FieldCodec<string> {
  return { initial, parse: (text) => text, format: (value) => value };
}

/** The initial state of a schema. */
export function initialState<S>(schema: StateSchema<S>): S {
  const state = {} as S;
  for (const key of Object.keys(schema) as (keyof S)[]) state[key] = schema[key].initial;
  return state;
}

/**
 * Reads a state from text fields, in order of precedence: each source in turn supplies the
 * fields it holds valid values for; fields nobody holds keep their initial value. Typical call:
 * `decodeState(schema, urlParams, savedParams)` — the URL wins over the autosaved copy.
 */
export function decodeState<S>(schema: StateSchema<S>, ...sources: (URLSearchParams | undefined)[]): S {
  const state = initialState(schema);
  for (const key of Object.keys(schema) as (keyof S & string)[]) {
    for (const source of sources) {
      const text = source?.get(key);
      if (text === null || text === undefined) continue;
      const value = schema[key].parse(text);
      if (value !== undefined) {
        state[key] = value;
        break;
      }
    }
  }
  return state;
}

/** Writes every field of a state as text, in the schema's order. */
export function encodeState<S>(schema: StateSchema<S>, state: S): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of Object.keys(schema) as (keyof S & string)[]) params.set(key, schema[key].format(state[key]));
  return params;
}

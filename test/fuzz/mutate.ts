/**
 * Fuzz helpers: structure-aware mutation of a valid JSON document (replace, delete or retype a
 * field at a random path), so that most inputs get past the first type check and exercise deep
 * validation, plus the hostile values every parser must survive.
 */
import fc from 'fast-check';

/** Values that break naive parsers: wrong types, NaN-producing numbers, huge and tiny numbers, odd strings. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -0,
    -1,
    1e308,
    -1e308,
    5e-324,
    2 ** 53,
    1.5,
    0.5,
    100,
    1e6,
    1e9,
    '',
    ' ',
    'NaN',
    'Infinity',
    '-1',
    '1e999',
    '5m',
    '24h',
    '0s',
    '-5m',
    '1h30',
    'yes',
    '__proto__',
    'constructor',
    '\u0000',
    '\ud800',
    'a'.repeat(10_000),
    [],
    {},
    [null],
    { __proto__: null },
  ),
  fc.double({ noNaN: true }), // JSON cannot carry NaN; ±Infinity and huge values stay
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.jsonValue({ maxDepth: 2 }),
);

type Json = unknown;

function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => paths(item, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) paths(item, [...prefix, key], out);
  return out;
}

/** A copy of `document` with up to `edits` random edits (set a hostile value, delete a field, add an unknown one). */
export function mutatedDocument(document: Json, edits = 3): fc.Arbitrary<Json> {
  const all = paths(document);
  const edit = fc.record({
    path: fc.constantFrom(...all),
    kind: fc.constantFrom('set', 'delete', 'add'),
    value: hostileValue,
    key: fc.constantFrom('extra', 'kind', 'traffic', 'stages', '__proto__'),
  });
  return fc.array(edit, { minLength: 1, maxLength: edits }).map((list) => {
    let copy = JSON.parse(JSON.stringify(document));
    for (const { path, kind, value, key } of list) {
      if (path.length === 0) {
        if (kind === 'set') copy = value;
        continue;
      }
      let parent = copy;
      for (const part of path.slice(0, -1)) {
        if (parent === null || typeof parent !== 'object') break;
        parent = parent[part];
      }
      if (parent === null || typeof parent !== 'object') continue;
      const last = path[path.length - 1];
      if (kind === 'set') parent[last] = value;
      else if (kind === 'delete') {
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
      } else if (!Array.isArray(parent))
        Object.defineProperty(parent, key, { value, enumerable: true, configurable: true, writable: true });
    }
    return copy;
  });
}

/** True when `value` (deep) holds a NaN or infinite number. */
export function hasNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (Array.isArray(value)) return value.some(hasNonFinite);
  if (value && typeof value === 'object') return Object.values(value).some(hasNonFinite);
  return false;
}

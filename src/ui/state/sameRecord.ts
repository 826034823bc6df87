/**
 * True when two flat records (numbers, strings, booleans) hold the same value under every key —
 * how a view tells that the inputs of a long run did not change, without serialising them.
 * Nested objects compare by identity. Either side undefined: equal only when both are.
 */
export function sameRecord<T extends object>(a: T | undefined, b: T | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const keys = Object.keys(a) as (keyof T)[];
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]));
}

/**
 * Sticky bucketing compatible with Unleash's gradual rollout (DESIGN.md §3): a user's bucket is
 * a pure function of the flag's group and the user's id, so the same user lands in the same
 * bucket on every request, every process and every machine, here and in production.
 */
import { murmurHash3 } from './murmurHash3.ts';

/**
 * Unleash's `normalizedValue(id, groupId, normalizer, seed)`:
 *
 *   bucket = (murmurHash3_x86_32(`${group}:${id}`, seed) mod normalizer) + 1,
 *
 * an integer between 1 and `normalizer`. Source: unleash-client-node `src/strategy/util.ts`
 * (`normalizedStrategyValue`), which uses the `murmurhash3js` x86 32-bit hash with seed 0.
 * Unleash's published vectors: group `gr1`, id `123` → 73; group `groupX`, id `999` → 25.
 * Cost O(length of the key).
 */
export function normalizedValue(id: string, group: string, normalizer = 100, seed = 0): number {
  if (!Number.isInteger(normalizer) || normalizer < 1) {
    throw new RangeError(`normalizer must be a whole number of at least 1, got ${normalizer}`);
  }
  return bucketOfHash(murmurHash3(stickinessKey(group, id), seed), normalizer);
}

/**
 * The string a user's bucket hashes, `${group}:${id}` (Unleash's `${groupId}:${userId}`). One
 * definition for `normalizedValue` and `numberedIdBuckets` (which hashes `${group}:${prefix}` once
 * and carries on over each id's digits).
 */
export function stickinessKey(group: string, id: string): string {
  return `${group}:${id}`;
}

/** The bucket (1…`normalizer`) of a key's 32-bit hash: `hash mod normalizer + 1`, Unleash's rule. */
export function bucketOfHash(hash: number, normalizer: number): number {
  return (hash % normalizer) + 1;
}

/**
 * Whether a bucket (1…100) is inside a rollout of `percentage` % (0…100): `bucket ≤ percentage`,
 * Unleash's rule. Because the comparison is a threshold on a fixed bucket, raising the
 * percentage only ever adds users (monotone rollout).
 */
export function isInRollout(bucket: number, percentage: number): boolean {
  return bucket <= percentage;
}

/**
 * A bucket (1…`normalizer`) for traffic with no stickiness value (an anonymous request):
 * `⌊u·normalizer⌋ + 1` for one uniform draw `u = random()` in [0, 1). Not sticky by nature; the
 * randomness is a parameter (a seeded stream in the simulator) so runs are reproducible.
 */
export function anonymousBucket(random: () => number, normalizer = 100): number {
  const u = random();
  if (!(u >= 0 && u < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${u}`);
  return Math.floor(u * normalizer) + 1;
}

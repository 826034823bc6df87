/**
 * Splitting replicates [0, N) into contiguous shards.
 *
 * The shard boundaries depend only on the number of replicates and the shard size, never on the
 * number of workers: partial summaries are merged in shard order, so a run gives bit-identical
 * results on 1, 2 or 64 workers (even for floating-point sums, whose rounding depends on the
 * order of additions).
 */

/** Replicates [from, to) of a run. */
export interface ShardRange {
  from: number;
  to: number;
}

/**
 * Default shard size for `replicates`: about 128 shards (at least one replicate each), enough to
 * balance the load of up to a few dozen workers and to report progress smoothly, while each
 * shard's message round trip (≈0.1 ms) stays negligible against its work.
 */
export function defaultShardSize(replicates: number): number {
  return Math.max(1, Math.ceil(replicates / 128));
}

/**
 * [0, replicates) cut into consecutive shards of `shardSize` replicates (the last may be
 * shorter). Throws `RangeError` unless `replicates` is a non-negative integer and `shardSize` a
 * positive integer. O(replicates / shardSize).
 */
export function splitIntoShards(replicates: number, shardSize: number = defaultShardSize(replicates)): ShardRange[] {
  if (!Number.isSafeInteger(replicates) || replicates < 0) {
    throw new RangeError(`replicates must be a non-negative integer, got ${replicates}`);
  }
  if (!Number.isSafeInteger(shardSize) || shardSize < 1) {
    throw new RangeError(`shardSize must be a positive integer, got ${shardSize}`);
  }
  const shards: ShardRange[] = [];
  for (let from = 0; from < replicates; from += shardSize) {
    shards.push({ from, to: Math.min(replicates, from + shardSize) });
  }
  return shards;
}

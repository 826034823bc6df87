/**
 * The value a `LatencySketch` reports for a quantile that falls on latency x: the representative
 * of x's bucket, 2γ^i/(γ + 1) with i = ⌈ln x / ln γ⌉ and γ = (1 + α)/(1 − α) (DDSketch, Masson,
 * Rim & Lee, VLDB 2019; the mapping documented in src/engine/stats/latencySketch.ts).
 *
 * The windowed mode rounds its exact order statistics through this, so that both fidelity modes
 * report percentiles on the same grid and their window-p95 distributions agree exactly in law
 * (without it they differ by the sketch's ±α rounding, which a KS test on thousands of windows
 * can see). Pinned against `LatencySketch` itself in test/sim/sketchRounding.test.ts.
 * (The sketch also clamps to the window's min and max, which only matters when a percentile
 * shares a bucket with the extreme value; not reproduced.)
 */

/** A function rounding a latency (> 0) to its sketch bucket's representative, for accuracy α. O(1). */
export function sketchRounding(relativeAccuracy = 0.01): (latency: number) => number {
  if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
    throw new RangeError(`relativeAccuracy must be between 0 and 1, got ${relativeAccuracy}`);
  }
  const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
  const logGamma = Math.log(gamma);
  const indexMultiplier = 1 / logGamma;
  return (latency) => {
    if (!(latency > 0)) return 0;
    const index = Math.ceil(Math.log(latency) * indexMultiplier);
    return (2 * Math.exp(index * logGamma)) / (1 + gamma);
  };
}

const representativeTableSize = 8192;
/** Lazily filled tables of bucket representatives, by relative accuracy (see `sketchRoundingFromLog`). */
const representativeTables = new Map<number, Float64Array>();

/**
 * The same rounding from the latency's natural logarithm (for laws whose quantile is cheapest in
 * log space, such as the lognormal: saves an exp and a log per value). O(1).
 */
export function sketchRoundingFromLog(relativeAccuracy = 0.01): (logLatency: number) => number {
  if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
    throw new RangeError(`relativeAccuracy must be between 0 and 1, got ${relativeAccuracy}`);
  }
  const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
  const logGamma = Math.log(gamma);
  const indexMultiplier = 1 / logGamma;
  // Representatives of buckets −4096 … 4095 (at α = 1%: 1.6e-36 ms … 6e35 ms), filled on first
  // use: a table lookup instead of an exp per value. One table per accuracy, shared by every
  // rounding (the windowed mode makes one per replicate): an entry is a pure function of the
  // accuracy and the bucket, so sharing changes no value, and a fresh 64 KB Float64Array per
  // replicate cost Chromium's dedicated worker about 0.25 ms each (25× Node's; issue 16).
  const size = representativeTableSize;
  let representatives = representativeTables.get(relativeAccuracy);
  if (representatives === undefined) {
    representatives = new Float64Array(size).fill(NaN);
    representativeTables.set(relativeAccuracy, representatives);
  }
  const table = representatives;
  const representative = (index: number): number => (2 * Math.exp(index * logGamma)) / (1 + gamma);
  return (logLatency) => {
    if (logLatency === -Infinity) return 0;
    const index = Math.ceil(logLatency * indexMultiplier);
    const slot = index + size / 2;
    if (slot < 0 || slot >= size) return representative(index);
    let value = table[slot];
    if (value !== value) value = table[slot] = representative(index);
    return value;
  };
}

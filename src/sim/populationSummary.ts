/**
 * What a Zipf user population determines for the expected number of distinct users served,
 * kept in memory that does not grow with the population (issue 16, "Speed").
 *
 * A user u of request weight w_u, offered E requests, is served at least once with probability
 * 1 − exp(−w_u·E) (Poisson thinning). Users are grouped by index into runs whose Zipf weights
 * (∝ (u+1)^−s) differ by a ratio of at most `groupRatio`; each run has a centre weight c (the
 * geometric mean of its extreme weights), and each user's weight is c·(1 + d_u) with
 * |d_u| ≤ √groupRatio − 1 ≈ 0.0247. Writing x = c·E,
 *
 *   Σ_u 1 − e^(−x(1+d_u)) = n·(1 − e^(−x)) + e^(−x) · Σ_{k≥1} (−1)^(k+1) x^k m_k / k!,   m_k = Σ_u d_u^k,
 *
 * so per (run, sticky bucket) the count n and the power sums m_1…m_K are all that is needed.
 * Truncating at K = `momentOrder` = 10 leaves (Lagrange remainder, |xd| ≤ 0.0247x)
 * ≤ n·e^(−0.975x)·(0.0247x)^11/11! ≤ 4·10⁻¹⁹·n — far below the 10⁻¹² relative agreement with
 * the per-user sum that the tests require (test/sim/populationSummary.test.ts).
 *
 * Memory: runs × 101 buckets × (K + 1) doubles; the number of runs grows with log(count)
 * (≈ 230 for 10 million users at s = 0.8, ≈ 2 MB), not with count. Evaluation is
 * O(runs × rollout levels × K) whatever the population.
 */

/** Largest ratio of weights within one run of users. */
const groupRatio = 1.05;
/** Power sums kept per (run, bucket): m_1 … m_momentOrder (m_0 = the user count). */
const momentOrder = 10;
const stride = momentOrder + 1;

/** Per (run of similar weights, sticky bucket): user count and power sums of relative weight offsets. */
export interface WeightGroups {
  /** Number of runs. */
  groupCount: number;
  /** Centre request weight of run g (normalised: Σ over all users of the weights = 1). */
  centres: Float64Array;
  /** moments[(g·101 + b)·(K+1) + k] = Σ d_u^k over the users of run g in buckets 1…b (k = 0: the count); b = 0 is all zeros. */
  moments: Float64Array;
}

/**
 * Streams users 0…count−1 in order into their runs: `add(index, bucket, weight)` with the user's
 * unnormalised Zipf weight (index+1)^−s, then `finish(total)` with Σ of those weights.
 * O(count · K) time, O(runs) memory.
 */
export function weightGroupsBuilder(
  count: number,
  zipfExponent: number,
): { add(index: number, bucket: number, weight: number): void; finish(total: number): WeightGroups } {
  // Run g covers [starts[g], starts[g+1]): ((end)/(start+1))^s ≤ groupRatio.
  const widen = groupRatio ** (1 / zipfExponent);
  const starts: number[] = [0];
  while (starts[starts.length - 1] < count) {
    const start = starts[starts.length - 1];
    starts.push(Math.min(count, Math.max(start + 1, Math.floor((start + 1) * widen))));
  }
  const groupCount = starts.length - 1;
  const centres = new Float64Array(groupCount);
  for (let g = 0; g < groupCount; g++) centres[g] = ((starts[g] + 1) * starts[g + 1]) ** (-zipfExponent / 2);
  const moments = new Float64Array(groupCount * 101 * stride);
  let group = 0;
  return {
    add(index, bucket, weight) {
      while (index >= starts[group + 1]) group++;
      const d = weight / centres[group] - 1;
      const base = (group * 101 + bucket) * stride;
      moments[base] += 1;
      let power = 1;
      for (let k = 1; k <= momentOrder; k++) {
        power *= d;
        moments[base + k] += power;
      }
    },
    finish(total) {
      for (let g = 0; g < groupCount; g++) {
        centres[g] /= total;
        // Cumulative over buckets, so that a range of buckets offered the same volume is one difference.
        for (let b = 1; b <= 100; b++) {
          const base = (g * 101 + b) * stride;
          for (let k = 0; k <= momentOrder; k++) moments[base + k] += moments[base - stride + k];
        }
      }
      return { groupCount, centres, moments };
    },
  };
}

/**
 * Expected distinct users served Σ_u 1 − exp(−w_u·E_{bucket(u)}) given the requests offered per
 * sticky bucket, `exposureByBucket[b]` (b = 1…100), from the run summaries (see the file's
 * comment). Buckets offered the same volume (a rollout level's range) are summed as one, by a
 * difference of the cumulative sums. Equal to the per-user sum within 10⁻¹² relative.
 * O(ranges × runs × K): a few thousand operations whatever the population.
 */
export function weightGroupsUsersServed(groups: WeightGroups, exposureByBucket: Float64Array): number {
  const { groupCount, centres, moments } = groups;
  let users = 0;
  let low = 1;
  while (low <= 100) {
    const volume = exposureByBucket[low];
    let high = low;
    while (high < 100 && exposureByBucket[high + 1] === volume) high++;
    if (volume > 0) {
      for (let g = 0; g < groupCount; g++) {
        const upper = (g * 101 + high) * stride;
        const lower = (g * 101 + low - 1) * stride;
        const n = moments[upper] - moments[lower];
        if (n === 0) continue;
        const x = centres[g] * volume;
        let served = n * -Math.expm1(-x);
        // e^(−x) underflows past 745: the correction is then 0 (and x^k would overflow first for huge x).
        if (x < 700) {
          // term = (−1)^(k+1) x^k / k!
          let term = -1;
          let correction = 0;
          for (let k = 1; k <= momentOrder; k++) {
            term *= -x / k;
            correction += term * (moments[upper + k] - moments[lower + k]);
          }
          served += Math.exp(-x) * correction;
        }
        users += served;
      }
    }
    low = high + 1;
  }
  return users;
}

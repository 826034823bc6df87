/**
 * The exact law of the pooled baseline percentile (src/sim/exact/pooledQuantileLaw.ts): against
 * scipy by another route (conditioning on the pooled count N: scripts/reference/pooled_quantile.py),
 * against seeded baselines drawn as the per-request mode draws them (real LatencySketches, pooled
 * and read with the engine's mergeSketchJson/sketchJsonQuantile) and as the windowed mode draws
 * them (banded sketches), at the lab's 24 h scale, and at its edges: tiny baselines, mass at zero,
 * a quantile on a bucket edge, other levels, bad input.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { poissonSampler } from '../../../src/engine/random/poisson.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';
import type { LatencySketchJson } from '../../../src/engine/stats/latencySketch.ts';
import { LatencySketch, mergeSketchJson, sketchJsonQuantile } from '../../../src/engine/stats/latencySketch.ts';
import { drawBandedSketch, sketchBands } from '../../../src/sim/baselineSketchBands.ts';
import { bucketUpperEdge } from '../../../src/sim/exact/latencyLimitLaw.ts';
import type { BaselineWindowLatency, PooledQuantileLaw } from '../../../src/sim/exact/pooledQuantileLaw.ts';
import { poissonPmf, pooledQuantileLaw } from '../../../src/sim/exact/pooledQuantileLaw.ts';
import { latencyModel } from '../../../src/sim/latencyModel.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import { expectedArrivals } from '../../../src/sim/traffic.ts';

/** The lab's control latency law (scenarios/identical-candidate.json): lognormal, median 120 ms, p95 400 ms. */
const latency = latencyModel({ kind: 'lognormal', median: 120, p95: 400 });

/** P(reported bucket ≤ bucket) from the law: the atoms at or below it (the mass below the lowest atom is < tolerance). */
function atMost(law: PooledQuantileLaw, bucket: number): number {
  let sum = 0;
  for (const atom of law.atoms) if (atom.bucket <= bucket) sum += atom.probability;
  return sum;
}

function total(law: PooledQuantileLaw): number {
  return law.atoms.reduce((sum, atom) => sum + atom.probability, 0);
}

/**
 * scripts/reference/pooled_quantile.py (scipy 1.10 binom.sf, mpmath Poisson pmf): P(reported
 * bucket ≤ i) = Σ_{N≥1} Pois(N; Λ)·P(Bin(N, u_i) ≥ ⌊q(N − 1)⌋ + 1), u_i the pooled CDF at γ^i,
 * pasted as printed: [q, windows as (expected, multiplier), [bucket, P(≤ bucket)] …].
 */
const references: [string, number, [number, number][], [number, number][]][] = [
  [
    'tiny single window (Λ = 5, p50: N = 0 has mass e⁻⁵)',
    0.5,
    [[5, 1]],
    [
      [-21, 1.1357476008860696e-13],
      [18, 1.4751525503864436e-10],
      [58, 7.280958156738261e-8],
      [97, 1.013001155050208e-5],
      [137, 0.0005303797728873669],
      [176, 0.01105504570967675],
      [215, 0.17812828817875725],
      [255, 0.8319184213864558],
      [294, 0.9879331573919776],
      [333, 0.9930706932461231],
      [373, 0.9932576525493856],
      [412, 0.99326201271246],
      [452, 0.9932620528957672],
      [491, 0.9932620530008107],
    ],
  ],
  [
    'single window Λ = 50, p95',
    0.95,
    [[50, 1]],
    [
      [221, 1.1610807560482972e-13],
      [235, 3.989262462524266e-10],
      [249, 7.562234701727341e-7],
      [263, 0.0005696758766885084],
      [276, 0.03646286531951426],
      [290, 0.3856178384288878],
      [304, 0.8623439174578776],
      [318, 0.9899179589627526],
      [332, 0.9996631998308548],
      [346, 0.9999926049880178],
      [359, 0.9999998290856189],
      [373, 0.9999999977496732],
      [387, 0.999999999979113],
      [401, 0.9999999999998603],
    ],
  ],
  [
    'single window Λ = 500, p99',
    0.99,
    [[500, 1]],
    [
      [289, 1.8212876466376304e-13],
      [296, 2.340565321366333e-8],
      [303, 7.766837133332515e-5],
      [310, 0.012405017774019691],
      [318, 0.25341871774046376],
      [325, 0.7161833032123779],
      [332, 0.9536405089727594],
      [339, 0.9963240130198769],
      [346, 0.9998322750092016],
      [353, 0.9999949626609155],
      [361, 0.9999999385367843],
      [368, 0.9999999990283561],
      [375, 0.9999999999879391],
      [382, 0.9999999999998805],
    ],
  ],
  [
    'single window Λ = 5,000, p95',
    0.95,
    [[5000, 1]],
    [
      [292, 6.816724926652616e-13],
      [293, 4.832431326822744e-10],
      [294, 1.3035873819180938e-7],
      [295, 1.377581416234188e-5],
      [297, 0.010632881065474395],
      [298, 0.08520559733791473],
      [299, 0.32745470757747064],
      [300, 0.6802801220691723],
      [301, 0.9154887230944295],
      [302, 0.9885048517853959],
      [304, 0.9999737293132539],
      [305, 0.9999995586623329],
      [306, 0.9999999962536283],
      [307, 0.9999999999836715],
    ],
  ],
  [
    'two multipliers (2,000 at ×1, 1,000 at ×1.3), p95',
    0.95,
    [
      [2000, 1],
      [1000, 1.3],
    ],
    [
      [295, 7.918353043487081e-13],
      [297, 1.3223636713710272e-8],
      [298, 7.165777968725685e-7],
      [300, 0.0004013440487907469],
      [301, 0.004310728011250379],
      [303, 0.11604803120871884],
      [304, 0.31258330611487906],
      [306, 0.8173118646588005],
      [307, 0.9443463170360105],
      [309, 0.9983964100199194],
      [310, 0.9998496661108938],
      [312, 0.999999589123816],
      [313, 0.9999999878311443],
      [315, 0.9999999999964045],
    ],
  ],
  [
    'two multipliers (2,000 at ×1, 1,000 at ×1.3), p50',
    0.5,
    [
      [2000, 1],
      [1000, 1.3],
    ],
    [
      [238, 9.757509276833743e-12],
      [239, 1.527762301501417e-8],
      [240, 6.362464613514771e-6],
      [241, 0.0007120526849147959],
      [242, 0.022031972285192287],
      [243, 0.20143331167207817],
      [244, 0.6333512070119602],
      [245, 0.9354721803883792],
      [246, 0.9964734213033293],
      [247, 0.9999455286894855],
      [248, 0.999999771692849],
      [249, 0.9999999997445239],
    ],
  ],
  [
    'single window Λ = 300, q = 0.25 (β(A) grows by 3 per unit of A)',
    0.25,
    [[300, 1]],
    [
      [193, 5.976379573408017e-13],
      [196, 3.0622518727870654e-10],
      [199, 7.859729657464485e-8],
      [203, 3.888130053017663e-5],
      [206, 0.0015478290339378852],
      [209, 0.025743717243708546],
      [212, 0.17832120822443448],
      [216, 0.6786642054811065],
      [219, 0.9348577652927447],
      [222, 0.994866269657505],
      [225, 0.9998536571785201],
      [229, 0.9999997473887541],
      [232, 0.9999999993550963],
      [235, 0.9999999999993874],
    ],
  ],
  [
    'single window Λ = 2,000 at ×0.8, q = 0.999',
    0.999,
    [[2000, 0.8]],
    [
      [305, 6.170196169280416e-13],
      [314, 3.1441824325282353e-6],
      [323, 0.008132747570377595],
      [332, 0.24378781554893114],
      [341, 0.7529013907863175],
      [350, 0.964648198244114],
      [359, 0.9970090781814598],
      [368, 0.9998179149141486],
      [377, 0.9999912589616342],
      [386, 0.9999996561102944],
      [395, 0.9999999887406146],
      [404, 0.9999999996914694],
      [413, 0.9999999999929118],
      [422, 0.9999999999998634],
    ],
  ],
  [
    'one day at 100 req/s in one multiplier, p50',
    0.5,
    [[8640000, 1]],
    [
      [238, 0.0],
      [239, 2.3795857251710861e-122],
      [240, 1.0],
      [241, 1.0],
    ],
  ],
  [
    'one day at 100 req/s in one multiplier, p95',
    0.95,
    [[8640000, 1]],
    [
      [298, 0.0],
      [299, 1.755743757248847e-102],
      [300, 1.0],
      [301, 1.0],
    ],
  ],
  [
    'one day at 100 req/s in one multiplier, p99',
    0.99,
    [[8640000, 1]],
    [
      [323, 2.8745214538827143e-235],
      [324, 7.28730169308925e-28],
      [325, 1.0],
      [326, 1.0],
    ],
  ],
  [
    'Λ = 10⁶ with m·F⁻¹(0.95) at (1 + 5e-7)·γ³⁷², p95: two atoms',
    0.95,
    [[1e6, 4.25793358126039]],
    [
      [371, 7.321261199640552e-39],
      [372, 0.5018387853192648],
      [373, 1.0],
      [374, 1.0],
    ],
  ],
];

describe('pooledQuantileLaw against scipy (conditioning on the pooled count)', () => {
  for (const [name, q, groups, rows] of references) {
    it(`${name}: P(reported ≤ bucket) within 1e-10`, () => {
      const windows: BaselineWindowLatency[] = groups.map(([expected, multiplier]) => ({ expected, multiplier }));
      const law = pooledQuantileLaw(q, windows, latency, 1e-13);
      for (const [bucket, probability] of rows) expect(Math.abs(atMost(law, bucket) - probability)).toBeLessThan(1e-10);
      // The atoms and the neglected mass make up the whole law.
      expect(Math.abs(total(law) + law.neglected - 1)).toBeLessThan(1e-12);
      const empty = Math.exp(-groups.reduce((sum, [expected]) => sum + expected, 0));
      expect(law.neglected).toBeGreaterThanOrEqual(empty);
      expect(law.neglected).toBeLessThan(empty + 1e-13);
    });
  }
});

/** The bucket the engine's sketch puts a latency in: ⌈ln x · (1/ln γ)⌉, γ = 1.01/0.99 (latencySketch.ts `add`). */
const indexMultiplier = 1 / Math.log(1.01 / 0.99);
function bucketOf(value: number): number {
  return Math.ceil(Math.log(value) * indexMultiplier);
}

/** A latency inside bucket i: its geometric middle γ^{i − ½}. */
function inside(bucket: number): number {
  return bucketUpperEdge(bucket) * Math.exp(-0.5 / indexMultiplier);
}

/**
 * Draws `replicates` baselines as the per-request mode serves them: each window's Poisson count of
 * control latencies (the law × its multiplier) fed to its own `LatencySketch`, the windows'
 * sketches pooled as the engine pools them (`mergeSketchJson`) and the pooled quantile read as it
 * reads it (`sketchJsonQuantile`) at each q (null when no request came) — checked equal, bit for
 * bit, to the class's own merge and quantile.
 */
function drawPooledQuantiles(
  windows: readonly BaselineWindowLatency[],
  qs: readonly number[],
  replicates: number,
  seed: number,
): (number | null)[][] {
  const out: (number | null)[][] = qs.map(() => []);
  for (let r = 0; r < replicates; r++) {
    const random = streamFor(seed, r, 'pooled quantile law');
    const draw = latency.sampler(random);
    const pooled = new LatencySketch();
    let pooledJson: LatencySketchJson | undefined;
    for (const window of windows) {
      const sketch = new LatencySketch();
      const n = poissonSampler(random, window.expected)();
      for (let j = 0; j < n; j++) sketch.add(window.multiplier * draw());
      pooled.merge(sketch);
      pooledJson = mergeSketchJson(pooledJson, sketch.toJSON());
    }
    qs.forEach((q, i) => {
      if (pooled.count === 0 || pooledJson === undefined) {
        out[i].push(null);
        return;
      }
      const value = sketchJsonQuantile(pooledJson, q);
      if (value !== pooled.quantile(q))
        throw new Error(`sketchJsonQuantile ${value} differs from LatencySketch.quantile ${pooled.quantile(q)}`);
      out[i].push(value);
    });
  }
  return out;
}

describe('pooledQuantileLaw against merged LatencySketches (Monte-Carlo, seeded)', () => {
  // Eight windows, two of them slowed ×1.25, 840 expected requests in all.
  const windows: BaselineWindowLatency[] = [60, 90, 120, 150, 150, 120, 90, 60].map((expected, w) => ({
    expected,
    multiplier: w === 3 || w === 4 ? 1.25 : 1,
  }));
  const qs = [0.5, 0.95, 0.99];
  const replicates = 3000;
  const draws = drawPooledQuantiles(windows, qs, replicates, 20261205);
  qs.forEach((q, i) => {
    it(`q = ${q}: each atom's frequency within 4 standard errors of its probability, every draw on an atom`, () => {
      const law = pooledQuantileLaw(q, windows, latency, 1e-12);
      const counts = new Map<number, number>();
      for (const value of draws[i]) if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
      let matched = 0;
      for (const atom of law.atoms) {
        const seen = counts.get(atom.value) ?? 0;
        matched += seen;
        const se = Math.sqrt((atom.probability * (1 - atom.probability)) / replicates);
        expect(Math.abs(seen / replicates - atom.probability)).toBeLessThanOrEqual(4 * se + 1 / replicates);
      }
      // No request at all has probability e^{−840}; the draws off every atom are the clamp's.
      const clampSe = Math.sqrt((law.clamped * (1 - law.clamped)) / replicates);
      expect(Math.abs((replicates - matched) / replicates - law.clamped)).toBeLessThanOrEqual(4 * clampSe + 1 / replicates);
      expect(law.atoms.length).toBeGreaterThan(5);
    });
  });

  it("a baseline of ~4 requests: the reported bucket's CDF within 4 standard errors; the clamp and N = 0 as bounded", () => {
    const tiny: BaselineWindowLatency[] = [
      { expected: 1, multiplier: 1 },
      { expected: 2, multiplier: 1.25 },
      { expected: 1, multiplier: 1 },
    ];
    const count = 12000;
    const [values] = drawPooledQuantiles(tiny, [0.5], count, 7);
    const law = pooledQuantileLaw(0.5, tiny, latency, 1e-12);
    const empty = values.filter((value) => value === null).length;
    const empties = Math.exp(-4);
    expect(Math.abs(empty / count - empties)).toBeLessThan(4 * Math.sqrt((empties * (1 - empties)) / count));
    // The law's neglected mass is P(N = 0) and the scan's tolerance.
    expect(law.neglected).toBeGreaterThanOrEqual(empties);
    expect(law.neglected).toBeLessThan(empties + 1e-11);
    const reported = values.filter((value): value is number => value !== null);
    // The clamp to [min, max] moves the value inside its bucket (with ~4 values, often: N = 1 always
    // does): its probability as computed; the bucket's law is exact whatever the clamp does.
    const atomValue = new Map(law.atoms.map((atom) => [atom.bucket, atom.value]));
    const offAtom = reported.filter((value) => value !== atomValue.get(bucketOf(value))).length;
    expect(law.clamped).toBeGreaterThan(0.1);
    expect(Math.abs(offAtom / count - law.clamped)).toBeLessThanOrEqual(4 * Math.sqrt((law.clamped * (1 - law.clamped)) / count));
    const buckets = reported.map(bucketOf).sort((a, b) => a - b);
    for (const cut of [200, 220, 230, 235, 240, 245, 250, 260, 280]) {
      const probability = atMost(law, cut);
      let seen = 0;
      while (seen < buckets.length && buckets[seen] <= cut) seen++;
      expect(Math.abs(seen / count - probability)).toBeLessThanOrEqual(4 * Math.sqrt((probability * (1 - probability)) / count));
    }
  });
});

describe('pooledQuantileLaw with mass at zero latency', () => {
  it("an empirical law with repeated zeros: the zero bucket's atom (value 0) and the others within 4 standard errors of merged LatencySketches", () => {
    // Type-7 interpolation of [0, 0, 0, 5, 10, 20, 50, 100, 200]: P(latency = 0) = 2/8.
    const zeros = latencyModel({ kind: 'empirical', values: [0, 0, 0, 5, 10, 20, 50, 100, 200] });
    const windows: BaselineWindowLatency[] = [
      { expected: 3, multiplier: 1 },
      { expected: 4, multiplier: 2 },
    ];
    const law = pooledQuantileLaw(0.5, windows, zeros, 1e-12);
    expect(law.atoms[0].bucket).toBe(-Infinity);
    expect(law.atoms[0].value).toBe(0);
    expect(law.atoms[0].probability).toBeGreaterThan(0.05);
    expect(Math.abs(total(law) + law.neglected - 1)).toBeLessThan(1e-12);
    const replicates = 8000;
    let zero = 0;
    const buckets: number[] = [];
    for (let r = 0; r < replicates; r++) {
      const random = streamFor(11, r, 'pooled quantile law, zeros');
      const draw = zeros.sampler(random);
      const pooled = new LatencySketch();
      for (const window of windows) {
        const n = poissonSampler(random, window.expected)();
        for (let j = 0; j < n; j++) pooled.add(window.multiplier * draw());
      }
      if (pooled.count === 0) continue;
      const value = pooled.quantile(0.5);
      if (value === 0) zero++;
      else buckets.push(bucketOf(value));
    }
    const p0 = law.atoms[0].probability;
    expect(Math.abs(zero / replicates - p0)).toBeLessThanOrEqual(4 * Math.sqrt((p0 * (1 - p0)) / replicates));
    buckets.sort((a, b) => a - b);
    for (const cut of [100, 150, 200, 250, 300]) {
      const probability = atMost(law, cut);
      let seen = zero;
      for (const bucket of buckets) if (bucket <= cut) seen++;
      expect(Math.abs(seen / replicates - probability)).toBeLessThanOrEqual(4 * Math.sqrt((probability * (1 - probability)) / replicates));
    }
  });
});

describe("pooledQuantileLaw against the windowed mode's banded sketches (Monte-Carlo, seeded)", () => {
  // What the exact evaluator stands in for: the windowed mode draws each baseline window's sketch
  // banded (src/sim/baselineSketchBands.ts: exact buckets where the pooled percentiles can land,
  // min/max on representatives, so never clamped); the engine pools and reads them.
  const windows: BaselineWindowLatency[] = [150, 200, 250, 300, 300, 250, 200, 150].map((expected, w) => ({
    expected,
    multiplier: w === 2 || w === 5 ? 1.2 : 1,
  }));
  const bands = sketchBands({ windows, latency, minimumRequests: 0, fixedCounts: false });
  const replicates = 4000;
  const qs = [0.5, 0.95, 0.99];
  const draws: number[][] = qs.map(() => []);
  for (let r = 0; r < replicates; r++) {
    const random = streamFor(20261205, r, 'pooled quantile law, banded');
    let pooled: LatencySketchJson | undefined;
    for (const window of windows) {
      const n = poissonSampler(random, window.expected)();
      if (n > 0) pooled = mergeSketchJson(pooled, drawBandedSketch(bands, n, window.multiplier, random));
    }
    qs.forEach((q, i) => {
      if (pooled !== undefined) draws[i].push(sketchJsonQuantile(pooled, q));
    });
  }
  qs.forEach((q, i) => {
    it(`q = ${q}: every pooled percentile is an atom's value, each atom's frequency within 4 standard errors`, () => {
      const law = pooledQuantileLaw(q, windows, latency, 1e-12);
      const counts = new Map<number, number>();
      for (const value of draws[i]) counts.set(value, (counts.get(value) ?? 0) + 1);
      let matched = 0;
      for (const atom of law.atoms) {
        const seen = counts.get(atom.value) ?? 0;
        matched += seen;
        const se = Math.sqrt((atom.probability * (1 - atom.probability)) / replicates);
        expect(Math.abs(seen / replicates - atom.probability)).toBeLessThanOrEqual(4 * se + 1 / replicates);
      }
      expect(matched).toBe(replicates);
      expect(law.atoms.length).toBeGreaterThan(3);
    });
  });
});

describe('pooledQuantileLaw: what the engine reads', () => {
  it("each atom's value is, bit for bit, what LatencySketch.quantile and sketchJsonQuantile return when the quantile falls in its bucket", () => {
    const cases: [number, BaselineWindowLatency[]][] = [
      [0.5, [{ expected: 40, multiplier: 1 }]],
      [0.95, [{ expected: 3000, multiplier: 1.3 }]],
      [0.99, [{ expected: 500, multiplier: 0.7 }]],
    ];
    let checked = 0;
    for (const [q, windows] of cases) {
      for (const atom of pooledQuantileLaw(q, windows, latency, 1e-9).atoms) {
        // One value below the bucket (the minimum), 200 inside, one above (the maximum): rank q·201 falls inside.
        const sketch = new LatencySketch()
          .add(inside(atom.bucket - 1))
          .add(inside(atom.bucket), 200)
          .add(inside(atom.bucket + 1));
        expect(sketch.quantile(q)).toBe(atom.value);
        expect(sketchJsonQuantile(sketch.toJSON(), q)).toBe(atom.value);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe("pooledQuantileLaw at the lab's scale and edges", () => {
  /** The default scenario at `rate` req/s: its 288 five-minute windows of a day's baseline (daily cycle ±30%). */
  function dayWindows(rate: number): BaselineWindowLatency[] {
    const base = JSON.parse(readFileSync('scenarios/identical-candidate.json', 'utf8'));
    const parsed = parseScenario({ ...base, traffic: { ...base.traffic, requestsPerSecond: rate } });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const traffic = parsed.scenario.traffic;
    return Array.from({ length: 288 }, (_, w) => ({ expected: expectedArrivals(traffic, w * 300, w * 300 + 300), multiplier: 1 }));
  }

  it("a day at 100 req/s: atoms sum to 1 − neglected, neglected < 1e-9, and the law is scipy's for the pooled total", () => {
    const windows = dayWindows(100);
    expect(windows[0].expected).not.toBeCloseTo(windows[144].expected, 0); // the daily cycle is there
    // scripts/reference/pooled_quantile.py, the day cases (one multiplier: only Σ Λ_w = 8.64e6 matters).
    const expected: [number, number, number][] = [
      [0.5, 239, 2.3795857251710861e-122],
      [0.95, 299, 1.755743757248847e-102],
      [0.99, 324, 7.28730169308925e-28],
    ];
    for (const [q, below, probabilityBelow] of expected) {
      const law = pooledQuantileLaw(q, windows, latency, 1e-12);
      expect(Math.abs(total(law) + law.neglected - 1)).toBeLessThan(1e-13);
      expect(law.neglected).toBeLessThan(1e-9);
      expect(atMost(law, below)).toBeLessThan(probabilityBelow + 1e-12);
      const top = law.atoms.find((atom) => atom.bucket === below + 1);
      expect(top?.probability).toBeGreaterThan(1 - 1e-10);
    }
  });

  it('a day at 100,000 req/s (Λ = 8.64e9): one atom, the rest within the tolerance (the rounding of 1 − S not read as mass)', () => {
    const law = pooledQuantileLaw(0.95, [{ expected: 8.64e9, multiplier: 1 }], latency, 1e-12);
    expect(law.atoms.map((atom) => atom.bucket)).toEqual([300]);
    expect(law.neglected).toBeLessThan(1e-12);
    expect(Math.abs(total(law) + law.neglected - 1)).toBeLessThan(1e-14);
  });

  it("the lab's first visit (20 req/s): p99 spreads over three buckets, still within 1e-9 of the whole", () => {
    const law = pooledQuantileLaw(0.99, dayWindows(20), latency, 1e-12);
    expect(law.atoms.map((atom) => atom.bucket)).toEqual([324, 325, 326]);
    expect(law.neglected).toBeLessThan(1e-9);
    expect(Math.abs(total(law) + law.neglected - 1)).toBeLessThan(1e-13);
  });

  it('a multiplier putting m·F⁻¹(q) within 1e-6 of a bucket edge gives two substantial atoms', () => {
    const law = pooledQuantileLaw(0.95, [{ expected: 1e6, multiplier: 4.25793358126039 }], latency, 1e-12);
    expect(law.atoms.map((atom) => atom.bucket)).toEqual([372, 373]);
    // scripts/reference/pooled_quantile.py, the edge case: P(≤ 372) = 0.5018387853192648.
    expect(Math.abs(law.atoms[0].probability - 0.5018387853192648)).toBeLessThan(1e-10);
    expect(Math.abs(law.atoms[1].probability - (1 - 0.5018387853192648))).toBeLessThan(1e-10);
  });

  it('a very small baseline (Λ = 0.01): mostly no request, counted as neglected; none at all: everything neglected', () => {
    const law = pooledQuantileLaw(0.95, [{ expected: 0.01, multiplier: 1 }], latency, 1e-12);
    expect(Math.abs(total(law) - -Math.expm1(-0.01))).toBeLessThan(1e-12);
    expect(Math.abs(law.neglected - Math.exp(-0.01))).toBeLessThan(1e-11);
    // One request (almost always): the engine reports its own latency, clamped off the representative.
    expect(law.clamped).toBeGreaterThan(0.99 * total(law));
    expect(law.clamped).toBeLessThanOrEqual(total(law) + 1e-15);
    expect(pooledQuantileLaw(0.5, [{ expected: 0, multiplier: 1 }], latency, 1e-12)).toEqual({ atoms: [], neglected: 1, clamped: 0 });
    expect(pooledQuantileLaw(0.5, [], latency, 1e-12)).toEqual({ atoms: [], neglected: 1, clamped: 0 });
  });

  it('rejects bad input naming the field', () => {
    const one = [{ expected: 10, multiplier: 1 }];
    expect(() => pooledQuantileLaw(1, one, latency, 1e-9)).toThrow(/q must be strictly between 0 and 1, got 1/);
    expect(() => pooledQuantileLaw(0, one, latency, 1e-9)).toThrow(/q must be/);
    expect(() => pooledQuantileLaw(0.5, one, latency, 0)).toThrow(/tolerance must be between 0 and 1, got 0/);
    expect(() => pooledQuantileLaw(0.5, [...one, { expected: Number.NaN, multiplier: 1 }], latency, 1e-9)).toThrow(
      /windows\[1\]\.expected must be/,
    );
    expect(() => pooledQuantileLaw(0.5, [{ expected: 1, multiplier: 0 }], latency, 1e-9)).toThrow(/windows\[0\]\.multiplier must be/);
  });
});

describe("poissonPmf (Loader's saddle-point form)", () => {
  it('matches the pmf at 40 digits within 1e-12 relative, at small and day-scale means', () => {
    // scripts/reference/pooled_quantile.py, last line: mpmath exp(k ln μ − μ − ln k!) at 40 digits.
    const reference: [number, number, number][] = [
      [0, 5.0, 0.006737946999085467],
      [3, 5.0, 0.14037389581428056],
      [17, 5.0, 1.4452705360393119e-5],
      [49, 50.0, 0.05632500632519082],
      [900, 1000.0, 7.516954352125952e-5],
      [8640000, 8640000.0, 0.00013572291866397737],
      [8643000, 8640000.0, 8.061371542422742e-5],
      [8630000, 8640000.5, 4.153410796066252e-7],
      [1000000, 1000000.25, 0.0003989422346893011],
      [420000, 432000.0, 5.335776627102544e-77],
    ];
    for (const [k, mean, pmf] of reference) expect(Math.abs(poissonPmf(k, mean) / pmf - 1)).toBeLessThan(1e-12);
  });
});

import { describe, expect, it } from 'vitest';
import type { BaselineWindowLatency } from '../../../src/sim/exact/latencyBaselineBracket.ts';
import type { PooledQuantileLaw } from '../../../src/sim/exact/pooledQuantileLaw.ts';
import { pooledQuantileLaw } from '../../../src/sim/exact/pooledQuantileLaw.ts';
import { latencyModel } from '../../../src/sim/latencyModel.ts';

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

import { describe, expect, it } from 'vitest';
import { decideAB } from '../../../src/engine/stats/abDecision.ts';
import fixture from '../../fixtures/proportions.json';
import { expectRelative } from '../../helpers/close.ts';

// Expected values: test/fixtures/proportions.json → abDecision, written by scripts/reference/proportions.py.
// Each row stores its reference calls: statsmodels 0.13.5 proportions_ztest([xB, xA], [nB, nA]) (zCall),
// confint_proportions_2indep(xB, nB, xA, nA, method='newcomb') (effectIntervalCall), proportion_confint
// (…, method='wilson') (intervalACall / intervalBCall), ceiling(R power.prop.test(p1 = rateA, p2 = rateA + minEffect))
// (requiredCall), and scipy's normal quantile for the equivalence estimate (equivalenceCall).
describe('decideAB against the references', () => {
  for (const row of fixture.abDecision) {
    it(`${row.name}: ${row.a.join('/')} vs ${row.b.join('/')} → ${row.expectedDecision}`, () => {
      const result = decideAB({
        a: { successes: row.a[0], total: row.a[1] },
        b: { successes: row.b[0], total: row.b[1] },
        alpha: row.alpha,
        power: row.power,
        minimumEffect: row.minimumEffect,
      });
      expect(result.decision).toBe(row.expectedDecision);
      expectRelative(result.z, row.z, 1e-12);
      expectRelative(result.pValue, row.pValue, 1e-10);
      expect(result.rateA).toBe(row.a[0] / row.a[1]);
      expect(result.rateB).toBe(row.b[0] / row.b[1]);
      expect(result.effect).toBeCloseTo(row.b[0] / row.b[1] - row.a[0] / row.a[1], 15);
      expect(result.effectInterval.lower).toBeCloseTo(row.effectInterval[0], 13);
      expect(result.effectInterval.upper).toBeCloseTo(row.effectInterval[1], 13);
      expect(result.intervalA.lower).toBeCloseTo(row.intervalA[0], 13);
      expect(result.intervalA.upper).toBeCloseTo(row.intervalA[1], 13);
      expect(result.intervalB.lower).toBeCloseTo(row.intervalB[0], 13);
      expect(result.intervalB.upper).toBeCloseTo(row.intervalB[1], 13);
      expect(result.requiredSampleSizePerArm).toBe(row.requiredSampleSizePerArm);
      expect(result.sampleSizeReached).toBe(Math.min(row.a[1], row.b[1]) >= row.requiredSampleSizePerArm);
    });
  }
});

describe('decideAB rules and recommendations', () => {
  const row = (name: string) => fixture.abDecision.find((r) => r.name === name)!;
  const run = (name: string) => {
    const r = row(name);
    return decideAB({
      a: { successes: r.a[0], total: r.a[1] },
      b: { successes: r.b[0], total: r.b[1] },
      alpha: r.alpha,
      power: r.power,
      minimumEffect: r.minimumEffect,
    });
  };

  it('43/50 vs 44/50 is INCONCLUSIVE and says how many more samples per arm are needed', () => {
    const result = run('classic tiny sample');
    // R 4.2.2: ceiling(power.prop.test(p1 = 0.86, p2 = 0.88, power = 0.8, tol = 1e-12)$n) = 4438
    expect(result.requiredSampleSizePerArm).toBe(4438);
    expect(result.sampleSizeReached).toBe(false);
    expect(result.additionalSamplesPerArm).toBe(4438 - 50);
    expect(result.recommendation).toContain('Not enough data to decide');
    expect(result.recommendation).toContain('needs 4438 per arm; you have 50 (A) and 50 (B)');
    expect(result.recommendation).toContain('Collect about 4388 more per arm');
    expect(result.recommendation).toContain('p = 0.7662');
  });

  it('a clear winner is named, with the interval in percentage points', () => {
    const b = run('B clearly better');
    expect(b.decision).toBe('B_WINS');
    expect(b.additionalSamplesPerArm).toBe(0);
    expect(b.recommendation).toMatch(/^B has the higher success rate: A 10\.00% \(1000\/10000\), B 12\.00% \(1200\/10000\)/);
    expect(b.recommendation).toContain('95% interval +1.13 to +2.87 points');
    const a = run('A clearly better');
    expect(a.decision).toBe('A_WINS');
    expect(a.z).toBeLessThan(0);
    // 1000 per arm < R's 8394 for 0.30 → 0.32: an early win carries a warning.
    expect(a.sampleSizeReached).toBe(false);
    expect(a.recommendation).toContain('planned sample of 8394 per arm was not reached');
  });

  it('TIE needs the interval inside ±minimumEffect and the planned sample reached', () => {
    const tie = run('practically equal');
    expect(tie.decision).toBe('TIE');
    expect(tie.sampleSizeReached).toBe(true);
    expect(tie.effectInterval.lower).toBeGreaterThanOrEqual(-0.02);
    expect(tie.effectInterval.upper).toBeLessThanOrEqual(0.02);
    expect(tie.recommendation).toContain('practically equivalent');
    // Nearly the same rates with a tenth of the data: the plan (R power.prop.test(p1 = 0.5, p2 = 0.52), the
    // "practically equal" row's requiredCall) is not reached, so no TIE however the interval looks.
    const small = decideAB({ a: { successes: 500, total: 1000 }, b: { successes: 501, total: 1000 }, minimumEffect: 0.02 });
    expect(small.decision).toBe('INCONCLUSIVE');
    expect(row('practically equal').requiredSampleSizePerArm).toBe(9806);
    expect(small.additionalSamplesPerArm).toBe(9806 - 1000);
  });

  it('plan reached but interval too wide: INCONCLUSIVE with the equivalence estimate', () => {
    const r = row('reached but unclear');
    const result = run('reached but unclear');
    expect(result.sampleSizeReached).toBe(true);
    // scipy: ceil(norm.isf(0.025)**2 * (0.25 + 0.51·0.49) / (0.02 − 0.01)**2) = 19204 per arm, minus 10000 held.
    expect(r.equivalenceSampleSizePerArm).toBe(19204);
    expect(result.additionalSamplesPerArm).toBe(19204 - 10000);
    expect(result.recommendation).toContain('about 9204 more per arm');
  });

  it('rejects bad input with RangeErrors naming the field', () => {
    const ok = { a: { successes: 1, total: 2 }, b: { successes: 1, total: 2 }, minimumEffect: 0.02 };
    expect(() => decideAB({ ...ok, a: { successes: 60, total: 50 } })).toThrow(/a\.successes must be at most a\.total/);
    expect(() => decideAB({ ...ok, alpha: 2 })).toThrow('alpha must be between 0 and 1 (exclusive), got 2');
    expect(() => decideAB({ ...ok, minimumEffect: 0 })).toThrow(/minimumEffect must be between 0 and 1/);
    expect(() => decideAB({ ...ok, power: 0.01 })).toThrow(/power must be greater than alpha/);
    expect(() => decideAB({ ...ok, a: { successes: 3, total: 5 }, minimumEffect: 0.7 })).toThrow(/no room on either side/);
  });

  it('handles all-failure arms without NaN (z = 0, p = 1)', () => {
    const result = decideAB({ a: { successes: 0, total: 100 }, b: { successes: 0, total: 100 }, minimumEffect: 0.02 });
    expect(result).toMatchObject({ z: 0, pValue: 1, decision: 'INCONCLUSIVE', effect: 0 });
    expect(Number.isFinite(result.requiredSampleSizePerArm)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { ProportionAlternative } from '../../../src/engine/stats/proportions.ts';
import { twoProportionZTest } from '../../../src/engine/stats/proportions.ts';
import fixture from '../../fixtures/proportions.json';
import { expectRelative } from '../../helpers/close.ts';

// Expected values: test/fixtures/proportions.json, written by scripts/reference/proportions.py with
// statsmodels 0.13.5 `proportions_ztest`; each row carries the exact call (shown in the test name).
describe('twoProportionZTest (pooled, as statsmodels proportions_ztest)', () => {
  for (const row of fixture.ztest) {
    it(row.call, () => {
      const result = twoProportionZTest(
        { successes: row.count[0], total: row.nobs[0] },
        { successes: row.count[1], total: row.nobs[1] },
        row.alternative as ProportionAlternative,
      );
      expectRelative(result.z, row.z, 1e-12);
      expectRelative(result.pValue, row.pValue, 1e-11);
    });
  }

  it('the 43/50 vs 44/50 example: z = -0.2974, p = 0.7662', () => {
    // statsmodels 0.13.5 proportions_ztest(count=[43, 44], nobs=[50, 50]) (first fixture row)
    const { z, pValue } = twoProportionZTest({ successes: 43, total: 50 }, { successes: 44, total: 50 });
    expect(z).toBeCloseTo(-0.2973505167250266, 12);
    expect(pValue).toBeCloseTo(0.766198917921233, 12);
  });

  it('returns z = 0, p = 1 (not NaN) when both arms are all failures or all successes', () => {
    // statsmodels returns NaN here (0/0); our documented choice is "no evidence of a difference".
    for (const alternative of ['two-sided', 'larger', 'smaller'] as const) {
      expect(twoProportionZTest({ successes: 0, total: 10 }, { successes: 0, total: 20 }, alternative)).toEqual({ z: 0, pValue: 1 });
      expect(twoProportionZTest({ successes: 7, total: 7 }, { successes: 30, total: 30 }, alternative)).toEqual({ z: 0, pValue: 1 });
    }
  });

  it('rejects impossible counts with a RangeError naming the field', () => {
    expect(() => twoProportionZTest({ successes: 60, total: 50 }, { successes: 1, total: 2 })).toThrow(/first\.successes must be at most/);
    expect(() => twoProportionZTest({ successes: 1, total: 2 }, { successes: 1.5, total: 2 })).toThrow(
      /second\.successes must be a whole number/,
    );
    expect(() => twoProportionZTest({ successes: 0, total: 0 }, { successes: 1, total: 2 })).toThrow(
      /first\.total must be a whole number of at least 1/,
    );
    expect(() => twoProportionZTest({ successes: 1, total: 2 }, { successes: 1, total: 2 }, 'bigger' as ProportionAlternative)).toThrow(
      /alternative/,
    );
  });
});

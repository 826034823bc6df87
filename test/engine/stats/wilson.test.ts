import { describe, expect, it } from 'vitest';
import { newcombeInterval, wilsonInterval } from '../../../src/engine/stats/wilson.ts';
import fixture from '../../fixtures/proportions.json';

// Expected values: test/fixtures/proportions.json (scripts/reference/proportions.py), from statsmodels 0.13.5
// `proportion_confint(method='wilson')` and `confint_proportions_2indep(method='newcomb', compare='diff')`;
// the call is the test name. Absolute tolerance 1e-13 on bounds that lie in [-1, 1].
const close = (actual: number, expected: number): void => {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(1e-13);
};

describe('wilsonInterval', () => {
  for (const row of fixture.wilson) {
    it(row.call, () => {
      const interval = wilsonInterval({ successes: row.successes, total: row.total }, row.alpha);
      close(interval.lower, row.lower);
      close(interval.upper, row.upper);
    });
  }

  it('has bounds exactly at 0 and 1 for all-failure and all-success counts', () => {
    expect(wilsonInterval({ successes: 0, total: 20 }).lower).toBe(0);
    expect(wilsonInterval({ successes: 20, total: 20 }).upper).toBe(1);
    // Rounding used to leave residues such as 3.5e-18 for some totals (0 of 300 among them).
    for (let total = 1; total <= 3000; total++) {
      expect(wilsonInterval({ successes: 0, total }).lower).toBe(0);
      expect(wilsonInterval({ successes: total, total }).upper).toBe(1);
    }
  });

  it('rejects a bad alpha and bad counts', () => {
    expect(() => wilsonInterval({ successes: 1, total: 2 }, 1.5)).toThrow('alpha must be between 0 and 1, got 1.5');
    expect(() => wilsonInterval({ successes: 3, total: 2 })).toThrow(/counts\.successes must be at most/);
  });
});

describe('newcombeInterval (first − second)', () => {
  for (const row of fixture.newcombe) {
    it(row.call, () => {
      const interval = newcombeInterval(
        { successes: row.first[0], total: row.first[1] },
        { successes: row.second[0], total: row.second[1] },
        row.alpha,
      );
      close(interval.lower, row.lower);
      close(interval.upper, row.upper);
    });
  }

  it('reproduces Newcombe (1998) Table II, method 10, examples (a), (e) and (g) to the 4 printed decimals', () => {
    // Newcombe, Stat. Med. 17:873–890, Table II: 56/70−48/80 → 0.0524, 0.3339; 0/10−0/20 → −0.1611, 0.2775;
    // 10/10−0/20 → 0.6791, 1.0000 (the same as statsmodels, above).
    const a = newcombeInterval({ successes: 56, total: 70 }, { successes: 48, total: 80 });
    expect(a.lower).toBeCloseTo(0.0524, 4);
    expect(a.upper).toBeCloseTo(0.3339, 4);
    const e = newcombeInterval({ successes: 0, total: 10 }, { successes: 0, total: 20 });
    expect(e.lower).toBeCloseTo(-0.1611, 4);
    expect(e.upper).toBeCloseTo(0.2775, 4);
    const g = newcombeInterval({ successes: 10, total: 10 }, { successes: 0, total: 20 });
    expect(g.lower).toBeCloseTo(0.6791, 4);
    expect(g.upper).toBeCloseTo(1, 4);
  });

  it('flips sign when the arms are swapped', () => {
    const forward = newcombeInterval({ successes: 44, total: 50 }, { successes: 43, total: 50 });
    const backward = newcombeInterval({ successes: 43, total: 50 }, { successes: 44, total: 50 });
    expect(backward.lower).toBeCloseTo(-forward.upper, 14);
    expect(backward.upper).toBeCloseTo(-forward.lower, 14);
  });
});

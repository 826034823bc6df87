import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizedValue } from '../../../src/engine/routing/bucketing.ts';
import type { FlagConfig } from '../../../src/engine/routing/flag.ts';
import { evaluateFlag, percentageAt } from '../../../src/engine/routing/flag.ts';

/** A small deterministic uniform source (mulberry32) for anonymous traffic. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('evaluateFlag', () => {
  const base: FlagConfig = { name: 'gr1', percentage: 73 };

  it('buckets like Unleash: user 123 of group gr1 is in bucket 73', () => {
    // normalizedValue('123', 'gr1') = 73 (Unleash vector): enabled at 73 %, not at 72 %.
    expect(evaluateFlag(base, { userId: '123' })).toEqual({
      enabled: true,
      variant: 'candidate',
      reason: 'in-rollout',
      bucket: 73,
      percentage: 73,
    });
    expect(evaluateFlag({ ...base, percentage: 72 }, { userId: '123' })).toMatchObject({
      enabled: false,
      variant: 'control',
      reason: 'outside-rollout',
      bucket: 73,
    });
  });

  it('uses the group when given, and the chosen stickiness field', () => {
    const flag: FlagConfig = { name: 'other', group: 'groupX', percentage: 25, stickiness: 'sessionId' };
    expect(evaluateFlag(flag, { userId: 'nobody', sessionId: '999' })).toMatchObject({ enabled: true, bucket: 25 });
    expect(evaluateFlag({ ...flag, percentage: 24 }, { sessionId: '999' })).toMatchObject({ enabled: false, bucket: 25 });
    const byTenant: FlagConfig = { name: 'gr1', percentage: 73, stickiness: 'tenant' };
    expect(evaluateFlag(byTenant, { properties: { tenant: '123' } })).toMatchObject({ enabled: true, bucket: 73 });
  });

  it('applies kill switch, deny, allow and segment targeting in that order', () => {
    const flag: FlagConfig = { name: 'f', percentage: 100, allow: ['qa'], deny: ['vip', 'qa2'], segments: ['eu'] };
    expect(evaluateFlag({ ...flag, killSwitch: true, allow: ['qa'] }, { userId: 'qa', segment: 'eu' }).reason).toBe('kill-switch');
    expect(evaluateFlag({ ...flag, allow: ['vip'] }, { userId: 'vip', segment: 'eu' })).toMatchObject({ enabled: false, reason: 'denied' });
    expect(evaluateFlag({ ...flag, percentage: 0 }, { userId: 'qa', segment: 'us' })).toMatchObject({ enabled: true, reason: 'allowed' });
    expect(evaluateFlag(flag, { userId: 'u1', segment: 'us' })).toMatchObject({ enabled: false, reason: 'segment-not-targeted' });
    expect(evaluateFlag(flag, { userId: 'u1' })).toMatchObject({ enabled: false, reason: 'segment-not-targeted' });
    expect(evaluateFlag(flag, { userId: 'u1', segment: 'eu' })).toMatchObject({ enabled: true, reason: 'in-rollout' });
  });

  it('treats 0 % as nobody and 100 % as everybody', () => {
    for (let i = 0; i < 500; i++) {
      expect(evaluateFlag({ name: 'f', percentage: 0 }, { userId: `u${i}` }).enabled).toBe(false);
      expect(evaluateFlag({ name: 'f', percentage: 100 }, { userId: `u${i}` }).enabled).toBe(true);
    }
  });

  it('follows a schedule and needs the time for it', () => {
    const schedule = [
      { time: 0, percentage: 5 },
      { time: 7200, percentage: 25 },
      { time: 28800, percentage: 50 },
    ];
    expect(percentageAt(schedule, -1)).toBe(0);
    expect(percentageAt(schedule, 0)).toBe(5);
    expect(percentageAt(schedule, 7199)).toBe(5);
    expect(percentageAt(schedule, 7200)).toBe(25);
    expect(percentageAt(schedule, 1e9)).toBe(50);
    const flag: FlagConfig = { name: 'gr1', schedule };
    expect(evaluateFlag(flag, { userId: '123' }, { time: 30000 })).toMatchObject({ enabled: false, bucket: 73, percentage: 50 });
    expect(() => evaluateFlag(flag, { userId: '123' })).toThrow(/options.time is required/);
    expect(() =>
      percentageAt(
        [
          { time: 10, percentage: 5 },
          { time: 5, percentage: 10 },
        ],
        0,
      ),
    ).toThrow(/schedule\[1\].time/);
    expect(() => percentageAt([{ time: 0, percentage: 120 }], 0)).toThrow(/schedule\[0\].percentage must be between 0 and 100, got 120/);
  });

  it('buckets anonymous traffic from the injected random source, reproducibly', () => {
    const flag: FlagConfig = { name: 'f', percentage: 30 };
    expect(evaluateFlag(flag, {})).toMatchObject({ enabled: false, reason: 'anonymous-without-random' });
    expect(evaluateFlag(flag, {}, { random: () => 0.295 })).toMatchObject({ enabled: true, bucket: 30, reason: 'anonymous-in-rollout' });
    expect(evaluateFlag(flag, {}, { random: () => 0.3 })).toMatchObject({ enabled: false, bucket: 31 });
    const run = (seed: number) => {
      const random = mulberry32(seed);
      return Array.from({ length: 50 }, () => evaluateFlag(flag, { userId: '' }, { random }).enabled);
    };
    expect(run(7)).toEqual(run(7));
    // 20 000 anonymous requests at 30 %: the share is Binomial(20 000, 0.3)/20 000, SE = 0.00324;
    // a 5-SE band cannot fail by chance in practice (fixed seed).
    const random = mulberry32(11);
    let enabled = 0;
    for (let i = 0; i < 20000; i++) if (evaluateFlag(flag, {}, { random }).enabled) enabled++;
    expect(Math.abs(enabled / 20000 - 0.3)).toBeLessThan(5 * Math.sqrt((0.3 * 0.7) / 20000));
  });

  it('rejects bad configuration', () => {
    expect(() => evaluateFlag({ name: 'f', percentage: 101 }, { userId: 'a' })).toThrow(
      'flag.percentage must be between 0 and 100, got 101',
    );
    expect(() => evaluateFlag({ name: '', percentage: 1 }, { userId: 'a' })).toThrow(/flag.name/);
  });
});

describe('rollout properties', () => {
  it('is monotone: a user enabled at p % stays enabled at every q ≥ p', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 1 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (userId, name, p, q) => {
          const [low, high] = p <= q ? [p, q] : [q, p];
          const atLow = evaluateFlag({ name, percentage: low }, { userId }).enabled;
          const atHigh = evaluateFlag({ name, percentage: high }, { userId }).enabled;
          return !atLow || atHigh;
        },
      ),
      { numRuns: 2000, seed: 42 },
    );
  });

  it('keeps every user inside 5 % inside at 25 %', () => {
    for (let i = 0; i < 5000; i++) {
      const context = { userId: `user-${i}` };
      if (evaluateFlag({ name: 'canary', percentage: 5 }, context).enabled) {
        expect(evaluateFlag({ name: 'canary', percentage: 25 }, context).enabled).toBe(true);
      }
    }
  });

  it('enables a share close to the percentage over many ids (binomial error)', () => {
    // For N distinct ids a good hash gives Binomial(N, p/100) enabled users: SE = √(p(1−p)/N);
    // assert within 5 SE for several percentages and groups (deterministic inputs).
    const N = 20000;
    for (const [group, percentage] of [
      ['canary', 5],
      ['canary', 25],
      ['ab-test', 50],
      ['x', 90],
    ] as const) {
      let enabled = 0;
      for (let i = 0; i < N; i++) if (normalizedValue(`user-${i}`, group) <= percentage) enabled++;
      const p = percentage / 100;
      expect(Math.abs(enabled / N - p), `${group} at ${percentage}%`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N));
    }
  });

  it('spreads ids evenly over the 100 buckets (χ² goodness of fit, seeded ids)', () => {
    fc.assert(
      fc.property(fc.array(fc.uuid(), { minLength: 3000, maxLength: 3000 }), (ids) => {
        const counts = new Array(100).fill(0);
        for (const id of ids) counts[normalizedValue(id, 'g') - 1]++;
        const expected = ids.length / 100;
        const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
        // χ²(99) 99.9999th percentile: scipy 1.10.1 stats.chi2.ppf(0.999999, 99) = 180.79201532577878.
        return chi2 < 180.79201532577878;
      }),
      { numRuns: 20, seed: 7 },
    );
  });
});

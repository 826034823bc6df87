/**
 * Validation (2): an A/B stage with identical arms, looked at K times.
 *
 * Naive repeated significance testing — a two-sided pooled z-test at the nominal α = 0.05 after
 * each of K equally spaced looks, stopping at the first |z| > 1.96 — declares a winner far more
 * often than α. The exact rates (normal theory) are Armitage, McPherson & Rowe, "Repeated
 * significance tests on accumulating data", JRSS A 132 (1969), reproduced in Jennison &
 * Turnbull, "Group Sequential Methods with Applications to Clinical Trials" (2000), Table 1.1:
 *   K = 1: 0.05, 2: 0.083, 3: 0.107, 4: 0.126, 5: 0.142, 10: 0.193, 20: 0.248.
 * The engine computes the same values exactly (`naiveRepeatedTestingFalsePositiveRate`, the
 * sequential-statistics recursion); the simulated rate must match them within 4 standard errors.
 *
 * The engine itself never peeks naively (its A/B designs are fixed-horizon, group-sequential or
 * always-valid), so the naive K-look rule is applied here to the simulator's A/B windows with
 * the engine's `twoProportionZTest`; what is validated is the simulator's outcome generation
 * (independent binomial successes per arm per window). With the engine's group-sequential design
 * (Lan–DeMets O'Brien–Fleming, K looks) driven through `step`, the winner rate falls back to
 * about α = 0.05.
 */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { streamFor } from '../../src/engine/random/streams.ts';
import { naiveRepeatedTestingFalsePositiveRate } from '../../src/engine/stats/groupSequential.ts';
import { twoProportionZTest } from '../../src/engine/stats/proportions.ts';
import { planPolicy, runReplicate } from '../../src/sim/replicate.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { addOutcome, initSummary, summaryValue } from '../../src/sim/summary.ts';
import { compileWorld } from '../../src/sim/world.ts';

const windowSeconds = 300;
/** About 1,000 outcomes per arm per window: 2,000 requests per window, 50% to the candidate. */
const perWindow = 2000;

function scenario(looks: number) {
  // Identical arms; accuracy 0.5 (largest variance: the normal approximation is at its best).
  const model = { latency: { kind: 'exponential', mean: 100 }, errorRate: 0, accuracy: 0.5 };
  const parsed = parseScenario({
    version: 1,
    name: 'identical arms',
    horizon: (looks + 4) * windowSeconds,
    traffic: { requestsPerSecond: perWindow / windowSeconds, users: { count: 100000 } },
    control: model,
    candidate: model,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

function abPolicy(design: Record<string, unknown>, sampleSize: number): Policy {
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    flag: { name: 'ab-looks' },
    skipCanary: { reason: 'validation test of the A/B stage alone' },
    stages: [
      {
        kind: 'ab',
        traffic: 0.5,
        minDuration: windowSeconds,
        checkInterval: windowSeconds,
        test: { metric: 'successRate', alpha: 0.05, power: 0.8, minimumEffect: 0.05, design: design as never, sampleSize },
        guardrails: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }],
      },
      { kind: 'promote' },
    ],
  };
}

describe('validation: repeated looks at an A/B test of identical arms', () => {
  it('the engine reproduces the published Armitage–McPherson–Rowe rates', () => {
    // Jennison & Turnbull (2000) Table 1.1 (three decimals).
    const published: [number, number][] = [
      [1, 0.05],
      [2, 0.083],
      [3, 0.107],
      [4, 0.126],
      [5, 0.142],
      [10, 0.193],
      [20, 0.248],
    ];
    for (const [looks, rate] of published) expect(naiveRepeatedTestingFalsePositiveRate(looks, 0.05)).toBeCloseTo(rate, 3);
  });

  it.each([2, 5, 10])(
    'K = %i naive looks: the winner rate matches the exact repeated-testing rate',
    (looks) => {
      const world = compileWorld(scenario(looks), 'ab-looks');
      // A fixed design whose horizon is never reached: the windows carry outcomes, the engine never concludes.
      const policy = abPolicy({ type: 'fixed' }, 10_000_000);
      const plan = planPolicy(policy);
      const replicates = 4000;
      let winners = 0;
      for (let i = 0; i < replicates; i++) {
        const totals = { controlSuccesses: 0, controlOutcomes: 0, candidateSuccesses: 0, candidateOutcomes: 0 };
        let declared = false;
        let seen = 0;
        let windows = 0;
        runReplicate(world, policy, plan, streamFor('naive-looks', looks * 1_000_000 + i), {
          mode: 'window',
          onWindow: (_request, metrics) => {
            windows += 1;
            if (declared || seen >= looks) return;
            seen += 1;
            totals.controlSuccesses += metrics.control!.successes!;
            totals.controlOutcomes += metrics.control!.outcomes!;
            totals.candidateSuccesses += metrics.candidate!.successes!;
            totals.candidateOutcomes += metrics.candidate!.outcomes!;
            const { pValue } = twoProportionZTest(
              { successes: totals.candidateSuccesses, total: totals.candidateOutcomes },
              { successes: totals.controlSuccesses, total: totals.controlOutcomes },
              'two-sided',
            );
            if (pValue < 0.05) declared = true;
          },
        });
        expect(windows).toBe(looks + 4); // the engine never concluded: every window was simulated
        if (declared) winners += 1;
      }
      const exact = naiveRepeatedTestingFalsePositiveRate(looks, 0.05);
      const rate = winners / replicates;
      const standardError = Math.sqrt((exact * (1 - exact)) / replicates);
      expect(Math.abs(rate - exact), `simulated ${rate} vs exact ${exact} (SE ${standardError})`).toBeLessThan(4 * standardError);
    },
    120_000,
  );

  it('K = 5 looks with the group-sequential design: the winner rate falls back to about α', () => {
    const looks = 5;
    // Plan the maximum information at K windows' worth of outcomes, a little less than expected,
    // so that look k happens at window k.
    const policy = abPolicy({ type: 'groupSequential', looks, spending: 'obrienFleming' }, Math.floor(0.97 * looks * perWindow * 0.5));
    const world = compileWorld(scenario(looks), 'ab-looks');
    const plan = planPolicy(policy);
    const replicates = 2500; // each look recomputes the Lan–DeMets boundary (≈ 2 ms)
    const state = initSummary();
    for (let i = 0; i < replicates; i++)
      addOutcome(state, runReplicate(world, policy, plan, streamFor('sequential-looks', i), { mode: 'window' }));
    const summary = summaryValue(state);
    expect(summary.candidateWinRate.total).toBe(replicates);
    const winners = summary.candidateWinRate.count + summary.controlWinRate.count;
    const rate = winners / replicates;
    const standardError = Math.sqrt((0.05 * 0.95) / replicates);
    expect(Math.abs(rate - 0.05), `group-sequential winner rate ${rate} (SE ${standardError})`).toBeLessThan(4 * standardError);
    // And far below the naive rate for the same K (0.142).
    expect(rate).toBeLessThan(naiveRepeatedTestingFalsePositiveRate(looks, 0.05) - 6 * standardError);
  }, 300_000);
});

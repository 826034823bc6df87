/**
 * The failure-counting modes through the simulator: the exact evaluator (src/sim/exact) and both
 * Monte-Carlo modes, which run the engine's controller (src/engine/controller/step.ts), against
 * values computed independently with scipy (scripts/reference/failure_counting.py, Debian's
 * python3-scipy 1.10.1).
 *
 * The hand case of test/sim/exact/evaluateExact.test.ts: a full stage serving Λ = 1,500 requests
 * per 5-minute check, identical models with 0.1% errors, an absolute limit of 0.2% on the window's
 * error rate, 24 passing checks (2 h) to promote; each check fails independently with
 *   q = Σ_n Poisson(n; 1500) · P(Binomial(n, 0.001) > 0.002 n) = 0.1260267928063563 (scipy).
 * P(rollback) by mode (the script's Markov chains over the checks):
 *   total, limit 3       = binom.sf(2, 26, q) (3 failures among the first 26 checks) = 0.6533290241288613;
 *   consecutive, limit 3 = 0.04694989460577996 (runs);
 *   mOfN, 3 of 5         = 0.17857414501505414; 2 of 4 = 0.5701388977693063.
 * Chain-only cases, per-check laws (hold, pass, fail) = (0.4757169861063216, 0.45315642107582066,
 * 0.07112659281786392) (stageChain.test.ts case D), 5-minute checks:
 *   two 1-hour canaries, total limit 2: scope 'stage' 0.7912538148730712, scope 'rollout' 0.8713609771743139;
 *   one 1-hour canary, consecutive 2, onNoData 'fail': 0.9859286927977329;
 *   the same with a 3-hour maximum (onMaxDuration rollback): onNoData 'hold' 0.22565933463467194,
 *   'inconclusive' with inconclusiveLimit 5 (pauses at the 5th quiet window) 0.9718349397661308;
 *   mOfN 2 of 3, onNoData 'hold', no maximum: 0.3071574042679798.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/engine/controller/compilePolicy.ts';
import type { Guards, Policy } from '../../src/engine/policy/policy.ts';
import type { ExactResult } from '../../src/sim/exact/evaluateExact.ts';
import { evaluateExact } from '../../src/sim/exact/evaluateExact.ts';
import { exactSupport } from '../../src/sim/exact/exactSupport.ts';
import { exactSummary } from '../../src/sim/exact/exactTally.ts';
import type { ChainLaws } from '../../src/sim/exact/stageChain.ts';
import { runStageChain } from '../../src/sim/exact/stageChain.ts';
import { simulate } from '../../src/sim/runner.ts';
import type { Scenario } from '../../src/sim/scenario.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import type { FidelityMode } from '../../src/sim/windowRequest.ts';
import { compileWorld } from '../../src/sim/world.ts';
import { handScenario } from '../helpers/exactChainCases.ts';

/** The hand policy (evaluateExact.test.ts) with the full stage's counting guards. */
function handPolicy(guards: Guards): Policy {
  return {
    version: 1,
    baseline: { mode: 'historical' },
    guards: { minRequests: 100, ...guards },
    flag: { name: 'hand' },
    stages: [
      { kind: 'baseline', minDuration: '5m', minRequests: 1, checkInterval: '5m' },
      {
        kind: 'canary',
        traffic: 0.05,
        minDuration: '5m',
        checkInterval: '5m',
        guards: { minRequests: 1 },
        rules: [{ type: 'absolute', metric: 'errorRate', max: 1 }],
      },
      { kind: 'full', minDuration: '2h', checkInterval: '5m', rules: [{ type: 'absolute', metric: 'errorRate', max: 0.002 }] },
      { kind: 'promote' },
    ],
  } as Policy;
}

function exact(policy: Policy): ExactResult {
  const result = evaluateExact(handScenario('7d', 5), policy);
  if (!result.supported) throw new Error(`unsupported: ${result.features.join('; ')}`);
  return result;
}

/** |Monte-Carlo − exact| < 4 standard errors of a rate over `replicates` (seeded). */
function expectWithinFourStandardErrors(policy: Policy, p: number, replicates: number, mode: FidelityMode, seed: string): void {
  const simulated = simulate(handScenario('7d', 5), policy, { replicates, seed, mode });
  const standardError = Math.sqrt((p * (1 - p)) / replicates);
  expect(Math.abs((simulated.falseRollbackRate.rate as number) - p)).toBeLessThan(4 * standardError);
}

const cases: { name: string; guards: Guards; p: number }[] = [
  { name: 'total, limit 3 (binomial tail)', guards: { failureCounting: 'total', failureLimit: 3 }, p: 0.6533290241288613 },
  { name: 'consecutive, limit 3 (runs)', guards: { failureCounting: 'consecutive', failureLimit: 3 }, p: 0.04694989460577996 },
  { name: 'mOfN, 3 of 5', guards: { failureCounting: 'mOfN', failureLimit: 3, failureWindow: 5 }, p: 0.17857414501505414 },
  { name: 'mOfN, 2 of 4', guards: { failureCounting: 'mOfN', failureLimit: 2, failureWindow: 4 }, p: 0.5701388977693063 },
];

describe('failure counting: the exact evaluator against scipy', () => {
  for (const { name, guards, p } of cases) {
    it(`${name}: P(false rollback) = ${p}`, () => {
      const { summary } = exact(handPolicy(guards));
      expect(Math.abs((summary.falseRollbackRate.rate as number) - p)).toBeLessThan(1e-9);
      expect(summary.neglectedMass).toBeLessThan(1e-9);
    });
  }
});

describe('failure counting: the Monte-Carlo modes run the controller and agree within 4 standard errors', () => {
  for (const { name, guards, p } of cases.slice(0, 3)) {
    it(`windowed, ${name}`, () => expectWithinFourStandardErrors(handPolicy(guards), p, 1500, 'window', `counting-${name}`));
  }
  it('per-request, mOfN 2 of 4', () => {
    expectWithinFourStandardErrors(handPolicy(cases[3].guards), cases[3].p, 300, 'request', 'counting-per-request');
  });
});

describe('failure scope and no data in the chain (constant per-check laws)', () => {
  const law = { hold: 0.4757169861063216, pass: 0.45315642107582066, fail: 0.07112659281786392 };
  const laws: ChainLaws = {
    healthCheck: () => law,
    shadowGates: () => ({ hold: 0, pass: 1, fail: 0 }),
    servedRequests: () => ({ requests: 30, errors: 0.6, arrivals: 600 }),
  };
  const world = compileWorld(handScenario('30d', 5), 'counting');

  function canaries(guards: Guards, count: number, maxDuration?: string): Policy {
    const canary = (traffic: number) => ({
      kind: 'canary',
      traffic,
      minDuration: '1h',
      checkInterval: '5m',
      ...(maxDuration ? { maxDuration } : {}),
      rules: [{ type: 'absolute', metric: 'errorRate', max: 0.05 }],
    });
    return {
      version: 1,
      baseline: { mode: 'concurrent' },
      guards: { minRequests: 30, ...guards },
      stages: [...[0.05, 0.2].slice(0, count).map(canary), { kind: 'promote' }],
    } as Policy;
  }

  function rollback(policy: Policy): number {
    const summary = exactSummary(runStageChain(world, compilePolicy(policy), laws));
    return summary.rollbackRate.rate as number;
  }

  it("total limit 2 over two canaries: scope 'stage' 0.7912538148730712, 'rollout' 0.8713609771743139", () => {
    expect(rollback(canaries({ failureCounting: 'total', failureLimit: 2 }, 2))).toBeCloseTo(0.7912538148730712, 9);
    expect(rollback(canaries({ failureCounting: 'total', failureLimit: 2, failureScope: 'rollout' }, 2))).toBeCloseTo(
      0.8713609771743139,
      9,
    );
  });

  it("onNoData 'fail': a quiet window is a failing check: 0.9859286927977329", () => {
    expect(rollback(canaries({ failureLimit: 2, onNoData: 'fail' }, 1))).toBeCloseTo(0.9859286927977329, 9);
  });

  it("a 3-hour maximum: 'hold' 0.22565933463467194; 'inconclusive' pausing at 5 quiet windows 0.9718349397661308", () => {
    expect(rollback(canaries({ failureLimit: 2 }, 1, '3h'))).toBeCloseTo(0.22565933463467194, 9);
    expect(rollback(canaries({ failureLimit: 2, onNoData: 'inconclusive', inconclusiveLimit: 5 }, 1, '3h'))).toBeCloseTo(
      0.9718349397661308,
      9,
    );
  });

  it('mOfN 2 of 3 skips held checks: 0.3071574042679798', () => {
    expect(rollback(canaries({ failureCounting: 'mOfN', failureLimit: 2, failureWindow: 3 }, 1))).toBeCloseTo(0.3071574042679798, 9);
  });
});

describe('what the exact evaluator refuses', () => {
  // Σ_{k<10} C(30, k) = 22,964,087 live patterns (Python math.comb); 3 of 30: 466.
  it('M-of-N windows with too many live patterns, by name', () => {
    const support = exactSupport(handScenario('7d', 5), handPolicy({ failureCounting: 'mOfN', failureLimit: 10, failureWindow: 30 }));
    expect(support.supported).toBe(false);
    if (!support.supported)
      expect(support.features[0]).toMatch(/^M-of-N failure counting with 10 of 30 \(stage 1 'canary 5%': 22964087 patterns/);
    expect(exactSupport(handScenario('7d', 5), handPolicy({ failureCounting: 'mOfN', failureLimit: 3, failureWindow: 30 }))).toEqual({
      supported: true,
    });
  });
});

describe('no data through a real scenario: the exact evaluator and the windowed Monte-Carlo mode agree', () => {
  // 0.1 req/s: the full stage sees Λ = 30 requests per 5-minute window against minRequests 30, so
  // about half the windows are quiet; 2% errors against an absolute limit of 5%.
  function quietScenario(): Scenario {
    const model = { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate: 0.02 };
    const parsed = parseScenario({
      version: 1,
      name: 'quiet',
      horizon: '2d',
      traffic: { requestsPerSecond: 0.1, users: { count: 1000 } },
      control: model,
      candidate: model,
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return parsed.scenario;
  }

  function quietPolicy(guards: Guards): Policy {
    const policy = handPolicy({ failureLimit: 2, ...guards });
    policy.guards = { ...policy.guards, minRequests: 30 };
    const stages = policy.stages as unknown as Record<string, unknown>[];
    // The one-window canary (5% of 0.1 req/s) only holds on a quiet window; the full stage has a 4-hour maximum.
    stages[1] = { ...stages[1], guards: { minRequests: 1, onNoData: 'hold' } };
    stages[2] = { ...stages[2], maxDuration: '4h', rules: [{ type: 'absolute', metric: 'errorRate', max: 0.05 }] };
    return policy;
  }

  // Limits chosen so that each rate is far from 0 and 1 (the exact evaluator's values: 'fail' with
  // 6 consecutive 0.7468, 'inconclusive' pausing at 14 then rolling back at 4 h 0.9719, 'hold'
  // 0.7575 — stageChain.test.ts case D's law, there checked against scipy): the laws' hold is the
  // controller's too-little-data outcome, so the two modes must agree on each.
  for (const guards of [
    { onNoData: 'fail', failureLimit: 6 },
    { onNoData: 'inconclusive', inconclusiveLimit: 14 },
    { onNoData: 'hold' },
  ] as Guards[]) {
    it(`onNoData '${guards.onNoData}'`, () => {
      const policy = quietPolicy(guards);
      const result = evaluateExact(quietScenario(), policy);
      if (!result.supported) throw new Error(result.features.join('; '));
      const p = result.summary.falseRollbackRate.rate as number;
      expect(result.summary.neglectedMass).toBeLessThan(1e-6);
      const replicates = 1500;
      const simulated = simulate(quietScenario(), policy, { replicates, seed: `quiet-${guards.onNoData}`, mode: 'window' });
      const standardError = Math.sqrt((p * (1 - p)) / replicates);
      expect(Math.abs((simulated.falseRollbackRate.rate as number) - p)).toBeLessThan(4 * Math.max(standardError, 1 / replicates));
    });
  }
});

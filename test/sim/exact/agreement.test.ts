/**
 * The exact evaluator agrees with the Monte-Carlo modes on the worlds of `scenarios/` and
 * `scenarios/library/` (traffic, daily cycle, models, faults, users): for each (scenario, policy)
 * pair checked, the windowed mode's rollback, promote and undecided rates and (where defined)
 * false-rollback and missed-regression rates must lie within 4 Monte-Carlo standard errors of the
 * exact values, |r̂ − p| ≤ 4·√(p(1 − p)/n) (an exact p of 0 or 1 must be met exactly), and one pair
 * is also simulated per request (two: a historical one and the shadow). The default policy's A/B stage is evaluated by the normal law
 * of its z statistic (abTestLaw.ts; its own agreement test is test/sim/exact/abTestLaw.test.ts), and with an always-valid design it is
 * refused on every scenario (its shadow stage is exact, shadowGateLaw.ts), so the pairs use five others: stricter, looser, a concurrent-baseline one with two
 * canaries, a shadow stage (gate at 95% agreement) before a canary, and a short historical one. The
 * shadow policy over every scenario (EXACT_AGREEMENT_ALL=1 -t '× shadow'): 18 pairs, all passing, in
 * 19 s at 16:20 UTC on 2026-12-04 — covered with a neglected mass ≤ 4.4e-9 except ab-test-tiny-samples
 * and ab-metrics-longer-answers (their p95 laws too close to the gate's 1.5×: refused, naming it)
 * and drift-after-three-months (input drift); identical-candidate is the one where the agreement
 * gate is not decided (P(rollback) = 0.4996), the others roll back or pass surely.
 *
 * Monte-Carlo error: n = 400 windowed replicates per pair — the standard error of a rate near 0.5
 * is 0.025 (0.1 at 4 SE), near 0.05 it is 0.011; 50 per-request replicates (SE up to 0.07). With
 * about 40 rate comparisons, a 4-SE band keeps the chance of a false alarm from sampling below 0.3%.
 * Run time of the default pairs: 18 s on this 2-core machine (load 8; the concurrent laws dominate).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { evaluateExact } from '../../../src/sim/exact/evaluateExact.ts';
import { simulate } from '../../../src/sim/runner.ts';
import type { Scenario } from '../../../src/sim/scenario.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import type { RateEstimate, SimulationSummary } from '../../../src/sim/summary.ts';
import { alwaysValidDefaultPolicy } from '../../helpers/alwaysValidDefaultPolicy.ts';
import { concurrentTwoCanaries, shadowThenCanary } from '../../helpers/exactChainCases.ts';

/**
 * The policies every scenario is judged with (besides the default). Their rules are those the
 * laws sum fastest — error ratio (against the window's control or the historical baseline) and
 * absolute latency limits — and their stages short: with a daily cycle every window has its own
 * law, and a concurrent ratio check costs seconds to sum on this machine (healthCheckLaw.ts).
 */
const policies: Record<string, Policy> = {
  stricter: {
    version: 1,
    name: 'stricter',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, failureLimit: 1 },
    stages: [
      {
        kind: 'canary',
        traffic: 0.05,
        minDuration: '30m',
        checkInterval: '5m',
        rules: [
          { type: 'ratio', metric: 'errorRate', maxRatio: 1.5 },
          { type: 'absolute', metric: 'latencyP95', max: 1000 },
        ],
      },
      { kind: 'promote' },
    ],
  } as Policy,
  looser: {
    version: 1,
    name: 'looser',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 50, failureLimit: 2 },
    stages: [
      {
        kind: 'canary',
        traffic: 0.1,
        minDuration: '30m',
        checkInterval: '10m',
        rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 3 }],
      },
      { kind: 'promote' },
    ],
  } as Policy,
  concurrent: concurrentTwoCanaries,
  shadow: shadowThenCanary(),
  historical: {
    version: 1,
    name: 'short historical',
    baseline: { mode: 'historical' },
    guards: { minRequests: 100, failureLimit: 1 },
    stages: [
      { kind: 'baseline', minDuration: '2h', minRequests: 1000, checkInterval: '5m' },
      {
        kind: 'canary',
        traffic: 0.05,
        minDuration: '1h',
        checkInterval: '5m',
        rules: [
          { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
          { type: 'absolute', metric: 'latencyP95', max: 2000 },
        ],
      },
      {
        kind: 'full',
        minDuration: '30m',
        checkInterval: '5m',
        rules: [
          { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
          { type: 'absolute', metric: 'latencyP95', max: 2000 },
        ],
      },
      { kind: 'promote' },
    ],
  } as Policy,
};

function scenarios(): [string, Scenario][] {
  const found: [string, Scenario][] = [];
  for (const folder of ['scenarios', 'scenarios/library']) {
    for (const name of readdirSync(folder).filter(
      (file) => file.endsWith('.json') && !file.endsWith('schema.json') && !file.includes('policy'),
    )) {
      const json = JSON.parse(readFileSync(join(folder, name), 'utf8'));
      if (json.traffic?.arrivals?.file !== undefined) continue; // a trace file: covered by the replay tests, not read here
      const parsed = parseScenario(json);
      if (parsed.ok) found.push([`${folder}/${name}`, parsed.scenario]);
    }
  }
  return found;
}

function expectAgreement(label: string, simulated: RateEstimate, exact: RateEstimate): void {
  if (exact.rate === null || simulated.rate === null || simulated.total === 0) return;
  const p = exact.rate;
  const n = simulated.total;
  if (p < 1e-9 || p > 1 - 1e-9) {
    expect(simulated.rate, `${label}: exact ${p}, simulated ${simulated.count}/${n}`).toBeCloseTo(p, 9);
    return;
  }
  const standardError = Math.sqrt((p * (1 - p)) / n);
  expect(
    Math.abs(simulated.rate - p),
    `${label}: exact ${p}, simulated ${simulated.rate} (${simulated.count}/${n}, SE ${standardError})`,
  ).toBeLessThanOrEqual(4 * standardError);
}

function compare(label: string, simulated: SimulationSummary, exact: SimulationSummary): void {
  expectAgreement(`${label} rollback`, simulated.rollbackRate, exact.rollbackRate);
  expectAgreement(`${label} promote`, simulated.promoteRate, exact.promoteRate);
  expectAgreement(`${label} undecided`, simulated.undecidedRate, exact.undecidedRate);
  expectAgreement(`${label} false rollback`, simulated.falseRollbackRate, exact.falseRollbackRate);
  expectAgreement(`${label} missed regression`, simulated.missedRegressionRate, exact.missedRegressionRate);
}

/**
 * The pairs checked by default: every kind of world the library has (identical, regressed, a
 * burst fault, outages under a daily cycle, a step fault) with each non-default policy at least
 * once — kept to about a minute, because with a daily cycle every window has its own law and a
 * concurrent ratio check costs seconds to sum. `EXACT_AGREEMENT_ALL=1` checks every scenario ×
 * every policy: 17 scenarios (the replayed trace file is not read here) × 4 policies, 70 tests, all
 * passing, in 449 s on this 2-core machine at 14:05 UTC on 2026-12-04 (drift-after-three-months is
 * refused for its input drift; every other pair is covered).
 */
const defaultPairs: [string, string][] = [
  ['scenarios/identical-candidate.json', 'historical'],
  ['scenarios/error-regression.json', 'historical'],
  ['scenarios/library/untested-rollback.json', 'historical'],
  ['scenarios/library/daily-cycle-historical-baseline.json', 'historical'],
  ['scenarios/library/no-rollback-plan.json', 'stricter'],
  ['scenarios/library/canary-without-metrics.json', 'looser'],
  ['scenarios/error-regression.json', 'concurrent'],
  ['scenarios/identical-candidate.json', 'shadow'],
  ['scenarios/library/shadow-agreement-70.json', 'shadow'],
];

describe('the exact evaluator agrees with the Monte-Carlo modes', () => {
  const all = scenarios();
  const everything = process.env.EXACT_AGREEMENT_ALL === '1';
  const pairs: [string, string][] = everything
    ? all.flatMap(([name]) => Object.keys(policies).map((policy) => [name, policy] as [string, string]))
    : defaultPairs;

  it.each(pairs)(
    '%s × %s (windowed)',
    (name, policyName) => {
      const scenario = all.find(([file]) => file === name)![1];
      const policy = policies[policyName];
      // The historical policy's baseline discretisation is estimated at ~1e-4 (evaluateExact.ts) and
      // refused at the default 1e-6; 1e-3 is still far below 4 standard errors of 400 replicates.
      const tolerance = policyName === 'historical' ? 1e-3 : 1e-6;
      const result = evaluateExact(scenario, policy, { maxNeglected: tolerance });
      if (!result.supported) {
        // Only the scenario's own features may refuse (e.g. input drift), and a shadow gate the
        // scenario puts near its threshold (shadowGateLaw.ts bounds it or names it); the policies are covered.
        expect(
          result.features.every((feature) => feature.startsWith('input drift') || /^shadow .* near its threshold$/.test(feature)),
          result.features.join('; '),
        ).toBe(true);
        return;
      }
      expect(result.summary.neglectedMass).toBeLessThan(tolerance);
      const simulated = simulate(scenario, policy, { replicates: 400, seed: `exact-agreement ${name} ${policyName}`, mode: 'window' });
      compare(`${name} × ${policyName} (windowed)`, simulated, result.summary);
    },
    600_000,
  );

  it('refuses the default policy with an always-valid A/B design on every scenario, naming it', () => {
    for (const [name, scenario] of all) {
      const result = evaluateExact(scenario, alwaysValidDefaultPolicy());
      expect(result.supported, name).toBe(false);
      if (!result.supported)
        expect(
          result.features.some((feature) => feature.startsWith('always-valid A/B design')),
          name,
        ).toBe(true);
    }
  });

  it('agrees with the per-request mode on a cheap pair', () => {
    const name = 'scenarios/library/untested-rollback.json';
    const scenario = all.find(([file]) => file === name)![1];
    const policy = policies.historical;
    const result = evaluateExact(scenario, policy, { maxNeglected: 1e-3 });
    expect(result.supported).toBe(true);
    if (!result.supported) return;
    const simulated = simulate(scenario, policy, { replicates: 50, seed: `exact-agreement per request ${name}`, mode: 'request' });
    compare(`${name} × historical (per request)`, simulated, result.summary);
  }, 600_000);

  it('agrees with the per-request mode on a shadow stage whose agreement gate sits on the candidate’s agreement', () => {
    // identical-candidate.json: agreement 0.95 against the gate > 0.95 — P(rollback in shadow) ≈ 0.5,
    // the per-request mode comparing each mirrored request. 30 replicates: SE 0.09 at p = 0.5.
    const name = 'scenarios/identical-candidate.json';
    const scenario = all.find(([file]) => file === name)![1];
    const result = evaluateExact(scenario, policies.shadow);
    expect(result.supported).toBe(true);
    if (!result.supported) return;
    const simulated = simulate(scenario, policies.shadow, {
      replicates: 30,
      seed: `exact-agreement per request shadow ${name}`,
      mode: 'request',
    });
    compare(`${name} × shadow (per request)`, simulated, result.summary);
  }, 600_000);
});

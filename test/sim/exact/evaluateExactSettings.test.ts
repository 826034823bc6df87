/**
 * Several settings in one vector chain run (`evaluateExactSettings`, src/sim/exact/evaluateExact.ts)
 * give each setting the answer it gets alone, and the evaluator's one run over the baseline's
 * n + n/2 + n/4 nodes gives the node averages of separate runs per node (the evaluator before the
 * vector chain: one `runStageChain` per node). Setup: bench/exact.ts's — the lab's worlds
 * (scenarios/identical-candidate.json, and the same with 3× the candidate's errors), the framework
 * default without its shadow and A/B stages, latency and timeout ratio rules as absolute limits,
 * at a tolerance of 1e-2 (the discretisation estimate is ~1e-3 here) — at two error-ratio
 * thresholds. Tolerance 1e-12 on probabilities, relative 1e-12 on expectations: each column is
 * pruned as its own run prunes, and only the order in which merged states are summed can differ.
 *
 * Measured when the vector chain replaced the node loop (2026-12-04): the six answers at
 * thresholds 1.5, 2.084 and 3.5 printed by a build of the working tree at 17:58 UTC (commit
 * ccbe0c6, the node loop of `runStageChain` runs) and by one at 18:10 UTC (the vector chain, commit
 * a7e578b's evaluator) agreed within 1e-13 on every outcome probability and exposure.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coveredPolicy, labWorlds } from '../../../bench/labExactSetup.ts';
import { compilePolicy } from '../../../src/engine/controller/compilePolicy.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { baselineLaw } from '../../../src/sim/exact/baselineLaw.ts';
import type { ExactResult } from '../../../src/sim/exact/evaluateExact.ts';
import { baselineLawKey, evaluateExact, evaluateExactSettings, scenarioWorlds } from '../../../src/sim/exact/evaluateExact.ts';
import { exactChainLaws } from '../../../src/sim/exact/exactChainLaws.ts';
import type { ExactTally } from '../../../src/sim/exact/exactTally.ts';
import { columnTally, emptyTally, mergeTally } from '../../../src/sim/exact/exactTally.ts';
import { runVectorChain } from '../../../src/sim/exact/vectorChain.ts';
import { flagGroup } from '../../../src/sim/runner.ts';
import type { Scenario } from '../../../src/sim/scenario.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import { withParameter } from '../../../src/sim/sweep.ts';
import { compileWorld } from '../../../src/sim/world.ts';
import { shadowThenCanary } from '../../helpers/exactChainCases.ts';

const worlds = labWorlds();

/** bench/exact.ts's covered policy at error-ratio threshold `errorRatio` (the lab's worlds have no timeouts: the timeout limit is 0 × its ratio). */
function coveredAt(errorRatio: number): Policy {
  return withParameter(coveredPolicy(0), 'errorRatio', errorRatio);
}

function expectSameAnswer(actual: ExactTally, expected: ExactTally): void {
  for (const field of ['rollback', 'promote', 'undecided', 'worse', 'falseRollback', 'missedRegression', 'neglected'] as const)
    expect(Math.abs(actual[field] - expected[field]), field).toBeLessThanOrEqual(1e-12);
  for (const field of ['requestsServedWhileWorse', 'usersServedWhileWorse', 'candidateRequests', 'failedRequests'] as const)
    expect(Math.abs(actual[field] - expected[field]), field).toBeLessThanOrEqual(1e-12 * Math.max(1, expected[field]));
  for (const [time, mass] of expected.detectionTimes)
    expect(Math.abs((actual.detectionTimes.get(time) ?? 0) - mass), `detection at ${time}`).toBeLessThanOrEqual(1e-12);
}

const options = { maxNeglected: 1e-2 };
const thresholds = [1.5, 3.5];

describe('evaluateExactSettings on the lab bench setup', () => {
  for (const [name, scenario] of [
    ['healthy', worlds.healthy],
    ['regressed', worlds.regressed],
  ] as const) {
    it(`${name}: two thresholds in one run are each the answer alone`, () => {
      const together = evaluateExactSettings(scenario, thresholds.map(coveredAt), options);
      for (const [index, errorRatio] of thresholds.entries()) {
        const alone = evaluateExact(scenario, coveredAt(errorRatio), options) as ExactResult;
        const setting = together[index] as ExactResult;
        expect(alone.supported && setting.supported).toBe(true);
        expect(setting.baselineNodes).toBe(16);
        expectSameAnswer(setting.tally, alone.tally);
      }
      // The thresholds matter: the looser one rolls back less.
      expect((together[1] as ExactResult).tally.rollback).toBeLessThan((together[0] as ExactResult).tally.rollback);
    });
  }

  it('the n-node average is the average of separate runs, one per node (the evaluator before the vector chain)', () => {
    const scenario = worlds.regressed;
    const policy = coveredAt(2);
    const compiled = compilePolicy(policy);
    const world = compileWorld(scenario, 'lab');
    const law = baselineLaw(world, compiled, { nodes: 16 });
    const separate = emptyTally();
    for (const node of law.nodes)
      mergeTally(
        separate,
        columnTally(runVectorChain(world, [{ compiled, laws: exactChainLaws(world, compiled, node.reference) }]), 0),
        node.weight,
      );
    const result = evaluateExact(scenario, policy, { ...options, world }) as ExactResult;
    expect(result.supported).toBe(true);
    // The evaluator adds the law's and the discretisation's neglected mass to the chain's.
    const chainOnly = { ...result.tally, neglected: separate.neglected };
    expectSameAnswer(chainOnly, separate);
    expect(result.tally.neglected).toBeGreaterThan(separate.neglected);
  });
});

describe('the worlds kept per scenario object (scenarioWorlds)', () => {
  /** identical-candidate.json parsed afresh (agreement 0.95, 100 req/s, daily cycle). */
  function identical(): Scenario {
    const parsed = parseScenario(JSON.parse(readFileSync('scenarios/identical-candidate.json', 'utf8')));
    if (!parsed.ok) throw new Error('identical-candidate.json does not parse');
    return parsed.scenario;
  }
  // The shadow gate on the candidate's agreement (P(pass) near 1/2): the shadow law's memo is per
  // world, so a kept world serves it to the next question.
  const policies = [shadowThenCanary(0.95)];

  it('are kept while the scenario is unchanged, and a warm answer is the cold one to the bit', () => {
    const source = identical();
    const cold = evaluateExactSettings(identical(), policies);
    const worlds = scenarioWorlds(source);
    const first = evaluateExactSettings(source, policies);
    expect(scenarioWorlds(source)).toBe(worlds);
    expect(worlds.size).toBe(1); // the policy's flag group
    const warm = evaluateExactSettings(source, policies);
    expect(first).toEqual(cold); // Object.is per number
    expect(warm).toEqual(cold);
    const rollback = (warm[0] as ExactResult).summary.rollbackRate.rate as number;
    expect(rollback).toBeGreaterThan(0.45);
    expect(rollback).toBeLessThan(0.55);
  }, 60_000);

  it('are compiled again when the scenario is edited in place (no stale world or memo)', () => {
    const source = identical();
    const before = evaluateExactSettings(source, policies);
    const worlds = scenarioWorlds(source);
    // The candidate's latency law is compiled into the world: doubled p95, the shadow's 1.5× p95 gate fails surely.
    (source.candidate.latency as { p95: number }).p95 = 800;
    expect(scenarioWorlds(source)).not.toBe(worlds);
    const edited = evaluateExactSettings(source, policies);
    expect(edited).toEqual(evaluateExactSettings(structuredClone(source), policies));
    expect((edited[0] as ExactResult).summary.rollbackRate.rate).toBe(1);
    expect((before[0] as ExactResult).summary.rollbackRate.rate).toBeLessThan(0.55);
  }, 60_000);
});

describe('the baseline laws shared by settings (baselineLawKey)', () => {
  it('names what baselineLaw reads: equal keys give equal laws, a threshold does not change the key', () => {
    const world = compileWorld(worlds.healthy, flagGroup(coveredAt(1.5)));
    const [a, b] = [coveredAt(1.5), coveredAt(3.5)].map((policy) => compilePolicy(policy));
    expect(baselineLawKey(a, 16)).toBe(baselineLawKey(b, 16));
    // The contract the evaluator's sharing rests on: computed separately, the two laws are equal
    // (Object.is per number), nodes, weights, references and all.
    const [lawA, lawB] = [a, b].map((compiled) => baselineLaw(world, compiled, { nodes: 16 }));
    expect(lawB).toEqual(lawA);
    expect(lawA.nodes.length).toBeGreaterThan(4);
  });

  it('a ratio rule’s metric, the baseline stage or the node count changes the key', () => {
    const base = compilePolicy(coveredAt(1.5));
    const key = baselineLawKey(base, 16);
    expect(baselineLawKey(base, 8)).not.toBe(key);
    // The covered policy's one historical ratio rule is on the error rate: as an absolute limit the
    // reference carries no error-rate law.
    const absolute = structuredClone(coveredAt(1.5)) as any;
    for (const stage of absolute.stages)
      for (const rule of stage.rules ?? [])
        if (rule.type === 'ratio') {
          rule.type = 'absolute';
          rule.max = 0.02;
          delete rule.maxRatio;
        }
    expect(baselineLawKey(compilePolicy(absolute), 16)).not.toBe(key);
    const longerBaseline = structuredClone(coveredAt(1.5)) as any;
    longerBaseline.stages[0].minDuration = '36h';
    expect(baselineLawKey(compilePolicy(longerBaseline), 16)).not.toBe(key);
  });
});

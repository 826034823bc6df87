/**
 * The vector chain (src/sim/exact/vectorChain.ts) is the scalar chain run for many columns at
 * once. Identity first: with one column it must give `runStageChain`'s tally (stageChain.ts) to
 * 1e-12 on the chain test's cases (stageChain.test.ts: the issue's hand cases A–D and the kill
 * switch, constant per-check laws from scipy), on every failure-counting mode with constant laws,
 * and with the real laws (exactChainLaws.ts) on the agreement test's policies
 * (agreement.test.ts: stricter, looser, two concurrent canaries, a shadow stage, a historical
 * baseline at one node of its law) in the lab's healthy and regressed worlds, and a slow leak
 * (the candidate's time served in the key). Then several columns: each column's tally must be
 * the separate run's, for the historical baseline's nodes and for different thresholds; columns
 * whose chain structure differs are refused with the field named.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CompiledPolicy } from '../../../src/engine/controller/compilePolicy.ts';
import { compilePolicy } from '../../../src/engine/controller/compilePolicy.ts';
import type { Guards, Policy } from '../../../src/engine/policy/policy.ts';
import { baselineLaw } from '../../../src/sim/exact/baselineLaw.ts';
import type { CheckProbabilities } from '../../../src/sim/exact/checkLaw.ts';
import { exactChainLaws } from '../../../src/sim/exact/exactChainLaws.ts';
import type { ExactTally } from '../../../src/sim/exact/exactTally.ts';
import { columnTally } from '../../../src/sim/exact/exactTally.ts';
import type { ChainLaws } from '../../../src/sim/exact/stageChain.ts';
import { runStageChain } from '../../../src/sim/exact/stageChain.ts';
import { runVectorChain } from '../../../src/sim/exact/vectorChain.ts';
import type { Scenario } from '../../../src/sim/scenario.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import type { World } from '../../../src/sim/world.ts';
import { compileWorld } from '../../../src/sim/world.ts';

/** Every field of two tallies within `tolerance` (absolute; relative for the exposures), the distributions' times the same. */
function expectSameTally(actual: ExactTally, expected: ExactTally, tolerance = 1e-12): void {
  const fields = ['rollback', 'promote', 'undecided', 'worse', 'falseRollback', 'missedRegression', 'neglected'] as const;
  for (const field of fields) expect(Math.abs(actual[field] - expected[field]), field).toBeLessThanOrEqual(tolerance);
  for (const field of ['abTests', 'candidateWins', 'controlWins'] as const)
    expect(Math.abs((actual[field] ?? 0) - (expected[field] ?? 0)), field).toBeLessThanOrEqual(tolerance);
  for (const field of ['requestsServedWhileWorse', 'usersServedWhileWorse', 'failedRequests', 'candidateRequests'] as const)
    expect(Math.abs(actual[field] - expected[field]), field).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected[field])));
  for (const field of ['decisionTimes', 'detectionTimes'] as const) {
    const times = (map: Map<number, number>) => [...map.entries()].filter(([, mass]) => mass > tolerance).map(([time]) => time);
    expect(
      times(actual[field]).sort((a, b) => a - b),
      field,
    ).toEqual(times(expected[field]).sort((a, b) => a - b));
    for (const [time, mass] of expected[field])
      expect(Math.abs((actual[field].get(time) ?? 0) - mass), `${field} at ${time}`).toBeLessThanOrEqual(tolerance);
  }
}

function vectorOfOne(world: World, compiled: CompiledPolicy, laws: ChainLaws): ExactTally {
  return columnTally(runVectorChain(world, [{ compiled, laws }]), 0);
}

function handWorld(horizon: string, faults: unknown[] = []): World {
  const model = { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate: 0.001 };
  const parsed = parseScenario({
    version: 1,
    name: 'hand case',
    horizon,
    traffic: { requestsPerSecond: 100, users: { count: 1000 } },
    control: model,
    candidate: model,
    faults,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return compileWorld(parsed.scenario, 'hand');
}

/** stageChain.test.ts's single canary, with the counting guards given. */
function canaryPolicy(guards: Guards, maxDuration?: string, stages = 1): Policy {
  const canary = {
    kind: 'canary',
    traffic: 0.05,
    minDuration: '2h',
    ...(maxDuration ? { maxDuration } : {}),
    checkInterval: '5m',
    rules: [{ type: 'absolute', metric: 'errorRate', max: 0.002 }],
  };
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, ...guards },
    stages: [...Array.from({ length: stages }, (_, i) => ({ ...canary, traffic: 0.05 * (i + 1) })), { kind: 'promote' }],
  } as Policy;
}

function constantLaws(check: CheckProbabilities): ChainLaws {
  return {
    healthCheck: () => check,
    shadowGates: () => ({ hold: 0, pass: 1, fail: 0 }),
    servedRequests: () => ({ requests: 1500, errors: 1.5, arrivals: 30000 }),
  };
}

// stageChain.test.ts: per-check fail probabilities from scipy (scripts/reference/exact_chain.py).
const qPoisson = 0.12602679280635645;
const qFixed = 0.06554825724701141;
const holding = { hold: 0.4757169861063216, pass: 0.45315642107582066, fail: 0.07112659281786392 };

function scenarioFile(path: string, change: (json: Record<string, unknown>) => Record<string, unknown> = (json) => json): Scenario {
  const parsed = parseScenario(change(JSON.parse(readFileSync(path, 'utf8'))));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

const concurrentTwoCanaries = {
  version: 1,
  name: 'concurrent baseline, two canaries',
  baseline: { mode: 'concurrent' },
  guards: { minRequests: 100, failureLimit: 1 },
  stages: [
    {
      kind: 'canary',
      traffic: 0.05,
      minDuration: '30m',
      checkInterval: '10m',
      rules: [
        { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
        { type: 'absolute', metric: 'latencyP99', max: 3000 },
      ],
    },
    {
      kind: 'canary',
      traffic: 0.25,
      minDuration: '30m',
      checkInterval: '10m',
      rules: [
        { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
        { type: 'absolute', metric: 'latencyP99', max: 3000 },
      ],
    },
    { kind: 'promote' },
  ],
} as Policy;

const shadowThenCanary = {
  version: 1,
  name: 'shadow, then a canary',
  baseline: { mode: 'concurrent' },
  guards: { minRequests: 100, failureLimit: 1 },
  stages: [
    {
      kind: 'shadow',
      minDuration: '1h',
      checkInterval: '5m',
      traffic: 1,
      comparison: { method: 'exact' },
      gates: { minAgreement: 0.95, maxLatencyRatio: 1.5, maxErrorRatio: 2, minComparisons: 1000 },
    },
    {
      kind: 'canary',
      traffic: 0.05,
      minDuration: '30m',
      checkInterval: '10m',
      rules: [{ type: 'absolute', metric: 'latencyP95', max: 2000 }],
    },
    { kind: 'promote' },
  ],
} as Policy;

/** A canary, then an A/B test at 50% (absolute guardrail: the law sums fast) with the design and inconclusive handling given. */
function abPolicy(design: Record<string, unknown>, onInconclusive: string): Policy {
  return {
    version: 1,
    name: 'canary, then an A/B test',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, failureLimit: 1 },
    stages: [
      {
        kind: 'canary',
        traffic: 0.05,
        minDuration: '30m',
        checkInterval: '10m',
        rules: [{ type: 'absolute', metric: 'errorRate', max: 0.03 }],
      },
      {
        kind: 'ab',
        traffic: 0.5,
        minDuration: '2h',
        maxDuration: '4h',
        checkInterval: '10m',
        guardrails: [{ type: 'absolute', metric: 'errorRate', max: 0.03 }],
        test: { metric: 'successRate', alpha: 0.05, power: 0.8, minimumEffect: 0.02, sampleSize: 3000, design, onInconclusive },
      },
      { kind: 'promote' },
    ],
  } as Policy;
}

function historicalPolicy(errorRatio: number): Policy {
  const rules = [
    { type: 'ratio', metric: 'errorRate', maxRatio: errorRatio },
    { type: 'absolute', metric: 'latencyP95', max: 2000 },
  ];
  return {
    version: 1,
    name: 'short historical',
    baseline: { mode: 'historical' },
    guards: { minRequests: 100, failureLimit: 2, failureCounting: 'total' },
    stages: [
      { kind: 'baseline', minDuration: '2h', minRequests: 1000, checkInterval: '5m' },
      { kind: 'canary', traffic: 0.05, minDuration: '1h', checkInterval: '5m', rules },
      { kind: 'full', minDuration: '30m', checkInterval: '5m', rules },
      { kind: 'promote' },
    ],
  } as Policy;
}

/** A check before any baseline stage holds in historical mode (evaluateExact.ts's `withEstablishment`); these policies start with theirs. */
function realLaws(world: World, compiled: CompiledPolicy, node: number | null): ChainLaws {
  if (node === null) return exactChainLaws(world, compiled, null);
  return exactChainLaws(world, compiled, baselineLaw(world, compiled, { nodes: 4 }).nodes[node].reference);
}

describe('the vector chain with one column is runStageChain', () => {
  const constantCases: [string, string, Policy, CheckProbabilities][] = [
    ['A. Poisson, limit 1', '7d', canaryPolicy({ failureLimit: 1 }), { hold: 0, pass: 1 - qPoisson, fail: qPoisson }],
    ['B. fixed 1,500 requests', '7d', canaryPolicy({ failureLimit: 1 }), { hold: 0, pass: 1 - qFixed, fail: qFixed }],
    ['C. two consecutive, 2 h', '2h', canaryPolicy({ failureLimit: 2 }), { hold: 0, pass: 1 - qPoisson, fail: qPoisson }],
    ['C′. two consecutive, 7 d', '7d', canaryPolicy({ failureLimit: 2 }), { hold: 0, pass: 1 - qPoisson, fail: qPoisson }],
    ['D. holds, 4 h maximum', '10h', canaryPolicy({ failureLimit: 2, minRequests: 30 }, '4h'), holding],
    ['total, limit 3', '10h', canaryPolicy({ failureCounting: 'total', failureLimit: 3 }), holding],
    ['mOfN, 2 of 4', '10h', canaryPolicy({ failureCounting: 'mOfN', failureLimit: 2, failureWindow: 4 }), holding],
    ['no data fails', '10h', canaryPolicy({ failureLimit: 3, onNoData: 'fail' }), holding],
    [
      'no data inconclusive, pause at 3',
      '10h',
      canaryPolicy({ failureLimit: 2, onNoData: 'inconclusive', inconclusiveLimit: 3 }, '6h'),
      holding,
    ],
    [
      'total over the rollout, two canaries',
      '5h',
      canaryPolicy({ failureCounting: 'total', failureLimit: 3, failureScope: 'rollout' }, undefined, 2),
      holding,
    ],
  ];
  for (const [name, horizon, policy, check] of constantCases) {
    it(`${name} (constant laws)`, () => {
      const world = handWorld(horizon);
      const compiled = compilePolicy(policy);
      const laws = constantLaws(check);
      const scalar = runStageChain(world, compiled, laws);
      expect(scalar.rollback + scalar.promote + scalar.undecided).toBeGreaterThan(0.99);
      expectSameTally(vectorOfOne(world, compiled, laws), scalar);
    });
  }

  it('the kill switch', () => {
    const world = handWorld('7d');
    const compiled = compilePolicy({ ...canaryPolicy({ failureLimit: 1 }), flag: { name: 'hand', killSwitch: true } });
    const laws = constantLaws({ hold: 0, pass: 1, fail: 0 });
    const vector = vectorOfOne(world, compiled, laws);
    expect(vector.rollback).toBe(1);
    expectSameTally(vector, runStageChain(world, compiled, laws));
  });

  // At 20 req/s (the lab's worlds are 100): the concurrent laws' sums grow with the window's counts.
  const slower = (json: Record<string, unknown>) => ({ ...json, traffic: { ...(json.traffic as object), requestsPerSecond: 20 } });
  const healthy = scenarioFile('scenarios/identical-candidate.json', slower);
  const regressed = scenarioFile('scenarios/error-regression.json', slower);
  const realCases: [string, Scenario, Policy, number | null][] = [
    ['two concurrent canaries, healthy', healthy, concurrentTwoCanaries, null],
    ['two concurrent canaries, regressed', regressed, concurrentTwoCanaries, null],
    ['a shadow stage, then a canary, healthy', healthy, shadowThenCanary, null],
    ['an A/B test, fixed design, inconclusive advances', healthy, abPolicy({ type: 'fixed' }, 'advance'), null],
    ['an A/B test, fixed design, inconclusive holds', healthy, abPolicy({ type: 'fixed' }, 'hold'), null],
    [
      'an A/B test, group-sequential (3 looks), inconclusive rolls back',
      healthy,
      abPolicy({ type: 'groupSequential', looks: 3, spending: 'obrienFleming' }, 'rollback'),
      null,
    ],
    ['historical baseline at node 1 of 4, healthy', healthy, historicalPolicy(2), 1],
    ['historical baseline at node 3 of 4, regressed', regressed, historicalPolicy(2), 3],
  ];
  for (const [name, scenario, policy, node] of realCases) {
    it(`${name} (real laws)`, () => {
      const compiled = compilePolicy(policy);
      const world = compileWorld(scenario, 'lab');
      const scalar = runStageChain(world, compiled, realLaws(world, compiled, node));
      if (compiled.stages.some((stage) => stage.kind === 'ab')) expect(scalar.abTests).toBeGreaterThan(0.5);
      expectSameTally(vectorOfOne(world, compiled, realLaws(world, compiled, node)), scalar);
    });
  }

  it('a slow leak: the time served is in the key (real laws)', () => {
    const leaking = scenarioFile('scenarios/identical-candidate.json', (json) => ({
      ...json,
      faults: [{ kind: 'leak', effect: { errorRateMultiplier: 1.5 } }],
    }));
    const compiled = compilePolicy(historicalPolicy(2));
    const world = compileWorld(leaking, 'lab');
    const scalar = runStageChain(world, compiled, realLaws(world, compiled, 2));
    expect(scalar.worse).toBeGreaterThan(0.5);
    expectSameTally(vectorOfOne(world, compiled, realLaws(world, compiled, 2)), scalar);
  });
});

describe('the vector chain with several columns is the separate runs', () => {
  const healthy = scenarioFile('scenarios/identical-candidate.json');

  it('the historical baseline’s four nodes as four columns', () => {
    const compiled = compilePolicy(historicalPolicy(2));
    const world = compileWorld(healthy, 'lab');
    const columns = [0, 1, 2, 3].map((node) => ({ compiled, laws: realLaws(world, compiled, node) }));
    const vector = runVectorChain(world, columns);
    for (const [index, column] of columns.entries()) {
      const tally = columnTally(vector, index);
      expectSameTally(tally, runStageChain(world, compiled, column.laws));
    }
    // The nodes are different references: the columns' answers differ.
    expect(Math.abs(columnTally(vector, 0).rollback - columnTally(vector, 3).rollback)).toBeGreaterThan(1e-4);
  });

  it('three error-ratio thresholds × two nodes (each column its own rules)', () => {
    const world = compileWorld(healthy, 'lab');
    const columns = [1.5, 2, 3].flatMap((ratio) => {
      const compiled = compilePolicy(historicalPolicy(ratio));
      return [0, 2].map((node) => ({ compiled, laws: realLaws(world, compiled, node) }));
    });
    const vector = runVectorChain(world, columns);
    for (const [index, column] of columns.entries())
      expectSameTally(columnTally(vector, index), runStageChain(world, column.compiled, column.laws));
    expect(columnTally(vector, 0).rollback).toBeGreaterThan(columnTally(vector, 4).rollback);
  });

  it('refuses columns whose chain structure differs, naming the field', () => {
    const world = handWorld('10h');
    const laws = constantLaws(holding);
    const columns = [
      { compiled: compilePolicy(canaryPolicy({ failureLimit: 2 })), laws },
      { compiled: compilePolicy(canaryPolicy({ failureLimit: 3 })), laws },
    ];
    expect(() => runVectorChain(world, columns)).toThrow(
      "columns[1] must share the chain's structure with column 0 (stages, durations, check intervals, counting, traffic): it has stages[0].failureCounting.limit 3 (column 0: 2)",
    );
  });
});

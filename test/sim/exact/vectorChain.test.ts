/**
 * The vector chain (src/sim/exact/vectorChain.ts) is the scalar chain run for many columns at
 * once. Identity first: with one column it must give the scalar chain's tally to 1e-12 — the
 * chain before it became one implementation (`runStageChain` of stageChain.ts at commit a7e578b,
 * its own walk with string keys; the answers below are that function's, printed by this test's
 * cases when both existed and agreed, and `runStageChain` is now the vector chain's one-column
 * case) — on the chain test's cases (stageChain.test.ts: the hand cases A–D and the kill
 * switch, constant per-check laws from scipy), on every failure-counting mode, three A/B stages
 * (a constant test law looking in given windows), shadow gates and a slow leak (the candidate's
 * time served in the key), all with constant laws so that the pinned numbers are the chain's
 * alone. (With the real laws, exactChainLaws.ts, the two chains also agreed to 1e-12 on the
 * agreement test's policies, three real A/B stages, a historical node and a leak: commit 1c5f6bb.)
 * Then several columns: each column's tally must be its one-column run's — the real laws on those
 * policies beside another column, the historical baseline's nodes, different thresholds — and
 * columns whose chain structure differs are refused with the field named.
 *
 * Each pinned answer: rollback, promote, undecided, worse, false rollback, missed regression,
 * neglected; requests and users served while worse, failed and candidate requests; A/B stages
 * entered, candidate and control wins; the decision-time distribution's mass and Σ t·mass, and the
 * detection-time distribution's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CompiledPolicy } from '../../../src/engine/controller/compilePolicy.ts';
import { compilePolicy } from '../../../src/engine/controller/compilePolicy.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';
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
import { concurrentTwoCanaries, constantLaws, handCanaryPolicy, handWorld, shadowThenCanary } from '../../helpers/exactChainCases.ts';

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

const scalarAnswers: Record<string, number[]> = {
  'A. Poisson, limit 1': [
    0.9605583699546713, 0.039441630045328996, 0, 0, 0.9605583699546713, 0, 0, 0, 0, 11.432787606885244, 11432.787606885247, 0, 0, 0,
    1.0000000000000002, 2286.5575213770503, 0, 0,
  ],
  'B. fixed 1,500 requests': [
    0.8034988575167361, 0.19650114248326395, 0, 0, 0.8034988575167361, 0, 0, 0, 0, 18.38719039826274, 18387.190398262737, 0, 0, 0, 1,
    3677.4380796525465, 0, 0,
  ],
  'C. two consecutive, 2 h': [
    0.28280843699335645, 0.039441630045328996, 0.6777499329613154, 0, 0.28280843699335645, 0, 0, 0, 0, 31.042725683291117, 31042.7256832911,
    0, 0, 0, 0.3222500670386855, 1328.7456193367502, 0, 0,
  ],
  'C′. two consecutive, 7 d': [
    0.31903586653851135, 0.6809641334614862, 0, 0, 0.31903586653851135, 0, 2.9829574293977997e-15, 0, 0, 33.92764574095633,
    33927.64574095623, 0, 0, 0, 0.9999999999999978, 6785.5291481912245, 0, 0,
  ],
  'D. holds, 4 h maximum': [
    0.7574500234519413, 0.24254997654829788, 0, 0, 0.7574500234519413, 0, 3.0569679574652763e-15, 0, 0, 58.55692542412865,
    58556.92542412856, 0, 0, 0, 1.0000000000002394, 11711.385084827296, 0, 0,
  ],
  'total, limit 3': [
    0.704471055713311, 0.2955289442865166, 2.4265860399461936e-13, 0, 0.704471055713311, 0, 1.5302550081372005e-13, 0, 0, 53.68469573168203,
    53684.695731681655, 0, 0, 0, 0.9999999999998261, 10736.939146325085, 0, 0,
  ],
  'mOfN, 2 of 4': [
    0.6188361118313561, 0.3811638881667475, 1.921465537287575e-12, 0, 0.6188361118313561, 0, 1.8927161230294937e-13, 0, 0,
    50.73263504721971, 50732.6350472197, 0, 0, 0, 0.9999999999980987, 10146.52700937126, 0, 0,
  ],
  'no data fails': [
    0.9862327623604613, 0.013767237639601734, 0, 0, 0.9862327623604613, 0, 5.747242938105342e-15, 0, 0, 16.698795489253705,
    16698.79548925372, 0, 0, 0, 1.000000000000063, 3339.7590978508383, 0, 0,
  ],
  'no data inconclusive, pause at 3': [
    0.9999973569376629, 2.64306234441622e-6, 0, 0, 0.9999973569376629, 0, 3.069343746264943e-14, 0, 0, 104.01470344764464,
    104014.70344764528, 0, 0, 0, 1.0000000000000073, 20802.940689528685, 0, 0,
  ],
  'total over the rollout, two canaries': [
    0.8091165779161059, 3.2340570784221616e-8, 0.19088338974343128, 0, 0.8091165779161059, 0, 1.3449698101532376e-13, 0, 0,
    57.57992868938569, 57579.928689385866, 0, 0, 0, 0.8091166102566715, 8080.084722495036, 0, 0,
  ],
  'the kill switch': [1, 0, 0, 0, 1, 0, 0, 0, 0, 1.5, 1500, 0, 0, 0, 1, 300, 0, 0],
  'A/B, one look, inconclusive advances (constant laws)': [
    0.5516876426878586, 0.13207770538219205, 0, 0, 0.5516876426878586, 0, 0.31623465193001193, 0, 0, 13.978947999362198, 13978.947999362194,
    0.5340350666879251, 0.12899818610782596, 0.06198466248724297, 0.6837653480700503, 3797.1697156150813, 0, 0,
  ],
  'A/B, one look, inconclusive holds (constant laws)': [
    0.5901831768907576, 0.0720423847539229, 0, 0, 0.5901831768907576, 0, 0.3377744383553823, 0, 0, 14.62514159212327, 14625.141592123271,
    0.5124952802625545, 0.12899818610782596, 0.06198466248724297, 0.6622255616446803, 3791.550436992508, 0, 0,
  ],
  'A/B, three looks, inconclusive rolls back (constant laws)': [
    0.6924011576580698, 0.10356092808376353, 0, 0, 0.6924011576580698, 0, 0.2040379142582565, 0, 0, 10.613045869208669, 10613.045869208656,
    0.6462318043597077, 0.18625113626661494, 0.08964711481648908, 0.7959620857418335, 3319.142129925364, 0, 0,
  ],
  'shadow gates (constant laws)': [
    0.5379930708268221, 0.4520069291731941, 3.0206132067477196e-15, 0, 0.5379930708268221, 0, 0.010000000000002871, 0, 0, 5.229965214175209,
    5229.965214175207, 0, 0, 0, 0.9900000000000158, 5655.986085670005, 0, 0,
  ],
  'a slow leak, two canaries (constant laws)': [
    0.5830402775090013, 0.41695972249073987, 1.445681416822045e-13, 0.8014373692852311, 0.19856263071465463, 0.41695972249073987,
    1.6791706129574006e-13, 8108.310089706275, 181.0183253227291, 12.295828910334663, 12295.828910334718, 0, 0, 0, 0.9999999999997383,
    4918.331564123233, 0.38447764679434426, 1130.7891040733036,
  ],
};

/** A tally as the pinned numbers read it (module comment). */
function answerOf(tally: ExactTally): number[] {
  const moments = (map: Map<number, number>) =>
    [...map.entries()].reduce((sum, [time, mass]) => [sum[0] + mass, sum[1] + time * mass], [0, 0]);
  return [
    tally.rollback,
    tally.promote,
    tally.undecided,
    tally.worse,
    tally.falseRollback,
    tally.missedRegression,
    tally.neglected,
    tally.requestsServedWhileWorse,
    tally.usersServedWhileWorse,
    tally.failedRequests,
    tally.candidateRequests,
    tally.abTests ?? 0,
    tally.candidateWins ?? 0,
    tally.controlWins ?? 0,
    ...moments(tally.decisionTimes),
    ...moments(tally.detectionTimes),
  ];
}

/** The one-column answer is the scalar chain's pinned one, within 1e-12 (relative above 1). */
function expectScalarAnswer(name: string, tally: ExactTally): void {
  const expected = scalarAnswers[name];
  expect(expected, name).toBeDefined();
  for (const [index, value] of answerOf(tally).entries())
    expect(Math.abs(value - expected[index]), `${name}, number ${index}`).toBeLessThanOrEqual(
      1e-12 * Math.max(1, Math.abs(expected[index])),
    );
}

function vectorOfOne(world: World, compiled: CompiledPolicy, laws: ChainLaws): ExactTally {
  return columnTally(runVectorChain(world, [{ compiled, laws }]), 0);
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

describe('the vector chain with one column is the scalar chain (its answers pinned), and a column keeps its answer beside others', () => {
  const constantCases: [string, string, Policy, CheckProbabilities][] = [
    ['A. Poisson, limit 1', '7d', handCanaryPolicy({ failureLimit: 1 }), { hold: 0, pass: 1 - qPoisson, fail: qPoisson }],
    ['B. fixed 1,500 requests', '7d', handCanaryPolicy({ failureLimit: 1 }), { hold: 0, pass: 1 - qFixed, fail: qFixed }],
    ['C. two consecutive, 2 h', '2h', handCanaryPolicy({ failureLimit: 2 }), { hold: 0, pass: 1 - qPoisson, fail: qPoisson }],
    ['C′. two consecutive, 7 d', '7d', handCanaryPolicy({ failureLimit: 2 }), { hold: 0, pass: 1 - qPoisson, fail: qPoisson }],
    ['D. holds, 4 h maximum', '10h', handCanaryPolicy({ failureLimit: 2, minRequests: 30 }, '4h'), holding],
    ['total, limit 3', '10h', handCanaryPolicy({ failureCounting: 'total', failureLimit: 3 }), holding],
    ['mOfN, 2 of 4', '10h', handCanaryPolicy({ failureCounting: 'mOfN', failureLimit: 2, failureWindow: 4 }), holding],
    ['no data fails', '10h', handCanaryPolicy({ failureLimit: 3, onNoData: 'fail' }), holding],
    [
      'no data inconclusive, pause at 3',
      '10h',
      handCanaryPolicy({ failureLimit: 2, onNoData: 'inconclusive', inconclusiveLimit: 3 }, '6h'),
      holding,
    ],
    [
      'total over the rollout, two canaries',
      '5h',
      handCanaryPolicy({ failureCounting: 'total', failureLimit: 3, failureScope: 'rollout' }, undefined, 2),
      holding,
    ],
  ];
  for (const [name, horizon, policy, check] of constantCases) {
    it(`${name} (constant laws)`, () => {
      const world = handWorld(horizon);
      const compiled = compilePolicy(policy);
      const laws = constantLaws(check);
      const vector = vectorOfOne(world, compiled, laws);
      expect(vector.rollback + vector.promote + vector.undecided).toBeGreaterThan(0.99);
      expectScalarAnswer(name, vector);
    });
  }

  // The A/B branch, the shadow gates and a slow leak with constant laws: the chain alone.
  const abLaws = (looksAt: number[]): ChainLaws => ({
    ...constantLaws({ hold: 0.05, pass: 0.9, fail: 0.05 }),
    abTest: () => () => ({
      at: (window: number, looks: number) =>
        looks < looksAt.length && window === looksAt[looks]
          ? { look: true, better: 0.3, worse: 0.1, ended: 0.25 + 0.1 * looks, neglected: 1e-13 }
          : { look: false, better: 0, worse: 0, ended: 0, neglected: 0 },
    }),
  });
  const chainCases: [string, string, Policy, ChainLaws, unknown[]][] = [
    ['A/B, one look, inconclusive advances (constant laws)', '10h', abPolicy({ type: 'fixed' }, 'advance'), abLaws([3]), []],
    ['A/B, one look, inconclusive holds (constant laws)', '10h', abPolicy({ type: 'fixed' }, 'hold'), abLaws([3]), []],
    [
      'A/B, three looks, inconclusive rolls back (constant laws)',
      '10h',
      abPolicy({ type: 'groupSequential', looks: 3, spending: 'obrienFleming' }, 'rollback'),
      abLaws([2, 5, 8]),
      [],
    ],
    [
      'shadow gates (constant laws)',
      '10h',
      shadowThenCanary(),
      { ...constantLaws(holding), shadowGates: () => ({ hold: 0.01, pass: 0.7, fail: 0.29 }) },
      [],
    ],
    [
      'a slow leak, two canaries (constant laws)',
      '10h',
      concurrentTwoCanaries,
      constantLaws(holding),
      [{ kind: 'leak', effect: { errorRateMultiplier: 1.5 } }],
    ],
  ];
  for (const [name, horizon, policy, laws, faults] of chainCases) {
    it(name, () => {
      const world = handWorld(horizon, faults);
      const vector = vectorOfOne(world, compilePolicy(policy), laws);
      expect(vector.rollback + vector.promote + vector.undecided + vector.neglected).toBeGreaterThan(0.99);
      if (name.startsWith('A/B')) expect(vector.abTests).toBeGreaterThan(0.5);
      if (name.includes('leak')) expect(vector.worse).toBeGreaterThan(0.1);
      expectScalarAnswer(name, vector);
    });
  }

  it('the kill switch', () => {
    const world = handWorld('7d');
    const compiled = compilePolicy({ ...handCanaryPolicy({ failureLimit: 1 }), flag: { name: 'hand', killSwitch: true } });
    const laws = constantLaws({ hold: 0, pass: 1, fail: 0 });
    const vector = vectorOfOne(world, compiled, laws);
    expect(vector.rollback).toBe(1);
    expectScalarAnswer('the kill switch', vector);
  });

  // At 20 req/s (the lab's worlds are 100): the concurrent laws' sums grow with the window's counts.
  const slower = (json: Record<string, unknown>) => ({ ...json, traffic: { ...(json.traffic as object), requestsPerSecond: 20 } });
  const healthy = scenarioFile('scenarios/identical-candidate.json', slower);
  const regressed = scenarioFile('scenarios/error-regression.json', slower);
  const realCases: [string, Scenario, Policy, number | null][] = [
    ['two concurrent canaries, healthy', healthy, concurrentTwoCanaries, null],
    ['two concurrent canaries, regressed', regressed, concurrentTwoCanaries, null],
    ['a shadow stage, then a canary, healthy', healthy, shadowThenCanary(), null],
    ['an A/B test, fixed design, inconclusive advances', healthy, abPolicy({ type: 'fixed' }, 'advance'), null],
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
      const alone = vectorOfOne(world, compiled, realLaws(world, compiled, node));
      if (compiled.stages.some((stage) => stage.kind === 'ab')) expect(alone.abTests).toBeGreaterThan(0.5);
      expect(alone.rollback + alone.promote + alone.undecided).toBeGreaterThan(0.99);
      // The same column beside another (the next node, or the same laws again): unchanged.
      const other = realLaws(world, compiled, node === null ? null : (node + 1) % 4);
      const together = runVectorChain(world, [
        { compiled, laws: other },
        { compiled, laws: realLaws(world, compiled, node) },
      ]);
      expectSameTally(columnTally(together, 1), alone);
    });
  }

  it('a slow leak: the time served is in the key (real laws)', () => {
    const leaking = scenarioFile('scenarios/identical-candidate.json', (json) => ({
      ...json,
      faults: [{ kind: 'leak', effect: { errorRateMultiplier: 1.5 } }],
    }));
    const compiled = compilePolicy(historicalPolicy(2));
    const world = compileWorld(leaking, 'lab');
    const alone = vectorOfOne(world, compiled, realLaws(world, compiled, 2));
    expect(alone.worse).toBeGreaterThan(0.5);
    const together = runVectorChain(
      world,
      [0, 1, 2].map((node) => ({ compiled, laws: realLaws(world, compiled, node) })),
    );
    expectSameTally(columnTally(together, 2), alone);
  });
});

describe('the vector chain with several columns is the one-column runs', () => {
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
      { compiled: compilePolicy(handCanaryPolicy({ failureLimit: 2 })), laws },
      { compiled: compilePolicy(handCanaryPolicy({ failureLimit: 3 })), laws },
    ];
    expect(() => runVectorChain(world, columns)).toThrow(
      "columns[1] must share the chain's structure with column 0 (stages, durations, check intervals, counting, traffic): it has stages[0].failureCounting.limit 3 (column 0: 2)",
    );
  });
});

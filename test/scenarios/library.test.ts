/**
 * The scenario library (scenarios/library, issue 6): every scenario file is schema-valid and
 * parses; every library scenario has a story, a lesson and a policy the engine accepts; a
 * refused policy's exact error messages are quoted in the lesson; and every claim a lesson makes
 * about what happens is checked here by a seeded simulation (windowed mode, 200 replicates;
 * each rate's bound is at least 3 binomial standard errors away from the simulated rate).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/cli/files.ts';
import { binnedPsi } from '../../src/engine/analysis/drift.ts';
import { formatPolicyError, parsePolicy } from '../../src/engine/policy/index.ts';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { streamFor } from '../../src/engine/random/streams.ts';
import { logGamma } from '../../src/engine/stats/distributions.ts';
import { requiredSampleSize } from '../../src/engine/stats/sampleSize.ts';
import { arrivalTimesFromCsv } from '../../src/sim/arrivalTrace.ts';
import { playbackReplicate } from '../../src/sim/playbackReplicate.ts';
import type { ReplicateOutcome } from '../../src/sim/replicate.ts';
import { prepareSimulation, runOne } from '../../src/sim/runner.ts';
import { parseScenario, type Scenario } from '../../src/sim/scenario.ts';
import { orderStatisticsWindows } from '../../src/sim/windowsOrderStatistics.ts';
import { compileWorld, conditionsAt, emptyConditions } from '../../src/sim/world.ts';
import { playbackSchema } from '../../src/ui/playback/playbackState.ts';
import {
  errorRatioLimit,
  libraryIds,
  libraryScenario,
  refusedPolicyErrors,
  scenarioPolicy,
} from '../../src/ui/playback/scenarioLibrary.ts';
import { decodeState, encodeState, initialState } from '../../src/ui/state/viewState.ts';
import { schemaErrors } from '../engine/policy/schemaChecker.ts';

const schema = JSON.parse(readFileSync('scenarios/scenario.schema.json', 'utf8'));
const notScenarios = new Set(['scenario.schema.json', 'policy.schema.json', 'default-policy.json']);
const topLevel = readdirSync('scenarios')
  .filter((file) => file.endsWith('.json') && !notScenarios.has(file))
  .map((file) => `scenarios/${file}`);
const library = readdirSync('scenarios/library')
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => `scenarios/library/${file}`);
const REPLICATES = 200;
const SEED = 20_260_601;

function raw(file: string): Record<string, any> {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function acceptedPolicy(json: unknown): Policy {
  const parsed = parsePolicy(json);
  if (!parsed.ok) throw new Error(parsed.errors.map(formatPolicyError).join('; '));
  return parsed.policy;
}

/** The library scenario `id` as the CLI loads it (replay traces read from scenarios/data). */
function scenario(id: string): Scenario {
  return loadScenario(`scenarios/library/${id}.json`);
}

/** Outcomes of replicates 0 … n−1 of `policy` (default: the scenario's own) in the windowed mode. */
function outcomes(world: Scenario, policy: unknown = world.policy, n = REPLICATES): ReplicateOutcome[] {
  const simulation = prepareSimulation(world, acceptedPolicy(policy), 'window', SEED);
  return Array.from({ length: n }, (_, i) => runOne(simulation, i));
}

function share(list: ReplicateOutcome[], test: (outcome: ReplicateOutcome) => boolean): number {
  return list.filter(test).length / list.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The embedded policy with every stage's health rules replaced by `rules`. */
function withRules(policy: unknown, rules: unknown[]): unknown {
  const copy = structuredClone(policy) as { stages: Record<string, unknown>[] };
  for (const stage of copy.stages) if (stage.rules) stage.rules = rules;
  return copy;
}

describe('scenario files', () => {
  it.each([...topLevel, ...library])('%s validates against the schema and parses', (file) => {
    const json = raw(file);
    expect(schemaErrors(json, schema)).toEqual([]);
    // Replay scenarios name their trace: the CLI's loader fills the times, then parseScenario checks them.
    const arrivals = json.traffic?.arrivals;
    if (arrivals?.kind === 'replay' && arrivals.file) expect(loadScenario(file).traffic.arrivals.kind).toBe('replay');
    else expect(parseScenario(json)).toMatchObject({ ok: true });
  });

  it('the library holds the sixteen scenarios of issue 6, and the app bundles every file', () => {
    expect(library.length).toBe(16);
    expect([...libraryIds()].sort()).toEqual(library.map((file) => file.replace(/^scenarios\/library\/|\.json$/g, '')));
    for (const id of libraryIds()) expect(libraryScenario(id)).toEqual(scenario(id));
    expect(() => libraryScenario('nope')).toThrow(/scenario must be one of instant-100-percent, .*, got 'nope'/);
  });

  it('reads the shipped arrival trace (the app and the CLI share arrivalTimesFromCsv)', () => {
    const text = readFileSync('scenarios/data/azure_llm2023_code_arrivals.csv', 'utf8');
    const times = arrivalTimesFromCsv(text, 'trace');
    expect(times.length).toBe(8819);
    expect(times[0]).toBe(0);
    expect(times.every((time, i) => i === 0 || time >= times[i - 1])).toBe(true);
    expect(loadScenario('scenarios/library/azure-llm-trace.json').traffic.arrivals).toMatchObject({ times });
    expect(() => arrivalTimesFromCsv('TIMESTAMP\nyesterday\n', 'bad.csv')).toThrow(
      "arrival trace 'bad.csv' line 2: 'yesterday' is neither seconds nor a date-time YYYY-MM-DD HH:MM:SS",
    );
  });

  it('parseScenario checks story, lesson, tags and refusedPolicy', () => {
    const base = raw('scenarios/identical-candidate.json');
    const result = parseScenario({ ...base, story: '', lesson: 3, tags: ['ok', ''], refusedPolicy: [] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        { path: 'story', message: 'story must be a non-empty string, got ""' },
        { path: 'lesson', message: 'lesson must be a non-empty string, got 3' },
        { path: 'tags[1]', message: 'tags[1] must be a non-empty string, got ""' },
        { path: 'refusedPolicy', message: 'refusedPolicy must be an object, got an array' },
      ]);
    }
    const ok = parseScenario({ ...base, story: 'S.', lesson: 'L.', tags: ['a'], refusedPolicy: { version: 1 } });
    expect(ok.ok && [ok.scenario.story, ok.scenario.lesson, ok.scenario.tags, ok.scenario.refusedPolicy]).toEqual([
      'S.',
      'L.',
      ['a'],
      { version: 1 },
    ]);
    expect(schemaErrors({ ...base, story: 'S.', lesson: 'L.', tags: ['a'], refusedPolicy: {} }, schema)).toEqual([]);
    expect(schemaErrors({ ...base, tags: 'a' }, schema)).not.toEqual([]);
  });

  it.each(library)('%s has a story, a lesson and a policy the engine accepts; a refused policy is quoted', (file) => {
    const json = raw(file);
    expect(json.story.length).toBeGreaterThan(80);
    expect(json.lesson.length).toBeGreaterThan(80);
    expect(parsePolicy(json.policy).ok).toBe(true);
    if (json.refusedPolicy !== undefined) {
      const refused = parsePolicy(json.refusedPolicy);
      expect(refused.ok).toBe(false);
      if (!refused.ok) for (const error of refused.errors) expect(json.lesson).toContain(`"${formatPolicyError(error)}"`);
    }
  });
});

describe('library lessons, checked by simulation', () => {
  it('instant 100%: the 5% canary rolls the bad candidate back, serving it to under a tenth of what the naive rollout serves', () => {
    const world = scenario('instant-100-percent');
    const runs = outcomes(world);
    expect(share(runs, (o) => o.decision === 'rollback' && o.stageName === 'canary 5%')).toBeGreaterThanOrEqual(0.95);
    const policy = acceptedPolicy(world.policy);
    for (let i = 0; i < 20; i++) {
      const playback = playbackReplicate(world, policy, SEED, i);
      expect(playback.outcome.exposure.candidateRequests).toBeLessThan(0.1 * playback.naive.requests);
    }
  });

  it('A/B without statistics: a 4-point gap between identical arms of 100 is common; the planned test rarely declares a winner', () => {
    // P(|X − Y| ≥ 4), X, Y ~ Binomial(100, 0.9) independent, by exact convolution.
    const n = 100;
    const pmf = Array.from({ length: n + 1 }, (_, k) =>
      Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(0.9) + (n - k) * Math.log(0.1)),
    );
    let gap = 0;
    for (let x = 0; x <= n; x++) for (let y = 0; y <= n; y++) if (Math.abs(x - y) >= 4) gap += pmf[x] * pmf[y];
    // scipy 1.10.1: sum(binom.pmf(i,100,.9)*binom.pmf(j,100,.9) for i,j if |i-j|>=4) = 0.4071154756646615
    expect(gap).toBeCloseTo(0.4071154756646615, 10);
    // R 4.x: power.prop.test(p1 = 0.9, p2 = 0.92, power = 0.8)$n = 3212.937
    expect(requiredSampleSize({ baseline: 0.9, target: 0.92, alpha: 0.05, power: 0.8, sides: 2, method: 'pooled' }).nPerArm).toBe(3213);
    const runs = outcomes(scenario('ab-test-tiny-samples'));
    const tested = runs.filter((o) => o.reachedAbTest);
    expect(tested.length).toBeGreaterThanOrEqual(0.95 * REPLICATES);
    // α = 0.05: 200 runs give a standard error of 1.5 points; 10% is over 3 SE above α.
    expect(share(tested, (o) => o.abWinner !== null)).toBeLessThanOrEqual(0.1);
  });

  it('canary without metrics: with health rules, the canary rolls the candidate back after its error rate jumps', () => {
    const runs = outcomes(scenario('canary-without-metrics'));
    expect(
      share(
        runs,
        (o) => o.decision === 'rollback' && o.stageName === 'canary 5%' && o.candidateWorse && o.decisionTime! > o.firstWorseTime!,
      ),
    ).toBeGreaterThanOrEqual(0.95);
  });

  it.each(['shadow-without-comparison', 'shadow-agreement-70'])(
    '%s: the shadow gate rolls the candidate back before it serves anyone',
    (id) => {
      const runs = outcomes(scenario(id));
      expect(share(runs, (o) => o.decision === 'rollback' && o.stageName === 'shadow')).toBeGreaterThanOrEqual(0.95);
      expect(runs.every((o) => o.exposure.candidateRequests === 0)).toBe(true);
    },
  );

  it('no rollback plan: the full stage keeps its rules and rolls back within 5 minutes in the median run', () => {
    const runs = outcomes(scenario('no-rollback-plan'));
    expect(share(runs, (o) => o.decision === 'rollback' && o.stageName === 'full')).toBeGreaterThanOrEqual(0.95);
    expect(median(runs.flatMap((o) => (o.detectionTime === null ? [] : [o.detectionTime])))).toBeLessThanOrEqual(300);
  });

  it('without a baseline: ratio rules against control roll back, an absolute 5% limit promotes', () => {
    const world = scenario('deploying-without-baseline');
    expect(share(outcomes(world), (o) => o.decision === 'rollback' && o.stageName === 'canary 5%')).toBeGreaterThanOrEqual(0.95);
    const absolute = withRules(world.policy, [{ type: 'absolute', metric: 'errorRate', max: 0.05 }]);
    expect(share(outcomes(world, absolute), (o) => o.decision === 'promote' && o.missedRegression)).toBeGreaterThanOrEqual(0.95);
  });

  it('ignoring latency: latency rules roll the slow candidate back, error rules alone promote it', () => {
    const world = scenario('ignoring-latency-regression');
    expect(share(outcomes(world), (o) => o.decision === 'rollback' && o.stageName === 'canary 5%')).toBeGreaterThanOrEqual(0.95);
    const errorsOnly = withRules(world.policy, [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }]);
    expect(share(outcomes(world, errorsOnly), (o) => o.decision === 'promote' && o.missedRegression)).toBeGreaterThanOrEqual(0.95);
  });

  it('degradation during an A/B test: the guardrails roll back mid-test, within 5 minutes in the median run', () => {
    const runs = outcomes(scenario('degradation-during-ab-test'));
    expect(share(runs, (o) => o.decision === 'rollback' && o.stageName === 'ab 50%' && o.candidateWorse)).toBeGreaterThanOrEqual(0.9);
    expect(median(runs.flatMap((o) => (o.detectionTime === null ? [] : [o.detectionTime])))).toBeLessThanOrEqual(300);
  });

  it('skipping the canary: the canary rolls back; skipCanary also does, after serving ≥ 10× more failing requests', () => {
    const world = scenario('skipping-canary-after-shadow');
    const canary = outcomes(world);
    expect(share(canary, (o) => o.decision === 'rollback' && o.stageName === 'canary 5%')).toBeGreaterThanOrEqual(0.95);
    const skip = structuredClone(world.policy) as { stages: { kind: string }[]; skipCanary?: { reason: string } };
    skip.stages = skip.stages.filter((stage) => stage.kind !== 'canary');
    skip.skipCanary = { reason: 'shadow looked perfect' };
    const skipped = outcomes(world, skip);
    expect(share(skipped, (o) => o.decision === 'rollback' && o.stageName === 'full')).toBeGreaterThanOrEqual(0.95);
    const served = (runs: ReplicateOutcome[]) => runs.reduce((sum, o) => sum + o.exposure.requestsServedWhileWorse, 0);
    expect(served(skipped)).toBeGreaterThanOrEqual(10 * served(canary));
  });

  it('a flag left at 100%: after 3 days at 100% every decision carries the retirement reminder; the candidate is promoted', () => {
    const world = scenario('feature-flag-left-at-100');
    expect(share(outcomes(world, world.policy, 100), (o) => o.decision === 'promote')).toBeGreaterThanOrEqual(0.95);
    const policy = acceptedPolicy(world.policy);
    for (let i = 0; i < 3; i++) {
      const windows = playbackReplicate(world, policy, SEED, i).windows;
      const fullFrom = windows.find((w) => w.stage === 'full')!.startHours;
      const late = windows.filter((w) => w.stage === 'full' && w.endHours - fullFrom >= 72 + 1);
      expect(late.length).toBeGreaterThan(100);
      for (const w of late) {
        expect(w.reasons.map((reason) => reason.message)).toContainEqual(
          expect.stringMatching(
            /^flag 'ranking-v2' has served 100% for \d+h(\d+m)?, past its retirement time of 72h: remove it from the code$/,
          ),
        );
      }
      expect(
        windows.filter((w) => w.endHours - fullFrom < 72).some((w) => w.reasons.some((reason) => /retirement/.test(reason.message))),
      ).toBe(false);
    }
  });

  it('an untested rollback: the drill rolls back in the first canary within 5 minutes of the first burst in the median run', () => {
    const runs = outcomes(scenario('untested-rollback'));
    expect(share(runs, (o) => o.decision === 'rollback' && o.stageName === 'canary 5%' && o.candidateWorse)).toBeGreaterThanOrEqual(0.95);
    expect(median(runs.flatMap((o) => (o.detectionTime === null ? [] : [o.detectionTime])))).toBeLessThanOrEqual(300);
  });

  it('segments hiding a winner: equal on aggregate, 8 points better on mobile, and the aggregate test rarely declares it', () => {
    const world = scenario('segments-hiding-a-winner');
    const mix = world.traffic.segments;
    const overall = (accuracy: Record<string, number>) => mix.mobile * accuracy.mobile + mix.web * accuracy.web;
    expect(overall(world.candidate.accuracy)).toBeCloseTo(overall(world.control.accuracy), 12);
    expect(world.candidate.accuracy.mobile - world.control.accuracy.mobile).toBeCloseTo(0.08, 12);
    expect(world.candidate.accuracy.web - world.control.accuracy.web).toBeCloseTo(-0.02, 12);
    const tested = outcomes(world).filter((o) => o.reachedAbTest);
    expect(tested.length).toBeGreaterThanOrEqual(0.95 * REPLICATES);
    expect(share(tested, (o) => o.abWinner === 'candidate')).toBeLessThanOrEqual(0.1);
  });

  it('drift after three months: promoted within tolerance, 9 points worse than control and input PSI past 0.25 after 90 days', () => {
    const world = scenario('drift-after-three-months');
    const runs = outcomes(world);
    expect(share(runs, (o) => o.decision === 'promote')).toBeGreaterThanOrEqual(0.9);
    expect(runs.some((o) => o.missedRegression)).toBe(false);
    const compiled = compileWorld(world, 'drift');
    const control = emptyConditions();
    const candidate = emptyConditions();
    conditionsAt(compiled, 90 * 86400, 0, control, candidate);
    expect(control.accuracy - candidate.accuracy).toBeCloseTo(0.09, 12);
    // The inputs drift too: prompt length (lognormal) shifts 0.05 reference sd a week. The PSI of
    // day 90's windows against launch day's, from the windows' bin counts, crosses the 0.25
    // "retrain" mark: analytic 0.3908091599415253 (scipy 1.10.1, scripts/reference/inputDrift.py
    // psi(90/7·0.05, 1.0)); ~2.9 million requests a side (4 hours at 200/s), sampling sd ≈ 0.001.
    const generator = orderStatisticsWindows(compiled, streamFor(SEED, 0, 'inputs'));
    const pooled = (middle: number) => {
      const total = new Array<number>(10).fill(0);
      for (let i = 0; i < 48; i++) {
        conditionsAt(compiled, middle + i * 300, 0, control, candidate);
        const window = generator.next({
          start: middle + i * 300 - 150,
          duration: 300,
          stageKind: 'full',
          candidateShare: 1,
          mirrorShare: 0,
          needsLatency: false,
          needsOutcomes: false,
          needsSegments: false,
          control,
          candidate,
          candidateWorse: false,
        });
        window.candidate!.inputs!.promptLength.forEach((count, k) => (total[k] += count));
      }
      return total;
    };
    const psi = binnedPsi(pooled(150), pooled(90 * 86400)).psi;
    expect(psi).toBeGreaterThan(0.25);
    expect(Math.abs(psi - 0.3908091599415253)).toBeLessThan(0.01);
  });

  it('daily cycle: the historical baseline falsely rolls back during the nightly slowdown, the concurrent one rarely', () => {
    const world = scenario('daily-cycle-historical-baseline');
    const historical = outcomes(world);
    expect(share(historical, (o) => o.falseRollback)).toBeGreaterThanOrEqual(0.9);
    // The false rollbacks come in the window of the nightly job (02:00–03:00 on day 1), on latency.
    expect(
      share(historical, (o) => o.decisionTime !== null && o.decisionTime > 26 * 3600 && o.decisionTime <= 27 * 3600 + 300),
    ).toBeGreaterThanOrEqual(0.9);
    const first = playbackReplicate(world, acceptedPolicy(world.policy), SEED, 0).windows.find((w) => w.decision === 'rollback')!;
    expect(first.reasons.map((reason) => reason.message).join(' ')).toMatch(/^candidate p95 latency [\d.]+ is [\d.]+× the baseline's/);
    const concurrent = structuredClone(world.policy) as { baseline: { mode: string } };
    concurrent.baseline.mode = 'concurrent';
    expect(share(outcomes(world, concurrent), (o) => o.falseRollback)).toBeLessThanOrEqual(0.1);
  });

  it('real bursty traffic: the sized canary promotes; the usual 5% canary holds every check and rolls back at its limit', () => {
    const world = scenario('azure-llm-trace');
    expect(share(outcomes(world), (o) => o.decision === 'promote')).toBeGreaterThanOrEqual(0.95);
    const usual = structuredClone(world.policy) as { stages: Record<string, unknown>[] };
    usual.stages[0] = {
      kind: 'canary',
      traffic: 0.05,
      minDuration: '2h',
      maxDuration: '4h',
      checkInterval: '5m',
      rules: [
        { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
        { type: 'ratio', metric: 'latencyP95', maxRatio: 1.5 },
        { type: 'ratio', metric: 'latencyP50', maxRatio: 1.2 },
        { type: 'ratio', metric: 'timeoutRate', maxRatio: 2 },
      ],
    };
    const runs = outcomes(world, usual);
    expect(
      share(runs, (o) => o.decision === 'rollback' && o.stageName === 'canary 5%' && o.decisionTime === 4 * 3600),
    ).toBeGreaterThanOrEqual(0.95);
    const playback = playbackReplicate(world, acceptedPolicy(usual), SEED, 0);
    const canaryWindows = playback.windows.filter((w) => w.stage === 'canary 5%');
    expect(canaryWindows.every((w) => w.decision === 'hold' || w.decision === 'rollback')).toBe(true);
    const meanRequests = canaryWindows.reduce((sum, w) => sum + w.candidateRequests, 0) / canaryWindows.length;
    // "a few dozen" per check, against the 100 the guard needs.
    expect(meanRequests).toBeGreaterThan(12);
    expect(meanRequests).toBeLessThan(60);
    expect(canaryWindows.slice(0, -1).every((w) => w.decision === 'hold')).toBe(true);
    expect(
      canaryWindows
        .at(-1)!
        .reasons.map((reason) => reason.message)
        .join(' '),
    ).toMatch(/maximum 4h without a conclusion/);
  });
});

describe('the app side of the library', () => {
  it('plays the embedded policy (else the default), lists the refused policy errors, and draws the policy error-ratio limit', () => {
    const world = libraryScenario('instant-100-percent');
    expect(scenarioPolicy(world).name).toBe('5% canary first');
    expect(refusedPolicyErrors(world)).toEqual([
      "stages[0].kind: 'full' follows the start without a canary; add a canary stage, or skipCanary: { reason } to skip it on record",
      'stages[0]: the first stage that serves the candidate sends it 100% of traffic (instant 100%); start with a canary at a small share',
    ]);
    expect(refusedPolicyErrors(libraryScenario('no-rollback-plan'))).toEqual([]);
    expect(errorRatioLimit(scenarioPolicy(world), 9)).toBe(2);
    expect(errorRatioLimit(scenarioPolicy(libraryScenario('azure-llm-trace')), 9)).toBe(9);
    const plain = loadScenario('scenarios/identical-candidate.json');
    expect(scenarioPolicy(plain).name).toBe('framework default');
    expect(() => scenarioPolicy({ ...plain, policy: { version: 2 } })).toThrow(
      /^the scenario's policy is invalid: version: must be 1, got 2/,
    );
  });

  it('the playback state keeps the chosen scenario, and falls back to the lab for an unknown one', () => {
    expect(decodeState(playbackSchema, new URLSearchParams('scenario=drift-after-three-months')).scenario).toBe('drift-after-three-months');
    expect(decodeState(playbackSchema, new URLSearchParams('scenario=nope')).scenario).toBe('lab');
    expect(encodeState(playbackSchema, { ...initialState(playbackSchema), scenario: 'untested-rollback' }).get('scenario')).toBe(
      'untested-rollback',
    );
  });
});

/**
 * Every policy the project ships (the default, scenarios/, scenarios/library/) and generated
 * valid policies (fast-check), exported and judged by the controllers' own rules as encoded in
 * src/engine/export/argoAnalysisSemantics.ts and flaggerAnalysisSemantics.ts:
 * - Argo accepts every AnalysisTemplate (`ValidateMetrics`);
 * - at zero traffic (every query empty, the decision service `inconclusive`) each stage's run
 *   ends as the engine's own `step` ends that stage on empty windows: Inconclusive → the rollout
 *   pauses where the policy holds, Failed → it aborts where the policy rolls back; never passes;
 * - with healthy traffic each run passes after exactly the stage's minimum duration of checks;
 * - Flagger: the analysis satisfies the Canary CRD's required fields, a quiet check fails, and
 *   at zero traffic the canary never promotes; where the policy rolls back Flagger rolls back
 *   too, and where the policy holds, the export's notes say when Flagger rolls back instead.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { initialState } from '../../../src/engine/controller/controllerState.ts';
import { step } from '../../../src/engine/controller/step.ts';
import { argoRolloutAction, runArgoAnalysis, validateArgoMetrics } from '../../../src/engine/export/argoAnalysisSemantics.ts';
import { argoRolloutsYaml, argoStageLimits } from '../../../src/engine/export/argoRollouts.ts';
import type { FlaggerMode } from '../../../src/engine/export/flagger.ts';
import { exportFlagger, flaggerExportNotes } from '../../../src/engine/export/flagger.ts';
import { flaggerMetricPasses, flaggerOutcome } from '../../../src/engine/export/flaggerAnalysisSemantics.ts';
import { planStages } from '../../../src/engine/export/stagePlan.ts';
import { formatDuration } from '../../../src/engine/policy/duration.ts';
import { absoluteRule, ratioRule } from '../../../src/engine/policy/healthRules.ts';
import { parsePolicy } from '../../../src/engine/policy/parsePolicy.ts';
import type { Policy, Stage } from '../../../src/engine/policy/policy.ts';
import { abStage, baselineStage, canaryStage, fullStage, promoteStage, shadowStage } from '../../../src/engine/policy/stages.ts';
import {
  argoDocuments,
  argoRunAtZeroTraffic,
  argoRunWhenHealthy,
  measurementOf,
  policyAtZeroTraffic,
  shippedPolicies,
} from './controllerSemantics.ts';
import { concurrentPolicy } from './policies.ts';

/** Per checked stage: Argo's validation problems, its zero-traffic and healthy runs, and the policy's zero-traffic outcome. */
function judgeArgo(policy: Policy) {
  const docs = argoDocuments(policy);
  const templates = docs.filter((d) => d.kind === 'AnalysisTemplate');
  const stages = planStages(parsePolicy(policy).ok ? (parsePolicy(policy) as { policy: Policy }).policy : policy);
  return templates.map((template) => {
    const index = Number(template.metadata.labels['rollout-lab/stage-index']);
    const stage = stages[index];
    const metrics = template.spec.metrics;
    const zero = argoRunAtZeroTraffic(metrics);
    const healthy = argoRunWhenHealthy(metrics);
    const budget = stage.maxDurationSeconds === null ? 2000 : Math.ceil(stage.maxDurationSeconds / stage.intervalSeconds) + 2;
    const own = policyAtZeroTraffic(policy, index, stage.intervalSeconds, budget);
    return { index, kind: stage.kind, stage, problems: validateArgoMetrics(metrics), zero, healthy, own };
  });
}

const policyAction = { hold: 'pause', rollback: 'abort' } as const;

function checkArgo(policy: Policy) {
  for (const judged of judgeArgo(policy)) {
    const where = `stage ${judged.index} (${judged.kind})`;
    expect(judged.problems, where).toEqual([]);
    expect(['hold', 'rollback'], where).toContain(judged.own.decision);
    expect(argoRolloutAction(judged.zero.phase), where).toBe(policyAction[judged.own.decision as 'hold' | 'rollback']);
    // Healthy: Successful after the minimum duration's checks (the baseline: its one request check).
    expect(judged.healthy.phase, where).toBe('Successful');
    if (judged.kind !== 'baseline')
      expect(judged.healthy.rounds * judged.stage.intervalSeconds, where).toBe(
        Math.max(
          judged.stage.intervalSeconds,
          Math.ceil(judged.stage.minDurationSeconds / judged.stage.intervalSeconds - 1e-9) * judged.stage.intervalSeconds,
        ),
      );
    // A rollback is never later than the policy's (it comes once the policy can no longer pass in time).
    if (judged.own.decision === 'rollback') expect(judged.zero.rounds, where).toBeLessThanOrEqual(judged.own.windows);
  }
}

/** The Flagger modes a policy has stages for. */
function flaggerModes(policy: Policy): FlaggerMode[] {
  const kinds = new Set(policy.stages.map((stage) => stage.kind));
  return (['progressive', 'shadow', 'ab'] as const).filter((mode) => kinds.has(mode === 'progressive' ? 'canary' : mode));
}

function checkFlagger(policy: Policy) {
  const stages = planStages((parsePolicy(policy) as { policy: Policy }).policy);
  for (const mode of flaggerModes(policy)) {
    const { canary } = exportFlagger(policy, { mode });
    const analysis = JSON.parse(JSON.stringify(canary.spec)).analysis;
    // Canary CRD (fluxcd/flagger artifacts/flagger/crd.yaml): exactly one of the required sets; intervals "^[0-9]+(m|s)".
    const variants = [
      ['interval', 'threshold', 'iterations'],
      ['interval', 'threshold', 'stepWeight'],
      ['interval', 'threshold', 'stepWeights'],
    ];
    expect(
      variants.filter((required) => required.every((key) => analysis[key] !== undefined)),
      mode,
    ).toHaveLength(1);
    expect(analysis.interval).toMatch(/^[0-9]+(m|s)/);
    // A quiet window: request-count below minRequests, every other query empty — a failed check.
    const quiet = analysis.metrics.every((metric: any) => flaggerMetricPasses(metric, null));
    expect(quiet).toBe(false);
    expect(flaggerMetricPasses(analysis.metrics[0], analysis.metrics[0].thresholdRange.min - 1)).toBe(false);
    const zero = flaggerOutcome(
      analysis,
      Array.from({ length: 10_000 }, () => false),
    );
    expect(zero.outcome, mode).toBe('rollback');
    expect(zero.checks).toBe(analysis.threshold);
    // Healthy: promotes after one passing check per step (or the iterations).
    const healthy = flaggerOutcome(
      analysis,
      Array.from({ length: 10_000 }, () =>
        analysis.metrics.every((metric: any) => flaggerMetricPasses(metric, metric.thresholdRange.min ?? 0)),
      ),
    );
    expect(healthy.outcome).toBe('promote');
    // Where the policy holds, the notes say when Flagger rolls back instead.
    const kind = mode === 'progressive' ? 'canary' : mode;
    const intervalSeconds = Math.min(...stages.filter((stage) => stage.kind === kind).map((stage) => stage.intervalSeconds));
    const notes = flaggerExportNotes(policy, { mode }).join('\n');
    expect(notes).toContain(
      `${analysis.threshold} failed check(s), i.e. ${formatDuration(analysis.threshold * intervalSeconds)} of quiet, roll the canary back`,
    );
    for (const stage of stages.filter((s) => s.kind === kind)) {
      expect(notes).toContain(
        stage.onNoData === 'hold'
          ? 'holds until traffic returns'
          : `rolls back at its maximum duration ${formatDuration(stage.maxDurationSeconds!)}`,
      );
    }
  }
}

describe('shipped policies', () => {
  const policies = shippedPolicies();

  test('the shipped set: the default and the 18 scenario and library files that hold a policy', () => {
    expect(policies.map(([name]) => name)).toHaveLength(19);
  });

  test.each(policies)('%s: Argo accepts it and, at zero traffic, does what the policy does', (_name, policy) => {
    checkArgo(policy);
  });

  test.each(policies)('%s: Flagger never promotes on no data and its notes state the difference', (_name, policy) => {
    checkFlagger(policy);
  });

  test('the tiny-samples A/B test: Argo accepts its counts (the old export wrote count 72, inconclusiveLimit 792)', () => {
    const [, policy] = policies.find(([name]) => name.endsWith('ab-test-tiny-samples.json'))!;
    const ab = argoDocuments(policy).find((d) => d.metadata.labels?.['rollout-lab/stage-kind'] === 'ab');
    // Its one guardrail is statistical: the decision service's verdict is the metric.
    const metric = ab.spec.metrics.find((m: any) => m.name === 'decision-service');
    // 6 h minimum (72 checks of 5 m), 3 d maximum (864 checks), rollback at the maximum.
    expect(metric).toMatchObject({ count: 864, consecutiveSuccessLimit: 72, failureLimit: 0, inconclusiveLimit: 793 });
    expect(ab.spec.metrics[0]).toMatchObject({
      name: 'enough-requests',
      count: 864,
      failureLimit: 792,
      successCondition: 'len(result) > 0 && result[0] >= 20',
    });
    expect(validateArgoMetrics(ab.spec.metrics)).toEqual([]);
    expect(validateArgoMetrics([{ ...metric, count: 72, inconclusiveLimit: 792, consecutiveSuccessLimit: undefined }])).toEqual([
      'metrics[0]: count (72) must be >= inconclusiveLimit (792)',
    ]);
  });

  test('zero traffic on the default policy: each stage pauses or aborts as the policy holds or rolls back', () => {
    const judged = judgeArgo(shippedPolicies()[0][1]);
    expect(judged.map((j) => [j.kind, j.zero.phase, j.zero.rounds, j.own.decision])).toEqual([
      // Without a maximum the policy holds for good: Argo pauses once as many checks were held as the stage needs passes.
      ['baseline', 'Inconclusive', 1, 'hold'],
      ['shadow', 'Inconclusive', 289, 'hold'],
      // With one, the policy rolls back at it: Argo aborts at the first check after which the stage can no longer pass in time.
      ['canary', 'Failed', 25, 'rollback'],
      ['canary', 'Failed', 73, 'rollback'],
      ['ab', 'Failed', 289, 'rollback'],
      ['full', 'Inconclusive', 13, 'hold'],
    ]);
    // The policy rolls the canaries back at their maximum durations (4 h, 12 h: 48 and 144 windows).
    expect(judged.filter((j) => j.own.decision === 'rollback').map((j) => j.own.windows)).toEqual([48, 144, 576]);
  });
});

describe('the old export passed on no data', () => {
  test('count = inconclusiveLimit with no consecutiveSuccessLimit: an all-inconclusive run is Successful in Argo', () => {
    // What the export wrote before: count 24, inconclusiveLimit 24, failureLimit 0 (default policy, canary 5%).
    const old = {
      name: 'error-rate-ratio',
      interval: '5m',
      count: 24,
      failureLimit: 0,
      inconclusiveLimit: 24,
      successCondition: 'len(result) > 0 && result[0] <= 2',
      failureCondition: 'len(result) > 0 && result[0] > 2',
      provider: { prometheus: {} },
    };
    expect(validateArgoMetrics([old])).toEqual([]);
    expect(argoRunAtZeroTraffic([old])).toMatchObject({ phase: 'Successful', rounds: 24 });
  });
});

/** A generated valid policy: optional baseline and shadow, 1–3 canaries, optional A/B, full, promote. */
const generatedPolicy = fc
  .record({
    interval: fc.constantFrom(1, 5, 10, 15),
    historical: fc.boolean(),
    shadow: fc.boolean(),
    canaries: fc.uniqueArray(fc.integer({ min: 1, max: 90 }), { minLength: 1, maxLength: 3 }),
    minChecks: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 5, maxLength: 5 }),
    extraMinutes: fc.array(fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }), { minLength: 5, maxLength: 5 }),
    failureLimit: fc.integer({ min: 1, max: 4 }),
    minRequests: fc.integer({ min: 0, max: 500 }),
    onMaxDuration: fc.constantFrom<'rollback' | 'hold'>('rollback', 'hold'),
    ab: fc.boolean(),
    stageFailureLimit: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    // Counting modes (issue 14); a quiet window held or counted as failing (an inconclusive one pauses Argo
    // where a policy rolling back at its maximum duration does not: the export's notes say so).
    failureCounting: fc.constantFrom<'consecutive' | 'total' | 'mOfN'>('consecutive', 'total', 'mOfN'),
    onNoData: fc.constantFrom<'hold' | 'fail' | 'inconclusive'>('hold', 'fail', 'inconclusive'),
    inconclusiveLimit: fc.integer({ min: 1, max: 6 }),
  })
  .map((g): Policy => {
    const durations = (i: number) => {
      const min = g.minChecks[i] * g.interval;
      const extra = g.extraMinutes[i];
      return {
        minDuration: `${min}m`,
        checkInterval: `${g.interval}m`,
        ...(extra !== undefined ? { maxDuration: `${min + extra}m` } : {}),
      };
    };
    const stages: Stage[] = [];
    if (g.historical)
      stages.push(baselineStage({ minDuration: `${g.minChecks[0] * g.interval}m`, minRequests: 1000, checkInterval: `${g.interval}m` }));
    if (g.shadow) stages.push(shadowStage({ ...durations(0), traffic: 0.5 }));
    [...g.canaries]
      .sort((a, b) => a - b)
      .forEach((traffic, i) =>
        stages.push(
          canaryStage({
            traffic: traffic / 100,
            ...durations(i + 1),
            rules: [ratioRule('errorRate', 2), absoluteRule('latencyP99', 900)],
            ...(i === 0 && g.stageFailureLimit ? { guards: { failureLimit: g.stageFailureLimit } } : {}),
          }),
        ),
      );
    if (g.ab)
      stages.push(
        abStage({ traffic: 0.5, ...durations(4), maxDuration: `${g.minChecks[4] * g.interval + 60}m`, test: { minimumEffect: 0.02 } }),
      );
    stages.push(fullStage({ minDuration: `${g.interval}m`, checkInterval: `${g.interval}m` }), promoteStage());
    return {
      version: 1,
      name: 'generated',
      baseline: { mode: g.historical ? 'historical' : 'concurrent' },
      guards: {
        minRequests: g.minRequests,
        failureLimit: g.failureLimit,
        ...(g.failureCounting === 'consecutive' ? {} : { failureCounting: g.failureCounting }),
        ...(g.failureCounting === 'mOfN' ? { failureWindow: 4 } : {}),
        ...(g.onNoData === 'fail' ? { onNoData: g.onNoData } : {}),
        // Inconclusive: only where the policy holds at its maximum duration, as Argo's pause does.
        ...(g.onNoData === 'inconclusive' && g.onMaxDuration === 'hold'
          ? { onNoData: g.onNoData, inconclusiveLimit: g.inconclusiveLimit }
          : {}),
      },
      onMaxDuration: g.onMaxDuration,
      stages,
    };
  });

describe('generated policies (fast-check)', () => {
  test('every valid generated policy: Argo accepts it and matches the policy at zero traffic; Flagger never promotes on no data', () => {
    let checked = 0;
    fc.assert(
      fc.property(generatedPolicy, (policy) => {
        const parsed = parsePolicy(policy);
        fc.pre(parsed.ok);
        checkArgo(policy);
        checkFlagger(policy);
        checked += 1;
      }),
      { seed: 20261204, numRuns: 120 },
    );
    expect(checked).toBeGreaterThan(60);
  });

  test('the counts obey Argo for any check budget: C ≥ F + P, C ≥ I + P; I = M − P with a maximum of M checks, P + F without', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
        fc.integer({ min: 1, max: 6 }),
        (passes, extra, failureLimit) => {
          const policy: Policy = {
            version: 1,
            baseline: { mode: 'concurrent' },
            guards: { failureLimit },
            stages: [
              canaryStage({
                traffic: 0.1,
                minDuration: `${passes * 5}m`,
                ...(extra !== undefined ? { maxDuration: `${passes * 5 + extra}m` } : {}),
              }),
              promoteStage(),
            ],
          };
          const limits = argoStageLimits(planStages(policy)[0]);
          expect(limits.count).toBeGreaterThanOrEqual(limits.failures + limits.passes);
          expect(limits.count).toBeGreaterThanOrEqual(limits.holds + limits.passes);
          expect(limits.holds).toBe(extra === undefined ? passes + failureLimit - 1 : Math.floor(extra / 5));
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});

test('the YAML carries the notes as comments that a YAML reader skips', () => {
  const text = argoRolloutsYaml(shippedPolicies()[0][1]);
  expect(text.split('\n')[0]).toBe(
    '# Argo Rollouts export by rollout-lab (needs Argo Rollouts >= 1.8 for consecutiveSuccessLimit; older versions run every count check).',
  );
  expect(parseAllDocuments(text).map((d) => d.toJS().kind)).toContain('Rollout');
});

describe('low traffic: every other window below minRequests (a documented difference)', () => {
  test('the simulator counts the passes between quiet windows and advances; Argo needs them in a row and pauses', () => {
    const policy = concurrentPolicy();
    const stage = planStages(policy)[0];
    // Engine: windows alternate between no traffic and healthy traffic (both arms 1,000 requests, no errors).
    const state = initialState(policy, 0);
    const healthy = { requests: 1000, errors: 0, timeouts: 0, latency: { p50: 100, p95: 200, p99: 300 } };
    const quiet = { requests: 0, errors: 0, timeouts: 0 };
    let decision = 'continue';
    let windows = 0;
    while ((decision === 'continue' || decision === 'hold') && windows < 200) {
      const arm = windows % 2 === 0 ? quiet : healthy;
      decision = step(
        state,
        [{ startTime: windows * stage.intervalSeconds, duration: stage.intervalSeconds, control: { ...arm }, candidate: { ...arm } }],
        policy,
      ).decision;
      windows += 1;
    }
    // 30 passing minutes needed, one every other window: the 30th pass is window 60, the maximum (1 h).
    expect([decision, windows]).toEqual(['advance', 60]);
    // Argo: the same windows, the export's metrics (quiet: empty results, healthy: ratios 0, counts 1,000).
    const template = argoDocuments(policy).find((d) => d.metadata.labels?.['rollout-lab/stage-index'] === '0');
    const run = runArgoAnalysis(template.spec.metrics, (metric: any, round) =>
      measurementOf(
        metric,
        metric.provider.web !== undefined
          ? round % 2 === 0
            ? 'inconclusive'
            : 'healthy'
          : round % 2 === 0
            ? []
            : metric.name === 'enough-requests'
              ? [1000]
              : [0],
      ),
    );
    expect(argoStageLimits(stage)).toEqual({ passes: 30, failures: 2, count: 60, holds: 30, onNoData: 'rollback' });
    // 30 quiet windows are within the 30 held checks the stage affords (no abort), but no 30 passes
    // came in a row: at check 60 the run is Inconclusive and the rollout pauses for a person.
    expect([run.phase, run.rounds, argoRolloutAction(run.phase)]).toEqual(['Inconclusive', 60, 'pause']);
  });
});

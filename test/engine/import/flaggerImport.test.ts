/**
 * The Flagger importer: the fixtures (written in the shapes of the Flagger documentation,
 * test/fixtures/import/flagger/) read into the policies and reports worked out by hand from
 * Flagger's controller (fluxcd/flagger 15bd6ad5, pkg/controller/scheduler.go and
 * scheduler_metrics.go); the step weights against the documentation's own arithmetic; round trips
 * with our exporter for every shipped policy (export → import gives the policy as Flagger can
 * express it, with the differences listed below; import → export → import is a fixed point); and
 * bad input as one-line errors naming the document and field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { initialState } from '../../../src/engine/controller/controllerState.ts';
import { step } from '../../../src/engine/controller/step.ts';
import type { FlaggerMode } from '../../../src/engine/export/flagger.ts';
import { flaggerYaml } from '../../../src/engine/export/flagger.ts';
import { flaggerChecksToPromote, flaggerOutcome } from '../../../src/engine/export/flaggerAnalysisSemantics.ts';
import { checkCount, planStages } from '../../../src/engine/export/stagePlan.ts';
import { importFlagger } from '../../../src/engine/import/flaggerImport.ts';
import { flaggerStepWeights } from '../../../src/engine/import/flaggerSteps.ts';
import type { ImportOptions, ImportResult } from '../../../src/engine/import/importTypes.ts';
import { formatLocation, ImportError } from '../../../src/engine/import/importTypes.ts';
import { writeBack } from '../../../src/engine/import/writeBack.ts';
import { readYamlDocuments } from '../../../src/engine/import/yamlDocuments.ts';
import { formatDuration, parseDuration } from '../../../src/engine/policy/duration.ts';
import { formatPolicyError, parsePolicy } from '../../../src/engine/policy/parsePolicy.ts';
import type { HealthRule, Policy } from '../../../src/engine/policy/policy.ts';
import { shippedPolicies } from '../export/controllerSemantics.ts';
import { concurrentPolicy, shadowAbPolicy } from '../export/policies.ts';

const fixtures = join(import.meta.dirname, '../../fixtures/import/flagger');

function fixture(file: string): string {
  return readFileSync(join(fixtures, file), 'utf8');
}

function importText(name: string, text: string, options: ImportOptions = {}): ImportResult {
  return importFlagger(readYamlDocuments([{ name, text }]), options);
}

function importFixture(file: string, options: ImportOptions = {}): ImportResult {
  return importText(file, fixture(file), options);
}

/** The policy must pass the engine's own validation. */
function expectValid(policy: Policy): void {
  const parsed = parsePolicy(policy);
  expect(parsed.ok ? [] : parsed.errors.map(formatPolicyError)).toEqual([]);
}

/** `location → policy path: source value → policy value (written back as …)` for every mapped field. */
function mappedLines(result: ImportResult): string[] {
  return result.report.mapped.map(
    (field) =>
      `${formatLocation(field.source)} → ${field.policyPath.join('.')}: ${JSON.stringify(field.sourceValue)} → ${JSON.stringify(field.policyValue)}${
        field.toSource ? ` (back: ${JSON.stringify(field.toSource(field.policyValue))})` : ''
      }`,
  );
}

const totalGuards = (minRequests: number, failureLimit: number) => ({
  minRequests,
  failureLimit,
  failureCounting: 'total',
  failureScope: 'rollout',
  onNoData: 'fail',
});

describe('flaggerStepWeights (Flagger scheduler.go nextStepWeight / maxWeight)', () => {
  test('stepWeight 2 up to maxWeight 50: 25 steps, "interval * (maxWeight / stepWeight)" of deployment-strategies.md', () => {
    const weights = flaggerStepWeights({ stepWeight: 2, maxWeight: 50 });
    expect(weights.length).toBe(25);
    expect(weights[0]).toBe(2);
    expect(weights[24]).toBe(50);
  });
  test('stepWeight 20, maxWeight 50: the weight is capped at 100, not at maxWeight — 20, 40, 60', () => {
    expect(flaggerStepWeights({ stepWeight: 20, maxWeight: 50 })).toEqual([20, 40, 60]);
    expect(flaggerChecksToPromote({ threshold: 1, stepWeight: 20, maxWeight: 50 })).toBe(3);
  });
  test('stepWeights [1, 2, 10, 80] walk the list; stepWeight wins over stepWeights; no maxWeight means 100', () => {
    expect(flaggerStepWeights({ stepWeights: [1, 2, 10, 80] })).toEqual([1, 2, 10, 80]);
    expect(flaggerStepWeights({ stepWeight: 30, stepWeights: [1, 2, 10, 80] })).toEqual([30, 60, 90]);
    expect(flaggerStepWeights({ stepWeight: 30 })).toEqual([30, 60, 90, 100]);
    expect(flaggerStepWeights({})).toEqual([]);
  });
  test('the importer reports what Flagger ignores: maxWeight beside stepWeights', () => {
    const text = fixture('step-weights.yaml').replace('stepWeights: [1, 2, 10, 80]', 'stepWeights: [1, 2, 10, 80]\n    maxWeight: 50');
    const result = importText('steps.yaml', text, { map: { 'latency-vs-primary': 'latencyP95' } });
    expect(result.policy.stages.map((s) => (s.kind === 'canary' ? s.traffic : s.kind))).toEqual([0.01, 0.02, 0.1, 0.8, 'promote']);
    expect(result.report.unrepresented.map((u) => `${formatLocation(u.source)}: ${u.reason}`)).toEqual([
      'steps.yaml#2 Canary/podinfo .spec.analysis.maxWeight: maxWeight is ignored when stepWeights is set: the last of stepWeights (80) is the largest weight',
    ]);
  });
});

describe('importFlagger: the documentation-shaped fixtures', () => {
  test('progressive canary (how-it-works.md + metrics.md): ten 1-minute steps of 5% to 50%, the built-ins and the 404s percentage', () => {
    const result = importFixture('progressive.yaml', { map: { '404s percentage': 'errorRate' } });
    const rules: HealthRule[] = [
      { type: 'absolute', metric: 'errorRate', max: 0.01 },
      { type: 'absolute', metric: 'latencyP99', max: 500 },
      { type: 'absolute', metric: 'errorRate', max: 0.05 },
    ];
    expect(result.policy).toEqual({
      version: 1,
      name: 'podinfo',
      description: 'Imported from Flagger Canary/podinfo (progressive canary).',
      baseline: { mode: 'concurrent' },
      guards: totalGuards(1, 10),
      stages: [
        ...[5, 10, 15, 20, 25, 30, 35, 40, 45, 50].map((weight) => ({
          kind: 'canary',
          traffic: weight / 100,
          minDuration: '1m',
          checkInterval: '1m',
          rules,
        })),
        { kind: 'promote' },
      ],
    });
    expectValid(result.policy);
    // As many passing checks as Flagger needs to promote (one per step).
    expect(result.policy.stages.length - 1).toBe(flaggerChecksToPromote({ threshold: 10, stepWeight: 5, maxWeight: 50 }));
    const lines = mappedLines(result);
    expect(lines).toContain('progressive.yaml#2 Canary/podinfo .spec.analysis.stepWeight → stages.0.traffic: 5 → 0.05 (back: 5)');
    expect(lines).toContain('progressive.yaml#2 Canary/podinfo .spec.analysis.maxWeight → stages.9.traffic: 50 → 0.5 (back: 50)');
    expect(lines).toContain('progressive.yaml#2 Canary/podinfo .spec.analysis.threshold → guards.failureLimit: 10 → 10');
    expect(lines).toContain(
      'progressive.yaml#2 Canary/podinfo .spec.analysis.metrics[0].thresholdRange.min → stages.3.rules.0.max: 99 → 0.01 (back: 99)',
    );
    expect(lines).toContain(
      'progressive.yaml#2 Canary/podinfo .spec.analysis.metrics[1].thresholdRange.max → stages.3.rules.1.max: 500 → 500',
    );
    expect(lines).toContain(
      'progressive.yaml#2 Canary/podinfo .spec.analysis.metrics[2].thresholdRange.max → stages.9.rules.2.max: 5 → 0.05 (back: 5)',
    );
    expect(lines).toContain('progressive.yaml#2 Canary/podinfo .spec.analysis.interval → stages.9.checkInterval: "1m" → "1m" (back: "1m")');
    // 10 stages × (analysis interval + 3 metric intervals) + 10 × 3 rules + stepWeight + maxWeight + threshold
    expect(result.report.mapped.length).toBe(40 + 30 + 3);
    expect(result.report.unrepresented.map((u) => `${formatLocation(u.source)}: ${u.reason}`)).toEqual([
      'progressive.yaml#2 Canary/podinfo .spec.analysis.webhooks[0]: rollout webhook load-test: a failing call fails the check, which the policy cannot simulate (it is assumed to pass)',
    ]);
    expect(result.report.assumptions.map((a) => a.text)).toContain('404s percentage is the errorRate (--map)');
    expect(result.report.zeroTraffic).toBe(
      'Flagger has no hold: with no traffic a metric query returns no value ("Halt advancement no values found"), the check fails and counts toward threshold, so 10 quiet check(s) — 10m — roll the canary back. ' +
        "The imported policy does the same (guards.onNoData 'fail', failures counted in total over the rollout).",
    );
  });

  test('without --map the custom metric is reported, not guessed', () => {
    const result = importFixture('progressive.yaml');
    expect((result.policy.stages[0] as { rules: HealthRule[] }).rules).toHaveLength(2);
    expect(result.report.unrepresented.map((u) => formatLocation(u.source))).toContain(
      'progressive.yaml#2 Canary/podinfo .spec.analysis.metrics[2]',
    );
  });

  test('stepWeights [1, 2, 10, 80] every 2m, success rate 99.5%, and a p95 ratio to the primary read as a ratio rule', () => {
    const result = importFixture('step-weights.yaml', { map: { 'latency-vs-primary': 'latencyP95' } });
    const rules: HealthRule[] = [
      { type: 'absolute', metric: 'errorRate', max: 0.005 },
      { type: 'absolute', metric: 'latencyP99', max: 800 },
      { type: 'ratio', metric: 'latencyP95', maxRatio: 1.25 },
    ];
    expect(result.policy.guards).toEqual(totalGuards(1, 3));
    expect(result.policy.stages).toEqual([
      ...[0.01, 0.02, 0.1, 0.8].map((traffic) => ({ kind: 'canary', traffic, minDuration: '2m', checkInterval: '2m', rules })),
      { kind: 'promote' },
    ]);
    expectValid(result.policy);
    const lines = mappedLines(result);
    expect(lines).toContain('step-weights.yaml#2 Canary/podinfo .spec.analysis.stepWeights[3] → stages.3.traffic: 80 → 0.8 (back: 80)');
    expect(lines).toContain(
      'step-weights.yaml#2 Canary/podinfo .spec.analysis.metrics[2].thresholdRange.max → stages.1.rules.2.maxRatio: 1.25 → 1.25',
    );
    expect(lines).toContain(
      'step-weights.yaml#2 Canary/podinfo .spec.analysis.metrics[0].thresholdRange.min → stages.0.rules.0.max: 99.5 → 0.005 (back: 99.5)',
    );
    expect(result.report.unrepresented).toEqual([]);
    expect(result.report.zeroTraffic).toContain('so 3 quiet check(s) — 6m — roll the canary back');
  });

  test('A/B by header and cookie (iterations 10, threshold 2): an A/B stage of 10 minutes with the metrics as guardrails', () => {
    const result = importFixture('ab-header.yaml');
    expect(result.policy).toEqual({
      version: 1,
      name: 'abtest',
      description: 'Imported from Flagger Canary/abtest (A/B testing).',
      baseline: { mode: 'concurrent' },
      guards: totalGuards(1, 2),
      skipCanary: {
        reason: 'Flagger A/B testing routes the matched cohort to the candidate from the first iteration, without a weighted canary',
      },
      stages: [
        {
          kind: 'ab',
          traffic: 0.5,
          minDuration: '10m',
          checkInterval: '1m',
          test: {
            metric: 'successRate',
            alpha: 0.05,
            power: 0.8,
            minimumEffect: 0.02,
            design: { type: 'fixed' },
            onInconclusive: 'advance',
          },
          guardrails: [
            { type: 'absolute', metric: 'errorRate', max: 0.01 },
            { type: 'absolute', metric: 'latencyP99', max: 500 },
          ],
        },
        { kind: 'promote' },
      ],
    });
    expectValid(result.policy);
    const lines = mappedLines(result);
    expect(lines).toContain('ab-header.yaml#1 Canary/abtest .spec.analysis.iterations → stages.0.minDuration: 10 → "10m" (back: 10)');
    const iterations = result.report.mapped.find((m) => m.policyPath.join('.') === 'stages.0.minDuration');
    expect(iterations?.toSource?.('25m')).toBe(25);
    expect(iterations?.toSource?.('90s')).toBe(2);
    expect(result.report.assumptions.map((a) => a.text)).toContain(
      'Flagger routes the A/B cohort by header or cookie and the Canary does not say how much traffic matches: assumed 50%',
    );
  });

  test('Blue/Green with mirroring (iterations 10, mirrorWeight 100): shadow of ten checks, one check at 100%, promote', () => {
    const result = importFixture('blue-green-mirror.yaml');
    expect(result.policy.guards).toEqual(totalGuards(1, 2));
    expect(result.policy.skipCanary).toEqual({
      reason: 'Flagger Blue/Green switches all traffic to the candidate after the mirrored iterations',
    });
    expect(result.policy.stages).toEqual([
      {
        kind: 'shadow',
        minDuration: '10m',
        checkInterval: '1m',
        traffic: 1,
        comparison: { method: 'exact' },
        gates: { minAgreement: 0.85, maxLatencyRatio: 1.5, maxErrorRatio: 2, minComparisons: 1000 },
      },
      {
        kind: 'full',
        traffic: 1,
        minDuration: '1m',
        checkInterval: '1m',
        rules: [
          { type: 'absolute', metric: 'errorRate', max: 0.01 },
          { type: 'absolute', metric: 'latencyP99', max: 500 },
        ],
      },
      { kind: 'promote' },
    ]);
    expectValid(result.policy);
    expect(mappedLines(result)).toContain(
      'blue-green-mirror.yaml#1 Canary/podinfo .spec.analysis.mirrorWeight → stages.0.traffic: 100 → 1 (back: 100)',
    );
    // The absolute limits Flagger checks while mirroring have no shadow form: reported.
    expect(result.report.unrepresented.map((u) => formatLocation(u.source))).toEqual([
      'blue-green-mirror.yaml#1 Canary/podinfo .spec.analysis.metrics[0].thresholdRange.min',
      'blue-green-mirror.yaml#1 Canary/podinfo .spec.analysis.metrics[1].thresholdRange.max',
    ]);
    // As many checks as Flagger's runBlueGreen runs before it promotes: the 10 mirrored ones and one at 100%.
    const checks = result.policy.stages.reduce(
      (sum, stage) =>
        stage.kind === 'promote'
          ? sum
          : sum +
            parseDuration((stage as { minDuration: string }).minDuration) /
              parseDuration((stage as { checkInterval: string }).checkInterval),
      0,
    );
    expect(checks).toBe(flaggerChecksToPromote({ threshold: 2, iterations: 10 }));
    expect(checks).toBe(11);
  });

  test('conversions read other forms: deprecated threshold, percent and seconds in custom queries, success-rate minimum, request-count', () => {
    const text = `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata: { name: errors-fraction }
spec: { provider: { type: prometheus }, query: 'sum(rate(errors{pod=~"{{ target }}"}[1m])) / sum(rate(requests{pod=~"{{ target }}"}[1m]))' }
---
apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata: { name: success-percent }
spec: { provider: { type: prometheus }, query: 'sum(rate(ok{pod=~"{{ target }}"}[1m])) / sum(rate(requests{pod=~"{{ target }}"}[1m])) * 100' }
---
apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata: { name: p95-seconds }
spec: { provider: { type: prometheus }, query: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{pod=~"{{ target }}"}[1m])))' }
---
apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata: { name: count }
spec: { provider: { type: prometheus }, query: 'sum(increase(requests{pod=~"{{ target }}"}[1m]))' }
---
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: app }
spec:
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: app }
  service: { port: 80 }
  analysis:
    interval: 30s
    stepWeight: 25
    metrics:
      - { name: request-success-rate, threshold: 98 }
      - { name: timeouts, templateRef: { name: errors-fraction }, thresholdRange: { max: 0.002 }, interval: 30s }
      - { name: ok, templateRef: { name: success-percent }, thresholdRange: { min: 99.9 }, interval: 30s }
      - { name: p95, templateRef: { name: p95-seconds }, thresholdRange: { max: 0.35 }, interval: 1m }
      - { name: request-count, templateRef: { name: count }, thresholdRange: { min: 50 }, interval: 30s }
`;
    const result = importText('forms.yaml', text, { map: { timeouts: 'timeoutRate', ok: 'errorRate', p95: 'latencyP95' } });
    expect(result.policy.guards).toEqual(totalGuards(50, 1));
    expect((result.policy.stages[0] as { rules: HealthRule[] }).rules).toEqual([
      { type: 'absolute', metric: 'errorRate', max: 0.02 },
      { type: 'absolute', metric: 'timeoutRate', max: 0.002 },
      { type: 'absolute', metric: 'errorRate', max: 0.001 },
      { type: 'absolute', metric: 'latencyP95', max: 350 },
    ]);
    expect(result.policy.stages.map((s) => (s.kind === 'canary' ? s.traffic : s.kind))).toEqual([0.25, 0.5, 0.75, 'full', 'promote']);
    const lines = mappedLines(result);
    expect(lines).toContain('forms.yaml#5 Canary/app .spec.analysis.metrics[0].threshold → stages.0.rules.0.max: 98 → 0.02 (back: 98)');
    expect(lines).toContain(
      'forms.yaml#5 Canary/app .spec.analysis.metrics[2].thresholdRange.min → stages.0.rules.2.max: 99.9 → 0.001 (back: 99.9)',
    );
    expect(lines).toContain(
      'forms.yaml#5 Canary/app .spec.analysis.metrics[3].thresholdRange.max → stages.0.rules.3.max: 0.35 → 350 (back: 0.35)',
    );
    expect(lines).toContain('forms.yaml#5 Canary/app .spec.analysis.metrics[4].thresholdRange.min → guards.minRequests: 50 → 50');
    // The built-in without an interval reads Flagger's default 1m, and the p95 query the last minute, at each 30s check.
    expect(result.report.unrepresented.map((u) => `${formatLocation(u.source)}: ${u.reason}`)).toEqual([
      "forms.yaml#5 Canary/app .spec.analysis.metrics[0].interval: the query reads the last 1m (Flagger's default) at each check every 30s; the policy's check reads the whole check window of 30s",
      "forms.yaml#5 Canary/app .spec.analysis.metrics[3].interval: the query reads the last 1m at each check every 30s; the policy's check reads the whole check window of 30s",
    ]);
    expect(result.report.assumptions.map((a) => a.text)).toContain(
      'threshold is absent or 0: Flagger rolls back at the first failed check (1)',
    );
    expect(result.report.zeroTraffic).toContain('a window with fewer than 50 candidate requests counts as quiet');
  });
});

/**
 * What a policy becomes in Flagger (export/flagger.ts) and back, written from the policy: the
 * differences the round trip is expected to show.
 * - one interval and one metric set for all steps: the smallest check interval, per metric the
 *   strictest limit; statistical rules go to the decision-service webhook (reported, not imported);
 * - failures counted in total over the rollout (threshold = the smallest failure limit), a quiet
 *   window fails (onNoData 'fail'), minRequests the largest of the mode's stages (request-count);
 * - progressive: each canary stage lasts one passing check; baseline, shadow, A/B and full stages
 *   are not exported; a historical baseline becomes concurrent (the primary read over the
 *   baseline's range is reported);
 * - shadow: the gates come back as the shadow's ratio gates, agreement and comparisons at the
 *   workbench default, and Blue/Green's one check at 100% becomes a full stage;
 * - A/B: the share (50%) and the test (the workbench's fixed test) are assumptions.
 * - names: the Canary's name (the export's slug), and the import's description.
 */
function expressible(policy: Policy, mode: FlaggerMode, name: string): Policy {
  const kind = mode === 'progressive' ? 'canary' : mode;
  const stages = planStages(policy).filter((stage) => stage.kind === kind);
  const intervalSeconds = Math.min(...stages.map((stage) => stage.intervalSeconds));
  const interval = formatDuration(intervalSeconds);
  const strictest = new Map<string, HealthRule>();
  for (const stage of stages) {
    for (const rule of stage.rules) {
      if (rule.type === 'statistical') continue;
      const key = `${rule.type}:${rule.metric}`;
      const current = strictest.get(key) as { maxRatio?: number; max?: number } | undefined;
      const limit = rule.type === 'ratio' ? rule.maxRatio : rule.max;
      const currentLimit = current === undefined ? Infinity : (current.maxRatio ?? current.max ?? Infinity);
      if (limit < currentLimit)
        strictest.set(
          key,
          rule.type === 'ratio'
            ? { type: 'ratio', metric: rule.metric, maxRatio: limit }
            : { type: 'absolute', metric: rule.metric, max: limit },
        );
    }
  }
  const rules = [...strictest.values()];
  const guards = totalGuards(
    Math.max(...stages.map((s) => s.minRequests)),
    Math.min(...stages.map((s) => s.failureLimit)),
  ) as Policy['guards'];
  const common = { version: 1 as const, name, baseline: { mode: 'concurrent' as const }, guards };
  if (mode === 'progressive') {
    return {
      ...common,
      description: `Imported from Flagger Canary/${name} (progressive canary).`,
      stages: [
        ...stages.map((stage) => ({
          kind: 'canary' as const,
          traffic: stage.traffic,
          minDuration: interval,
          checkInterval: interval,
          rules,
        })),
        { kind: 'promote' },
      ],
    };
  }
  const stage = stages[0];
  const iterations = checkCount(stage.minDurationSeconds, intervalSeconds);
  if (mode === 'shadow') {
    const gate = (metric: string) => (rules.find((r) => r.type === 'ratio' && r.metric === metric) as { maxRatio: number }).maxRatio;
    return {
      ...common,
      description: `Imported from Flagger Canary/${name} (Blue/Green with mirroring).`,
      skipCanary: { reason: 'Flagger Blue/Green switches all traffic to the candidate after the mirrored iterations' },
      stages: [
        {
          kind: 'shadow',
          minDuration: formatDuration(iterations * intervalSeconds),
          checkInterval: interval,
          traffic: stage.traffic,
          comparison: { method: 'exact' },
          gates: { minAgreement: 0.85, maxErrorRatio: gate('errorRate'), maxLatencyRatio: gate('latencyP95'), minComparisons: 1000 },
        },
        { kind: 'full', traffic: 1, minDuration: interval, checkInterval: interval, rules },
        { kind: 'promote' },
      ],
    };
  }
  return {
    ...common,
    description: `Imported from Flagger Canary/${name} (A/B testing).`,
    skipCanary: {
      reason: 'Flagger A/B testing routes the matched cohort to the candidate from the first iteration, without a weighted canary',
    },
    stages: [
      {
        kind: 'ab',
        traffic: 0.5,
        minDuration: formatDuration(iterations * intervalSeconds),
        checkInterval: interval,
        test: { metric: 'successRate', alpha: 0.05, power: 0.8, minimumEffect: 0.02, design: { type: 'fixed' }, onInconclusive: 'advance' },
        guardrails: rules,
      },
      { kind: 'promote' },
    ],
  };
}

/** The shipped policies with a stage for `mode` (the export refuses the others). */
function exportable(mode: FlaggerMode): [string, Policy][] {
  const kind = mode === 'progressive' ? 'canary' : mode;
  const all: [string, Policy][] = [
    ...shippedPolicies(),
    ['concurrent test policy', concurrentPolicy()],
    ['shadow + A/B test policy', shadowAbPolicy()],
  ];
  return all.filter(([, policy]) => parsePolicy(policy).ok && policy.stages.some((stage) => stage.kind === kind));
}

function roundTrip(policy: Policy, mode: FlaggerMode): { result: ImportResult; name: string } {
  const text = flaggerYaml(policy, { mode });
  const docs = readYamlDocuments([{ name: 'export.yaml', text }]);
  const name = docs.find((d) => d.kind === 'Canary')?.name ?? '';
  return { result: importFlagger(docs), name };
}

describe('round trip with the Flagger export', () => {
  for (const mode of ['progressive', 'shadow', 'ab'] as const) {
    const policies = exportable(mode);
    test(`${mode}: at least one shipped policy exports in this mode`, () => {
      expect(policies.length).toBeGreaterThan(0);
    });
    test.each(policies)(
      `${mode}: %s — export → import gives the policy as Flagger expresses it; import → export → import is a fixed point`,
      (_label, policy) => {
        const kind = mode === 'progressive' ? 'canary' : mode;
        const onlyStatistical = planStages(policy)
          .filter((s) => s.kind === kind)
          .every((s) => s.rules.every((rule) => rule.type === 'statistical'));
        if (onlyStatistical) {
          // Listed difference: rules that are all statistical export as the decision-service webhook alone, which has no threshold to read back.
          expect(() => roundTrip(policy, mode)).toThrow(/\.spec\.analysis\.metrics: no metric gives a health rule/);
          return;
        }
        const { result, name } = roundTrip(policy, mode);
        expectValid(result.policy);
        expect(result.policy).toEqual(expressible(policy, mode, name));
        const again = roundTrip(result.policy, mode).result;
        expect(again.policy).toEqual(result.policy);
        // Everything the policy needs from the decision service is reported, never silently dropped.
        const needsService = planStages(policy).some(
          (s) => s.kind === (mode === 'progressive' ? 'canary' : mode) && s.needsDecisionService,
        );
        expect(result.report.unrepresented.some((u) => u.reason.includes("rollout-lab's decision service"))).toBe(needsService);
      },
    );
  }

  test('the default policy, progressive: the differences reported — 24h primary range (historical baseline) and nothing else', () => {
    const { result } = roundTrip(shippedPolicies()[0][1], 'progressive');
    const reasons = result.report.unrepresented.map((u) => `${formatLocation(u.source)}: ${u.reason.split(';')[0]}`);
    expect(reasons).toEqual(
      ['error-rate-ratio', 'latency-p95-ratio', 'latency-p50-ratio', 'timeout-rate-ratio'].map(
        (_name, i) =>
          `export.yaml#6 Canary/framework-default .spec.analysis.metrics[${i + 1}]: the query reads its series over different ranges (5m, 24h)`,
      ),
    );
    // The exported rules came back by their names, and request-count as minRequests.
    expect(result.policy.guards?.minRequests).toBe(100);
    expect(result.report.assumptions.map((a) => a.text)).toContain(
      "error-rate-ratio is the errorRate: the name Rollout Lab's export gives it",
    );
  });

  test('the fixtures: import → export → import keeps the policy except what Flagger export merges (two error-rate limits → the stricter)', () => {
    const cases: [string, FlaggerMode, ImportOptions][] = [
      ['progressive.yaml', 'progressive', { map: { '404s percentage': 'errorRate' } }],
      ['step-weights.yaml', 'progressive', { map: { 'latency-vs-primary': 'latencyP95' } }],
      ['ab-header.yaml', 'ab', {}],
      ['blue-green-mirror.yaml', 'shadow', {}],
    ];
    for (const [file, mode, options] of cases) {
      const first = importFixture(file, options).policy;
      const second = roundTrip(first, mode).result.policy;
      const third = roundTrip(second, mode).result.policy;
      expect(third).toEqual(second);
      if (file === 'progressive.yaml') {
        // Flagger export keeps one limit per metric: errorRate ≤ 0.01 (the 404s limit 0.05 is looser).
        expect((second.stages[0] as { rules: HealthRule[] }).rules).toEqual([
          { type: 'absolute', metric: 'errorRate', max: 0.01 },
          { type: 'absolute', metric: 'latencyP99', max: 500 },
        ]);
        expect(second.stages.map((s) => s.kind === 'canary' && s.traffic)).toEqual(
          first.stages.map((s) => s.kind === 'canary' && s.traffic),
        );
      } else if (file === 'blue-green-mirror.yaml') {
        // Shadow mode exports the shadow's gates only: the full stage comes back with the gates as ratio rules.
        expect(second.stages[0]).toEqual(first.stages[0]);
        expect((second.stages[1] as { rules: HealthRule[] }).rules).toEqual([
          { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
          { type: 'ratio', metric: 'latencyP95', maxRatio: 1.5 },
        ]);
      } else {
        expect(second).toEqual(first);
      }
      expect(parseDuration((second.stages[0] as { checkInterval: string }).checkInterval)).toBe(
        parseDuration((first.stages[0] as { checkInterval: string }).checkInterval),
      );
    }
  });
});

describe('fields the policy cannot represent are reported with the reason', () => {
  test('readiness thresholds, session affinity, alerts, stepWeightPromotion, progress deadline and the webhooks', () => {
    const text = fixture('progressive.yaml')
      .replace('  service:\n    port: 9898', '  progressDeadlineSeconds: 60\n  service:\n    port: 9898')
      .replace(
        '    stepWeight: 5\n',
        '    stepWeight: 5\n    stepWeightPromotion: 100\n    primaryReadyThreshold: 100\n    canaryReadyThreshold: 100\n    sessionAffinity:\n      cookieName: flagger-cookie\n    alerts:\n      - name: on-call\n        severity: error\n        providerRef:\n          name: slack\n',
      )
      .replace(
        '    webhooks:\n',
        '    webhooks:\n      - name: gate\n        type: confirm-promotion\n        url: http://flagger-loadtester.test/gate/approve\n',
      );
    const result = importText('full.yaml', text, { map: { '404s percentage': 'errorRate' } });
    expect(result.report.unrepresented.map((u) => formatLocation(u.source).replace('full.yaml#2 Canary/podinfo ', ''))).toEqual([
      '.spec.analysis.primaryReadyThreshold',
      '.spec.analysis.canaryReadyThreshold',
      '.spec.analysis.sessionAffinity',
      '.spec.analysis.alerts',
      '.spec.analysis.stepWeightPromotion',
      '.spec.progressDeadlineSeconds',
      '.spec.analysis.webhooks[0]',
      '.spec.analysis.webhooks[1]',
    ]);
    expect(result.report.unrepresented[6].reason).toBe(
      'confirm-promotion webhook gate gates or tests outside the metrics (assumed to pass)',
    );
    // The policy itself is unchanged by them.
    expect(result.policy).toEqual(importFixture('progressive.yaml', { map: { '404s percentage': 'errorRate' } }).policy);
  });
});

describe('bad input: one line naming the document and field', () => {
  function errorOf(run: () => unknown): string {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ImportError);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      return message;
    }
    throw new Error('expected an ImportError');
  }

  test('the wrong kind: an Argo Rollout', () => {
    const text = 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: web }\nspec: {}\n';
    expect(errorOf(() => importText('rollout.yaml', text))).toBe(
      'rollout.yaml#1: no Flagger Canary (flagger.app/v1beta1) among the documents: found argoproj.io/v1alpha1 Rollout/web',
    );
  });

  test('a MetricTemplate the Canary references but that is missing', () => {
    const canaryOnly = fixture('progressive.yaml').split('\n---\n')[1];
    expect(errorOf(() => importText('canary.yaml', canaryOnly, { map: { '404s percentage': 'errorRate' } }))).toBe(
      'canary.yaml#1 Canary/podinfo .spec.analysis.metrics[2].templateRef.name: references MetricTemplate not-found-percentage in namespace istio-system, which is not among the inputs (pass its file too)',
    );
  });

  test('an unreadable thresholdRange', () => {
    const text = fixture('ab-header.yaml').replace('max: 500', 'max: five hundred');
    expect(errorOf(() => importText('ab.yaml', text))).toBe(
      'ab.yaml#1 Canary/abtest .spec.analysis.metrics[1].thresholdRange.max: must be a number, got "five hundred"',
    );
    const notMapping = fixture('ab-header.yaml').replace('thresholdRange:\n          min: 99', 'thresholdRange: 99');
    expect(errorOf(() => importText('ab.yaml', notMapping))).toBe(
      'ab.yaml#1 Canary/abtest .spec.analysis.metrics[0].thresholdRange: must be a mapping with min and/or max',
    );
  });

  test('other unreadable fields: interval, stepWeights, Blue/Green without mirror, an unknown --map name or metric', () => {
    const ab = fixture('ab-header.yaml');
    expect(errorOf(() => importText('ab.yaml', ab.replace('interval: 1m\n    # total', 'interval: soon\n    # total')))).toBe(
      'ab.yaml#1 Canary/abtest .spec.analysis.interval: must be a duration like 30s, 1m or 1h30m, got "soon"',
    );
    const steps = fixture('step-weights.yaml').replace('stepWeights: [1, 2, 10, 80]', 'stepWeights: [1, 10, 2, 80]');
    expect(errorOf(() => importText('steps.yaml', steps))).toBe(
      'steps.yaml#2 Canary/podinfo .spec.analysis.stepWeights[2]: must be above the previous weight 10 (Flagger stops advancing otherwise), got 2',
    );
    const blueGreen = fixture('blue-green-mirror.yaml').replace('mirror: true', 'mirror: false');
    expect(errorOf(() => importText('bg.yaml', blueGreen))).toMatch(
      /^bg\.yaml#1 Canary\/podinfo \.spec\.analysis\.iterations: Blue\/Green without mirror/,
    );
    expect(errorOf(() => importFixture('ab-header.yaml', { map: { 'error-ratio': 'errorRate' } }))).toBe(
      '--map: error-ratio is not a custom metric of Canary/abtest (its metrics: request-success-rate, request-duration)',
    );
    expect(errorOf(() => importFixture('step-weights.yaml', { map: { 'latency-vs-primary': 'latencyP90' as never } }))).toBe(
      '--map: latency-vs-primary=latencyP90: latencyP90 is not a health metric (errorRate, timeoutRate, latencyP50, latencyP95, latencyP99)',
    );
  });
});

/**
 * The imported policy behaves as Flagger does: for every sequence of up to 7 checks — passing, failing,
 * or quiet (no traffic: "no values found", a failed check for Flagger) — the engine's `step` on the
 * imported progressive canary ends as Flagger's analysis does (export/flaggerAnalysisSemantics.ts
 * `flaggerOutcome`, read from scheduler.go): promoted, rolled back or still running, after the same
 * number of checks. Threshold 3 counted in total over the rollout, three one-check steps.
 */
describe('the imported policy decides as Flagger does, check by check', () => {
  const text = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: app }
spec:
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: app }
  service: { port: 80 }
  analysis:
    interval: 1m
    threshold: 3
    stepWeights: [10, 50, 80]
    metrics:
      - { name: request-success-rate, thresholdRange: { min: 99 }, interval: 1m }
`;
  const policy = importText('semantics.yaml', text).policy;
  type Check = 'pass' | 'fail' | 'quiet';
  const candidate = {
    pass: { requests: 1000, errors: 0, timeouts: 0 },
    fail: { requests: 1000, errors: 50, timeouts: 0 },
    quiet: { requests: 0, errors: 0, timeouts: 0 },
  };

  function engine(checks: readonly Check[]): { outcome: string; checks: number } {
    const state = initialState(policy, 0);
    for (let i = 0; i < checks.length; i++) {
      const window = {
        startTime: i * 60,
        duration: 60,
        control: { requests: 1000, errors: 0, timeouts: 0 },
        candidate: { ...candidate[checks[i]] },
      };
      const { decision } = step(state, [window], policy);
      if (decision === 'rollback' || decision === 'promote') return { outcome: decision, checks: i + 1 };
    }
    return { outcome: 'running', checks: checks.length };
  }

  test('every sequence of 1 to 7 checks (3,279 sequences)', () => {
    const kinds: Check[] = ['pass', 'fail', 'quiet'];
    let compared = 0;
    const outcomes = new Map<string, number>();
    for (let length = 1; length <= 7; length++)
      for (let code = 0; code < 3 ** length; code++) {
        const checks = Array.from({ length }, (_, i) => kinds[Math.floor(code / 3 ** i) % 3]);
        const flagger = flaggerOutcome(
          { threshold: 3, stepWeights: [10, 50, 80] },
          checks.map((c) => c === 'pass'),
        );
        const ours = engine(checks);
        const sequence = checks.join(',');
        expect({ sequence, ...ours }).toEqual({ sequence, outcome: flagger.outcome, checks: flagger.checks });
        outcomes.set(ours.outcome, (outcomes.get(ours.outcome) ?? 0) + 1);
        compared += 1;
      }
    expect(compared).toBe(3279);
    // Every outcome occurs: the comparison is not vacuous.
    expect([...outcomes.keys()].sort()).toEqual(['promote', 'rollback', 'running']);
  });
});

describe('the mapped fields write a tuned policy back into the Canary (writeBack.ts)', () => {
  test('threshold 10 → 4 and the success-rate limit 1% → 2% of errors: two scalar edits, comments and layout kept', () => {
    const text = fixture('progressive.yaml');
    const inputs = [{ name: 'progressive.yaml', text }];
    const result = importFlagger(readYamlDocuments(inputs), { map: { '404s percentage': 'errorRate' } });
    const tuned: Policy = JSON.parse(JSON.stringify(result.policy));
    tuned.guards = { ...tuned.guards, failureLimit: 4 };
    for (const stage of tuned.stages) if (stage.kind === 'canary') (stage.rules[0] as { max: number }).max = 0.02;
    const back = writeBack(inputs, result, tuned);
    expect(back.unrepresentable).toEqual([]);
    expect(back.changes.map((c) => `${formatLocation(c.source)}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`)).toEqual([
      'progressive.yaml#2 Canary/podinfo .spec.analysis.metrics[0].thresholdRange.min: 99 → 98',
      'progressive.yaml#2 Canary/podinfo .spec.analysis.threshold: 10 → 4',
    ]);
    const after = back.files[0].text;
    expect(after).toBe(text.replace('threshold: 10', 'threshold: 4').replace('min: 99', 'min: 98'));
    // The written file imports as the tuned policy.
    expect(importText('progressive.yaml', after, { map: { '404s percentage': 'errorRate' } }).policy).toEqual(tuned);
  });

  test('a change Flagger cannot express (one step longer than one check) is listed, not written', () => {
    const inputs = [{ name: 'step-weights.yaml', text: fixture('step-weights.yaml') }];
    const result = importFlagger(readYamlDocuments(inputs), { map: { 'latency-vs-primary': 'latencyP95' } });
    const tuned: Policy = JSON.parse(JSON.stringify(result.policy));
    (tuned.stages[1] as { minDuration: string }).minDuration = '10m';
    const back = writeBack(inputs, result, tuned);
    expect(back.changes).toEqual([]);
    expect(back.unrepresentable).toHaveLength(1);
    expect(back.unrepresentable[0]).toContain('stages[1].minDuration');
  });
});

describe('the imported A/B stage lasts the iterations', () => {
  test('ab-header.yaml (iterations 10): with healthy windows of 1,000 outcomes per arm the engine promotes at the 10th check, as Flagger does; a failed check does not count toward the iterations', () => {
    const policy = importFixture('ab-header.yaml').policy;
    // Windows without latency: keep the error-rate guardrail only.
    (policy.stages[0] as { guardrails: HealthRule[] }).guardrails.splice(1);
    const run = (failing: ReadonlySet<number>) => {
      const state = initialState(policy, 0);
      for (let i = 0; i < 30; i++) {
        const arm = (errors: number) => ({ requests: 1000, errors, timeouts: 0, successes: 900, outcomes: 1000 });
        const window = { startTime: i * 60, duration: 60, control: arm(0), candidate: arm(failing.has(i) ? 50 : 0) };
        const { decision } = step(state, [window], policy);
        if (decision === 'promote' || decision === 'rollback') return `${decision} at check ${i + 1}`;
      }
      return 'running';
    };
    const flagger = (failing: ReadonlySet<number>) => {
      const outcome = flaggerOutcome(
        { threshold: 2, iterations: 10, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] },
        Array.from({ length: 30 }, (_, i) => !failing.has(i)),
      );
      return `${outcome.outcome} at check ${outcome.checks}`;
    };
    for (const failing of [new Set<number>(), new Set([3]), new Set([3, 7]), new Set([0, 9])]) expect(run(failing)).toBe(flagger(failing));
    expect(run(new Set())).toBe('promote at check 10');
    expect(run(new Set([3]))).toBe('promote at check 11');
    expect(run(new Set([3, 7]))).toBe('rollback at check 8');
  });
});

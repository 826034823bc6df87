/**
 * The Argo Rollouts export, read back with an independent YAML parser (eemeli/yaml 2.9.1): the
 * resources carry Argo's real field names (argoproj.io/v1alpha1 Rollout spec.strategy.canary
 * steps setWeight / pause.duration / analysis.templates[].templateName / setMirrorRoute;
 * AnalysisTemplate spec.args, spec.metrics[].interval / count / failureLimit /
 * inconclusiveLimit / successCondition / provider.prometheus.query / provider.web.jsonPath),
 * and a policy → export → fields read back round trip keeps stages, weights, intervals,
 * durations and thresholds.
 */
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { initialState } from '../../../src/engine/controller/controllerState.ts';
import { step } from '../../../src/engine/controller/step.ts';
import type { ArgoMetricSpec } from '../../../src/engine/export/argoAnalysisSemantics.ts';
import {
  addArgoMeasurement,
  argoMetricPhase,
  argoRolloutAction,
  emptyArgoMetricResult,
  validateArgoMetrics,
} from '../../../src/engine/export/argoAnalysisSemantics.ts';
import { argoExportNotes, argoFailureLimit, argoRolloutsYaml, exportArgoRollouts } from '../../../src/engine/export/argoRollouts.ts';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import { parseDuration } from '../../../src/engine/policy/duration.ts';
import type { Guards, Policy, Stage } from '../../../src/engine/policy/policy.ts';
import { window } from '../controller/windowFixtures.ts';
import { argoRunAtZeroTraffic, policyAtZeroTraffic } from './controllerSemantics.ts';
import { exportPolicies } from './policies.ts';

function documents(text: string): any[] {
  return parseAllDocuments(text).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS();
  });
}

/** Seconds of a Go-style duration as Argo writes them (`24h`, `1h30m`, `5m`). */
function goSeconds(text: string): number {
  return parseDuration(text);
}

/** What the resources say, per stage, read back from parsed YAML only. */
function readBack(docs: any[]) {
  const rollout = docs.find((d) => d.kind === 'Rollout');
  const templates = new Map(docs.filter((d) => d.kind === 'AnalysisTemplate').map((d) => [d.metadata.name, d]));
  const stages: any[] = [];
  let weight = 0;
  for (const step of rollout.spec.strategy.canary.steps) {
    if (step.pause) stages.push({ kind: 'baseline', minDuration: goSeconds(step.pause.duration) });
    if (step.setWeight !== undefined) weight = step.setWeight;
    if (step.setMirrorRoute?.percentage !== undefined) weight = step.setMirrorRoute.percentage;
    if (step.analysis) {
      const template = templates.get(step.analysis.templates[0].templateName);
      expect(template, step.analysis.templates[0].templateName).toBeDefined();
      // The baseline's analysis checks the control's requests after the pause (tested below).
      if (template.metadata.labels['rollout-lab/stage-kind'] === 'baseline') continue;
      const metrics = template.spec.metrics.filter((m: any) => m.name !== 'enough-requests');
      const interval = goSeconds(metrics[0].interval);
      const thresholds: Record<string, number> = {};
      for (const metric of metrics) {
        const match = /result\[0\] (<=|<) ([0-9.e+-]+)$/.exec(metric.successCondition);
        if (match) thresholds[metric.name] = Number(match[2]);
      }
      stages.push({
        kind: template.metadata.labels['rollout-lab/stage-kind'],
        weight,
        interval,
        minDuration: metrics[0].consecutiveSuccessLimit * interval,
        failureLimit: metrics[0].failureLimit + 1,
        thresholds,
        web: metrics.some((m: any) => m.provider.web?.jsonPath === '{$.result.verdict}'),
      });
    }
  }
  return stages;
}

/** The same facts from the policy itself. */
function expected(policy: Policy) {
  const guards = { minRequests: 100, failureLimit: 1, ...policy.guards };
  return policy.stages
    .filter((stage) => stage.kind !== 'promote')
    .map((stage: Stage & Record<string, any>) => {
      if (stage.kind === 'baseline') return { kind: 'baseline', minDuration: parseDuration(stage.minDuration) };
      const rules =
        stage.kind === 'shadow'
          ? [
              { type: 'ratio', metric: 'errorRate', maxRatio: stage.gates.maxErrorRatio },
              { type: 'ratio', metric: 'latencyP95', maxRatio: stage.gates.maxLatencyRatio },
            ]
          : stage.kind === 'ab'
            ? stage.guardrails
            : stage.rules;
      const thresholds: Record<string, number> = {};
      for (const rule of rules) {
        if (rule.type === 'statistical') continue;
        const name = rule.metric.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
        thresholds[`${name}-${rule.type === 'ratio' ? 'ratio' : 'max'}`] = rule.type === 'ratio' ? rule.maxRatio : rule.max;
      }
      return {
        kind: stage.kind,
        weight: stage.kind === 'full' ? 100 : Math.round((stage.traffic ?? 1) * 100),
        interval: parseDuration(stage.checkInterval ?? '5m'),
        minDuration: parseDuration(stage.minDuration),
        failureLimit: stage.guards?.failureLimit ?? guards.failureLimit,
        thresholds,
        web: stage.kind === 'shadow' || stage.kind === 'ab' || rules.some((r: any) => r.type === 'statistical'),
      };
    });
}

describe('exportArgoRollouts', () => {
  test.each(exportPolicies)('%s policy: valid YAML whose fields read back to the policy (round trip)', (_name, make) => {
    const policy = make();
    const docs = documents(argoRolloutsYaml(policy));
    for (const doc of docs) expect(doc.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(readBack(docs)).toEqual(expected(policy));
  });

  test('default policy: the exact step sequence and the ratio rules as candidate/control Prometheus queries', () => {
    const docs = documents(
      argoRolloutsYaml(defaultPolicy(), { errorMetric: 'model_errors_total', requestMetric: 'model_requests_total', service: 'ranker' }),
    );
    const rollout = docs.find((d) => d.kind === 'Rollout');
    const steps = rollout.spec.strategy.canary.steps;
    expect(steps.map((s: any) => Object.keys(s)[0])).toEqual([
      'pause',
      'analysis',
      'setCanaryScale',
      'setMirrorRoute',
      'analysis',
      'setMirrorRoute',
      'setCanaryScale',
      'setWeight',
      'analysis',
      'setWeight',
      'analysis',
      'setWeight',
      'analysis',
      'setWeight',
      'analysis',
    ]);
    expect(steps[0]).toEqual({ pause: { duration: '24h' } });
    // Shadow: candidate pods sized for the mirrored share, then the mirror; both undone after the stage.
    expect(steps[2]).toEqual({ setCanaryScale: { weight: 100 } });
    expect(steps[3].setMirrorRoute).toEqual({ name: 'rollout-lab-shadow', percentage: 100, match: [{ path: { prefix: '/' } }] });
    expect(steps[5]).toEqual({ setMirrorRoute: { name: 'rollout-lab-shadow' } });
    expect(steps[6]).toEqual({ setCanaryScale: { matchTrafficWeight: true } });
    expect(steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight)).toEqual([5, 25, 50, 100]);
    expect(rollout.spec.strategy.canary.trafficRouting.managedRoutes).toEqual([{ name: 'rollout-lab-shadow' }]);
    expect(steps[8].analysis.args).toEqual([
      { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
      { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
    ]);
    const canary5 = docs.find((d) => d.metadata.name === 'framework-default-canary-5');
    expect(canary5.spec.args).toContainEqual({ name: 'error-metric', value: 'model_errors_total' });
    expect(canary5.spec.args).toContainEqual({ name: 'service', value: 'ranker' });
    const errorRatio = canary5.spec.metrics.find((m: any) => m.name === 'error-rate-ratio');
    // 2 h minimum (24 checks of 5 m) within a 4 h maximum (48 checks), rollback at the maximum:
    // 24 passes in a row end the run; 24 held checks are affordable; the 25th fails enough-requests.
    expect(errorRatio).toMatchObject({
      interval: '5m',
      initialDelay: '5m',
      count: 48,
      consecutiveSuccessLimit: 24,
      failureLimit: 0,
      inconclusiveLimit: 25,
      successCondition: 'len(result) > 0 && result[0] <= 2',
      failureCondition: 'len(result) > 0 && result[0] > 2',
    });
    expect(canary5.spec.metrics[0]).toMatchObject({
      name: 'enough-requests',
      interval: '5m',
      initialDelay: '5m',
      count: 48,
      consecutiveSuccessLimit: 24,
      failureLimit: 24,
      successCondition: 'len(result) > 0 && result[0] >= 100',
      failureCondition: 'len(result) == 0 || result[0] < 100',
    });
    const baseline = docs.find((d) => d.metadata.name === 'framework-default-baseline');
    expect(baseline.spec.metrics).toEqual([
      expect.objectContaining({
        name: 'baseline-requests',
        count: 1,
        consecutiveSuccessLimit: 1,
        failureLimit: 0,
        inconclusiveLimit: 0,
        successCondition: 'len(result) > 0 && result[0] >= 10000',
        failureCondition: 'false',
      }),
    ]);
    expect(baseline.spec.metrics[0].provider.prometheus.query).toBe(
      'sum(increase({{args.request-metric}}{service="{{args.service}}",rollouts_pod_template_hash="{{args.stable-hash}}"}[24h]))',
    );
    const query: string = errorRatio.provider.prometheus.query;
    expect(query).toContain(
      'sum(rate({{args.error-metric}}{service="{{args.service}}",rollouts_pod_template_hash="{{args.canary-hash}}"}[5m]))',
    );
    // Historical baseline: the control's rate over the baseline's 24 h.
    expect(query).toContain(
      'sum(rate({{args.error-metric}}{service="{{args.service}}",rollouts_pod_template_hash="{{args.stable-hash}}"}[24h]))',
    );
    expect(query).toContain('>= 100');
    const p95 = canary5.spec.metrics.find((m: any) => m.name === 'latency-p95-ratio');
    expect(p95.provider.prometheus.query).toContain('histogram_quantile(0.95, sum by (le) (rate({{args.latency-metric}}_bucket{');
    const ab = docs.find((d) => d.metadata.name === 'framework-default-ab-50');
    expect(ab.spec.metrics.at(-1)).toMatchObject({
      name: 'decision-service',
      provider: { web: { url: '{{args.decision-service}}/v1/state', jsonPath: '{$.result.verdict}' } },
      successCondition: 'result == "healthy"',
    });
  });

  test('failure limits convert: ours counts consecutive failures that roll back, Argo counts tolerated failures', () => {
    expect([1, 2, 5].map(argoFailureLimit)).toEqual([0, 1, 4]);
  });

  test('invalid policies and options are refused with the field named', () => {
    expect(() => exportArgoRollouts({ version: 1 })).toThrow(/policy is not valid: .*baseline/);
    expect(() => exportArgoRollouts(defaultPolicy(), { errorMetric: 'bad metric"}' })).toThrow(
      'errorMetric must be a Prometheus metric name',
    );
    expect(() => exportArgoRollouts(defaultPolicy(), { name: 'Not_A_Name' })).toThrow('name must be a Kubernetes name');
    expect(() => exportArgoRollouts(defaultPolicy(), { decisionServiceUrl: 'ftp://x' })).toThrow(
      'decisionServiceUrl must be an http(s) URL',
    );
  });

  test('concurrent baseline compares with the control over the same interval', () => {
    const docs = documents(argoRolloutsYaml(exportPolicies[1][1]()));
    const first = docs.find((d) => d.kind === 'AnalysisTemplate');
    const query: string = first.spec.metrics[0].provider.prometheus.query;
    expect(query).toContain('stable-hash}}"}[1m]');
    expect(query).not.toContain('[24h]');
    expect(query).toContain('>= 250');
  });
});

/**
 * failureScope 'rollout' as a background analysis: three canary stages of two checks sharing one
 * rule, total counting with limit 3 over the rollout. The background run's metric, fed the checks
 * one by one (argoAnalysisSemantics.ts `argoMetricPhase`, argo-rollouts analysis.go), fails at the
 * same check as the engine's controller on all 64 sequences of the six checks — per-step runs,
 * which start each stage at zero, would let [fail, pass] × 3 through where the policy rolls back.
 */
describe('counting over the rollout: one background analysis', () => {
  const rule = { type: 'absolute' as const, metric: 'errorRate' as const, max: 0.05 };
  const policy: Policy = {
    version: 1,
    name: 'checkout',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, failureLimit: 3, failureCounting: 'total', failureScope: 'rollout', onNoData: 'fail' },
    stages: [
      { kind: 'canary', traffic: 0.1, minDuration: '10m', checkInterval: '5m', rules: [rule] },
      { kind: 'canary', traffic: 0.5, minDuration: '10m', checkInterval: '5m', rules: [rule] },
      { kind: 'full', minDuration: '10m', checkInterval: '5m', rules: [rule] },
      { kind: 'promote' },
    ],
  };

  test('the Rollout starts it at the first setWeight (startingStep 0); the stages are weights and pauses; no count, failureLimit 2', () => {
    const { rollout, analysisTemplates } = exportArgoRollouts(policy);
    const canary = (rollout.spec as any).strategy.canary;
    expect(canary.analysis.templates).toEqual([{ templateName: 'checkout-background' }]);
    expect(canary.analysis.startingStep).toBe(0);
    expect(canary.steps).toEqual([
      { setWeight: 10 },
      { pause: { duration: '10m' } },
      { setWeight: 50 },
      { pause: { duration: '10m' } },
      { setWeight: 100 },
      { pause: { duration: '10m' } },
    ]);
    expect(analysisTemplates).toHaveLength(1);
    const [metric] = (analysisTemplates[0].spec as any).metrics;
    expect(metric).toMatchObject({ name: 'error-rate-max', interval: '5m', initialDelay: '5m', failureLimit: 2 });
    expect(metric.count).toBeUndefined();
    expect(metric.consecutiveSuccessLimit).toBeUndefined();
    expect(validateArgoMetrics([metric])).toEqual([]);
    expect(argoExportNotes(policy).join('\n')).toContain('one background analysis');
  });

  test('a stage before the run keeps its inline analysis, and startingStep points at the first background setWeight', () => {
    const withFirst: Policy = {
      ...policy,
      stages: [
        {
          kind: 'canary',
          traffic: 0.05,
          minDuration: '10m',
          checkInterval: '5m',
          rules: [{ type: 'absolute', metric: 'errorRate', max: 0.02 }],
          guards: { failureScope: 'stage' },
        },
        ...policy.stages,
      ],
    };
    const { rollout, analysisTemplates } = exportArgoRollouts(withFirst);
    const canary = (rollout.spec as any).strategy.canary;
    expect(canary.steps.slice(0, 3)).toEqual([
      { setWeight: 5 },
      expect.objectContaining({ analysis: expect.anything() }),
      { setWeight: 10 },
    ]);
    expect(canary.analysis.startingStep).toBe(2);
    expect(analysisTemplates.map((template) => (template.metadata as any).labels['rollout-lab/stage-kind'])).toEqual([
      'canary',
      'background',
    ]);
    expect(argoExportNotes(withFirst).join('\n')).toContain('the policy carries into it the failures counted in stage 0');
  });

  test('rules that differ between the stages, or stage scope, keep per-step analyses', () => {
    const differing: Policy = {
      ...policy,
      stages: policy.stages.map((stage, i) => (i === 1 ? { ...stage, rules: [{ ...rule, max: 0.1 }] } : stage)) as Stage[],
    };
    // Only the full stage (the last run of alike stages) is in the background run.
    expect(
      exportArgoRollouts(differing).analysisTemplates.map((template) => (template.metadata as any).labels['rollout-lab/stage-kind']),
    ).toEqual(['canary', 'canary', 'background']);
    const stageScope: Policy = { ...policy, guards: { ...policy.guards, failureScope: 'stage' } };
    const { rollout } = exportArgoRollouts(stageScope);
    expect((rollout.spec as any).strategy.canary.analysis).toBeUndefined();
  });

  const controllerRollback = (checks: boolean[]): number | null => {
    const state = initialState(policy, 0);
    for (let i = 0; i < checks.length; i++) {
      const errorRate = checks[i] ? 0.1 : 0.01;
      const result = step(state, [window(i * 300, { requests: 4750 }, { requests: 250, errorRate })], policy);
      if (result.decision === 'rollback') return i + 1;
    }
    return null;
  };
  const argoRollback = (metric: ArgoMetricSpec, checks: boolean[]): number | null => {
    let result = emptyArgoMetricResult();
    for (let i = 0; i < checks.length; i++) {
      result = addArgoMeasurement(result, checks[i] ? 'Failed' : 'Successful');
      if (argoMetricPhase(metric, result, false) === 'Failed') return i + 1;
    }
    return null;
  };

  test('at zero traffic the background run does what the policy does: aborts where it rolls back, pauses where it holds, never passes', () => {
    const cases: [Guards, string, number, string][] = [
      [{ onNoData: 'fail' }, 'abort', 3, 'rollback'],
      [{ onNoData: 'inconclusive', inconclusiveLimit: 3 }, 'pause', 3, 'hold'],
      [{ onNoData: 'hold' }, 'pause', 1, 'hold'],
    ];
    for (const [guards, action, rounds, decision] of cases) {
      const value: Policy = { ...policy, guards: { ...policy.guards, ...guards } };
      const metrics = (exportArgoRollouts(value).analysisTemplates[0].spec as any).metrics as ArgoMetricSpec[];
      const zero = argoRunAtZeroTraffic(metrics);
      const own = policyAtZeroTraffic(value, 0, 300, 50);
      expect([guards.onNoData, argoRolloutAction(zero.phase), zero.rounds, own.decision]).toEqual([
        guards.onNoData,
        action,
        rounds,
        decision,
      ]);
      if (decision === 'rollback') expect(own.windows).toBe(zero.rounds);
    }
  });

  test('the background metric fails at the same check as the controller on all 64 sequences of six checks', () => {
    const [metric] = (exportArgoRollouts(policy).analysisTemplates[0].spec as any).metrics as ArgoMetricSpec[];
    let rollbacks = 0;
    for (let bits = 0; bits < 64; bits++) {
      const checks = Array.from({ length: 6 }, (_, i) => ((bits >> i) & 1) === 1);
      const ours = controllerRollback(checks);
      expect({ checks, argo: argoRollback(metric, checks) }).toEqual({ checks, argo: ours });
      if (ours !== null) rollbacks++;
    }
    // Sequences with three or more failures: C(6,3) + C(6,4) + C(6,5) + C(6,6) = 42.
    expect(rollbacks).toBe(42);
    // One failure per stage: the policy (and the background run) roll back at the fifth check.
    expect(controllerRollback([true, false, true, false, true, false])).toBe(5);
  });
});

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
import { argoFailureLimit, argoRolloutsYaml, exportArgoRollouts } from '../../../src/engine/export/argoRollouts.ts';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import { parseDuration } from '../../../src/engine/policy/duration.ts';
import type { Policy, Stage } from '../../../src/engine/policy/policy.ts';
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

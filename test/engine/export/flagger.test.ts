/**
 * The Flagger export, read back with an independent YAML parser (eemeli/yaml 2.9.1): real field
 * names of flagger.app/v1beta1 Canary (spec.targetRef, spec.service.port, spec.analysis.interval /
 * threshold / maxWeight / stepWeights / iterations / mirror / mirrorWeight / match / metrics[]
 * .templateRef / thresholdRange / webhooks) and MetricTemplate (spec.provider.type/address,
 * spec.query), and a round trip of stages, weights, intervals and thresholds.
 */
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { exportFlagger, flaggerYaml } from '../../../src/engine/export/flagger.ts';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import { parseDuration } from '../../../src/engine/policy/duration.ts';
import { exportPolicies, shadowAbPolicy } from './policies.ts';

function documents(text: string): any[] {
  return parseAllDocuments(text).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS();
  });
}

describe('exportFlagger', () => {
  test.each(exportPolicies)('%s policy, progressive mode: canary weights, interval and strictest thresholds read back', (_name, make) => {
    const policy = make();
    const docs = documents(flaggerYaml(policy));
    const canary = docs.find((d) => d.kind === 'Canary');
    expect(canary.apiVersion).toBe('flagger.app/v1beta1');
    const canaries = policy.stages.filter((s) => s.kind === 'canary') as any[];
    expect(canary.spec.analysis.stepWeights).toEqual(canaries.map((s) => Math.round(s.traffic * 100)));
    expect(canary.spec.analysis.maxWeight).toBe(Math.max(...canaries.map((s) => Math.round(s.traffic * 100))));
    expect(parseDuration(canary.spec.analysis.interval)).toBe(Math.min(...canaries.map((s) => parseDuration(s.checkInterval ?? '5m'))));
    expect(canary.spec.analysis.threshold).toBe(policy.guards?.failureLimit ?? 1);
    // thresholds: per metric, the smallest limit over the canary stages
    const strictest: Record<string, number> = {};
    for (const stage of canaries) {
      for (const rule of stage.rules) {
        if (rule.type === 'statistical') continue;
        const name = `${rule.metric.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}-${rule.type === 'ratio' ? 'ratio' : 'max'}`;
        const limit = rule.type === 'ratio' ? rule.maxRatio : rule.max;
        strictest[name] = Math.min(strictest[name] ?? Infinity, limit);
      }
    }
    const [requestCount, ...rules] = canary.spec.analysis.metrics;
    expect(requestCount).toMatchObject({ name: 'request-count', thresholdRange: { min: policy.guards?.minRequests ?? 100 } });
    const readBack = Object.fromEntries(rules.map((m: any) => [m.name, m.thresholdRange.max]));
    expect(readBack).toEqual(strictest);
    const templates = docs.filter((d) => d.kind === 'MetricTemplate');
    for (const metric of canary.spec.analysis.metrics) {
      const template = templates.find((t) => t.metadata.name === metric.templateRef.name);
      expect(template.spec.provider).toEqual({ type: 'prometheus', address: 'http://prometheus.monitoring:9090' });
      // ratio rules compare with the primary (control); absolute limits read the canary alone
      if (metric.name.endsWith('-ratio')) expect(template.spec.query).toContain('{{ target }}-primary-');
      else if (metric.name !== 'request-count') expect(template.spec.query).not.toContain('-primary-');
      expect(template.spec.query).toContain('{{ variables.requestMetric }}');
    }
  });

  test('default policy, shadow mode: mirror with iterations covering the shadow minimum duration', () => {
    const canary = documents(flaggerYaml(defaultPolicy(), { mode: 'shadow' })).find((d) => d.kind === 'Canary');
    expect(canary.spec.analysis).toMatchObject({ interval: '5m', threshold: 1, iterations: 288, mirror: true, mirrorWeight: 100 });
    expect(canary.spec.analysis.stepWeights).toBeUndefined();
    expect(canary.spec.analysis.metrics.map((m: any) => [m.name, m.thresholdRange])).toEqual([
      ['request-count', { min: 100 }],
      ['error-rate-ratio', { max: 2 }],
      ['latency-p95-ratio', { max: 1.5 }],
    ]);
    expect(canary.spec.analysis.webhooks).toEqual([
      { name: 'rollout-lab-decision', type: 'rollout', url: 'http://rollout-lab.rollout-lab:8080/v1/gate', timeout: '10s' },
    ]);
  });

  test('A/B mode: iterations and a header match; the stage failure limit and guardrails carry over', () => {
    const canary = documents(flaggerYaml(shadowAbPolicy(), { mode: 'ab', abHeader: 'x-cohort', abHeaderValue: 'b' })).find(
      (d) => d.kind === 'Canary',
    );
    expect(canary.spec.analysis).toMatchObject({
      interval: '10m',
      threshold: 2,
      iterations: 120,
      match: [{ headers: { 'x-cohort': { exact: 'b' } } }],
    });
    expect(canary.spec.analysis.metrics.map((m: any) => [m.name, m.thresholdRange])).toEqual([
      ['request-count', { min: 100 }],
      ['error-rate-ratio', { max: 2 }],
      ['latency-p95-ratio', { max: 1.5 }],
      ['latency-p50-ratio', { max: 1.2 }],
      ['timeout-rate-ratio', { max: 2 }],
    ]);
  });

  test('refuses a mode the policy has no stage for, and a bad port', () => {
    expect(() => exportFlagger(exportPolicies[1][1](), { mode: 'shadow' })).toThrow(
      'policy has no shadow stage to export in Flagger shadow mode',
    );
    expect(() => exportFlagger(defaultPolicy(), { port: 0 })).toThrow('port must be a whole number between 1 and 65535, got 0');
  });
});

describe('exportFlagger against the Canary CRD schema', () => {
  // Constraints copied from Flagger's published CRD (fluxcd/flagger, artifacts/flagger/crd.yaml,
  // canaries.flagger.app v1beta1, spec.analysis): `oneOf` required [interval, threshold, iterations]
  // | [interval, threshold, stepWeight] | [interval, threshold, stepWeights]; interval and
  // metrics[].interval match "^[0-9]+(m|s)"; metrics[] require name; webhooks[] require name and
  // url with type among confirm-rollout, pre-rollout, rollout, confirm-promotion, post-rollout,
  // event, rollback, confirm-traffic-increase.
  const intervalPattern = /^[0-9]+(m|s)/;
  const webhookTypes = [
    '',
    'confirm-rollout',
    'pre-rollout',
    'rollout',
    'confirm-promotion',
    'post-rollout',
    'event',
    'rollback',
    'confirm-traffic-increase',
  ];
  const analyses: [string, any][] = [];
  for (const [name, make] of exportPolicies)
    analyses.push([`${name} progressive`, documents(flaggerYaml(make())).find((d) => d.kind === 'Canary').spec.analysis]);
  analyses.push([
    'default shadow',
    documents(flaggerYaml(defaultPolicy(), { mode: 'shadow' })).find((d) => d.kind === 'Canary').spec.analysis,
  ]);
  analyses.push([
    'shadow-A/B policy A/B',
    documents(flaggerYaml(shadowAbPolicy(), { mode: 'ab' })).find((d) => d.kind === 'Canary').spec.analysis,
  ]);

  test.each(analyses)('%s: analysis satisfies the CRD', (_name, analysis) => {
    const variants = [
      ['interval', 'threshold', 'iterations'],
      ['interval', 'threshold', 'stepWeight'],
      ['interval', 'threshold', 'stepWeights'],
    ];
    expect(variants.filter((required) => required.every((key) => analysis[key] !== undefined))).toHaveLength(1);
    expect(analysis.interval).toMatch(intervalPattern);
    for (const metric of analysis.metrics ?? []) {
      expect(typeof metric.name).toBe('string');
      if (metric.interval !== undefined) expect(metric.interval).toMatch(intervalPattern);
    }
    for (const hook of analysis.webhooks ?? []) {
      expect(typeof hook.name).toBe('string');
      expect(typeof hook.url).toBe('string');
      if (hook.type !== undefined) expect(webhookTypes).toContain(hook.type);
      if (hook.timeout !== undefined) expect(hook.timeout).toMatch(intervalPattern);
    }
  });
});

/**
 * The Argo Rollouts importer: the documentation-shaped fixtures (test/fixtures/import/argo/) become
 * the policies written out below, with their report; conditions are read as the expr language
 * evaluates them; export → import keeps what Argo can express (the differences are listed and
 * asserted) and import → export → import is a fixed point for every policy of scenarios/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { argoRolloutsYaml } from '../../../src/engine/export/argoRollouts.ts';
import { planStages } from '../../../src/engine/export/stagePlan.ts';
import { importArgo } from '../../../src/engine/import/argoImport.ts';
import { conditionThreshold, evaluateCondition, parseCondition } from '../../../src/engine/import/conditionExpression.ts';
import { importReportJson, importReportLines } from '../../../src/engine/import/importReportText.ts';
import { detectImportSource, ImportError, importRollout } from '../../../src/engine/import/index.ts';
import { readYamlDocuments } from '../../../src/engine/import/yamlDocuments.ts';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';

const fixtureDirectory = 'test/fixtures/import/argo';
function fixture(name: string) {
  return { name: `${name}.yaml`, text: readFileSync(`${fixtureDirectory}/${name}.yaml`, 'utf8') };
}
function importFixture(name: string, map?: Record<string, 'errorRate' | 'latencyP95' | 'latencyP99'>) {
  return importRollout([fixture(name)], { map });
}
function failure(inputs: { name: string; text: string }[]): string {
  try {
    importRollout(inputs);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected an ImportError');
}

describe('conditions', () => {
  const threshold = (text: string) => conditionThreshold(parseCondition(text));
  test('the readable forms give one limit with its operator', () => {
    expect(threshold('result[0] >= 0.95')).toMatchObject({ operator: '>=', limit: 0.95, everyElement: false });
    expect(threshold('result[0] < 0.05')).toMatchObject({ operator: '<', limit: 0.05 });
    expect(threshold('len(result) == 0 || result[0] <= 0.01')).toMatchObject({ operator: '<=', limit: 0.01 });
    expect(threshold('isNaN(result) || result[0] < 500')).toMatchObject({ operator: '<', limit: 500 });
    expect(threshold('all(result, {# < 0.1})')).toMatchObject({ operator: '<', limit: 0.1, everyElement: true });
    expect(threshold('0.95 <= result[0]')).toMatchObject({ operator: '>=', limit: 0.95 });
    expect(threshold('!(result[0] > 0.05)')).toMatchObject({ operator: '<=', limit: 0.05 });
    expect(threshold('result[0] <= 2 * {{args.baseline-error-rate}}')).toMatchObject({
      operator: '<=',
      limit: 2,
      reference: 'baseline-error-rate',
    });
    expect(threshold('result == "healthy"')).toBeUndefined();
    expect(threshold('true')).toBeUndefined();
  });
  test('what is refused, with the reason', () => {
    expect(() => threshold('result[0] > 0.01 && result[0] < 0.05')).toThrow('several different limits');
    expect(() => threshold('result[0] / result[1] < 2')).toThrow('computes with the result');
    expect(() => parseCondition('sum(result) > 3')).toThrow("'sum' is not a function or value the importer reads");
    expect(() => parseCondition('result[0] >= ')).toThrow('ends early');
  });
  test('evaluation as expr does it: NaN compares false, result[0] of an empty result is an error, && short-circuits', () => {
    const condition = (text: string, result: number[]) => evaluateCondition(parseCondition(text), result);
    expect(condition('result[0] >= 0.95', [Number.NaN])).toBe(false);
    expect(condition('result[0] >= 0.95', [])).toBe('error');
    expect(condition('len(result) > 0 && result[0] <= 2', [])).toBe(false);
    expect(condition('len(result) == 0 || result[0] <= 0.01', [])).toBe(true);
    expect(condition('isNaN(result) || result[0] < 500', [Number.NaN])).toBe(true);
    expect(condition('all(result, {# < 0.1})', [0.05, 0.2])).toBe(false);
    expect(condition('all(result, {# < 0.1})', [])).toBe(true);
  });
});

describe('fixtures in the shapes of the Argo Rollouts documentation', () => {
  test('inline analysis steps: pause + count × interval per weight, success rate → error-rate limit, failureLimit 1 → 2 in total', () => {
    const { policy, report } = importFixture('canary-inline-analysis');
    expect(policy).toEqual({
      version: 1,
      name: 'guestbook',
      baseline: { mode: 'concurrent' },
      guards: { failureLimit: 2, failureCounting: 'total', onNoData: 'fail', minRequests: 1 },
      stages: [
        {
          kind: 'canary',
          traffic: 0.2,
          minDuration: '10m',
          checkInterval: '1m',
          rules: [{ type: 'absolute', metric: 'errorRate', max: 0.05 }],
        },
        {
          kind: 'canary',
          traffic: 0.5,
          minDuration: '15m',
          checkInterval: '1m',
          rules: [{ type: 'absolute', metric: 'errorRate', max: 0.05 }],
        },
        { kind: 'promote' },
      ],
    } satisfies Policy);
    expect(report.source).toBe('argo');
    expect(report.unrepresented.map((field) => `${field.source.path.join('.')}: ${field.reason}`)).toEqual([
      'spec.strategy.canary.steps.1.pause.duration: stage 0 (step 0, weight 20): Argo does not measure during the 5m pause, the policy checks it too (10 checks instead of 5): its false-rollback rate is an upper bound for this stage',
      'spec.strategy.canary.steps.4.pause.duration: stage 1 (step 3, weight 50): Argo does not measure during the 10m pause, the policy checks it too (15 checks instead of 5): its false-rollback rate is an upper bound for this stage',
    ]);
    expect(report.zeroTraffic).toContain("'success-rate' divides 0 by 0 (NaN), so its measurement fails");
    const rule = report.mapped.find((field) => field.policyPath.join('.') === 'stages.0.rules.0.max')!;
    expect(rule.source).toMatchObject({
      file: 'canary-inline-analysis.yaml',
      document: 1,
      resource: 'AnalysisTemplate/success-rate',
      path: ['spec', 'metrics', 0, 'successCondition'],
    });
    expect(rule.toSource?.(0.02)).toBe('result[0] >= 0.98');
    const limit = report.mapped.find((field) => field.policyPath.join('.') === 'guards.failureLimit')!;
    expect([limit.sourceValue, limit.policyValue, limit.toSource?.(5)]).toEqual([1, 2, 4]);
    const minDuration = report.mapped.find((field) => field.policyPath.join('.') === 'stages.1.minDuration')!;
    expect(minDuration.source.path).toEqual(['spec', 'metrics', 0, 'count']);
    expect(minDuration.toSource?.('20m')).toBe(10); // 20m − the 10m pause = 10 measurements of 1m
    const traffic = report.mapped.find((field) => field.policyPath.join('.') === 'stages.1.traffic')!;
    expect([traffic.source.path, traffic.toSource?.(0.3)]).toEqual([['spec', 'strategy', 'canary', 'steps', 3, 'setWeight'], 30]);
    expect(report.assumptions.map((assumption) => assumption.text)).toEqual([
      "metric 'success-rate' is read as errorRate because its name or query mentions errors, success or 5xx responses (name it with --map success-rate=METRIC)",
      'no query guards its request count (and on() … >= n): a window with at least 1 request is data (minRequests 1); Argo evaluates whatever the query returns',
      'no baseline stage: ratio rules compare with the control in the same window (a concurrent baseline)',
    ]);
  });

  test('background analysis from startingStep 2: the 20% step is unchecked (left out), the rest counted over the rollout', () => {
    const { policy, report } = importFixture('background-analysis', { 'success-rate': 'errorRate' });
    const rules = [{ type: 'absolute', metric: 'errorRate', max: 0.05 }];
    expect(policy.guards).toEqual({ failureLimit: 4, failureCounting: 'total', failureScope: 'rollout', onNoData: 'fail', minRequests: 1 });
    expect(policy.stages).toEqual([
      { kind: 'canary', traffic: 0.4, minDuration: '10m', checkInterval: '5m', rules },
      { kind: 'canary', traffic: 0.6, minDuration: '10m', checkInterval: '5m', rules },
      { kind: 'canary', traffic: 0.8, minDuration: '10m', checkInterval: '5m', rules },
      { kind: 'promote' },
    ]);
    expect(report.unrepresented.map((field) => `${field.source.path.join('.')}: ${field.reason}`)).toEqual([
      'spec.strategy.canary.steps.0.setWeight: step 0, weight 20: no analysis checks this step, so Rollout Lab (which needs at least one rule per stage) leaves it out; Argo waits 10m here unchecked',
    ]);
    // --map names the metric: no guess about which health metric it is.
    expect(report.assumptions.some((assumption) => assumption.text.includes('is read as'))).toBe(false);
    const pause = report.mapped.find((field) => field.policyPath.join('.') === 'stages.2.minDuration')!;
    expect([pause.source.path, pause.sourceValue, pause.toSource?.('30m')]).toEqual([
      ['spec', 'strategy', 'canary', 'steps', 7, 'pause', 'duration'],
      '10m',
      '30m',
    ]);
  });

  test('ClusterAnalysisTemplate (clusterScope): one measurement after the pause; a p99 latency in seconds at 100% with passes in a row', () => {
    const { policy, report } = importFixture('cluster-analysis-template');
    expect(policy.stages).toEqual([
      {
        kind: 'canary',
        traffic: 0.2,
        minDuration: '5m',
        checkInterval: '5m',
        rules: [{ type: 'absolute', metric: 'errorRate', max: 0.05 }],
        guards: { failureLimit: 1, onNoData: 'fail' },
      },
      {
        kind: 'full',
        minDuration: '5m',
        maxDuration: '10m',
        onMaxDuration: 'hold',
        checkInterval: '1m',
        rules: [{ type: 'absolute', metric: 'latencyP99', max: 500 }],
        guards: { failureLimit: 3, failureCounting: 'total', onNoData: 'inconclusive', inconclusiveLimit: 2 },
      },
      { kind: 'promote' },
    ]);
    const latency = report.mapped.find(
      (field) => field.policyPath.join('.') === 'stages.1.rules.0.max' && field.source.path.at(-1) === 'failureCondition',
    )!;
    expect(latency.source.resource).toBe('ClusterAnalysisTemplate/latency');
    expect(latency.toSource?.(350)).toBe('len(result) > 0 && result[0] > 0.35');
    expect(report.zeroTraffic).toContain("'latency' returns nothing, so its measurement is inconclusive");
  });

  test('mirror route → shadow at the mirrored share; canary-to-stable queries → ratio rules; the query guard → minRequests', () => {
    const { policy, report } = importFixture('mirror-route');
    expect(policy.guards).toEqual({ minRequests: 200, failureLimit: 1, onNoData: 'inconclusive', inconclusiveLimit: 1 });
    expect(policy.stages[0]).toEqual({
      kind: 'shadow',
      minDuration: '40m',
      maxDuration: '1h10m',
      onMaxDuration: 'hold',
      checkInterval: '5m',
      traffic: 0.35,
      comparison: { method: 'exact' },
      gates: { minAgreement: 0.85, maxLatencyRatio: 1.5, maxErrorRatio: 2, minComparisons: 1000 },
    });
    expect(policy.stages[1]).toEqual({
      kind: 'canary',
      traffic: 0.1,
      minDuration: '30m',
      maxDuration: '1h',
      onMaxDuration: 'hold',
      checkInterval: '5m',
      rules: [
        { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
        { type: 'ratio', metric: 'latencyP95', maxRatio: 1.5 },
      ],
    });
    expect(report.unrepresented.map((field) => field.source.path.slice(-2).join('.'))).toEqual([
      '0.setCanaryScale',
      'setMirrorRoute.match',
      '5.setCanaryScale',
      'pause.duration', // the 10m pause before the shadow's analysis is unmeasured in Argo
    ]);
    expect(report.assumptions.map((assumption) => assumption.text)).toContain(
      "stage 0 (step 1, mirror): Argo mirrors without comparing answers; the shadow stage's agreement gate (0.85 over 1000 comparisons, exact match) is the framework default",
    );
    const guard = report.mapped.find((field) => field.policyPath.join('.') === 'guards.minRequests')!;
    expect(guard.source.path).toEqual(['spec', 'metrics', 0, 'provider', 'prometheus', 'query']);
    expect(String(guard.toSource?.(500))).toContain(
      'and on() sum(increase(http_requests_total{rollouts_pod_template_hash="{{args.canary-hash}}"}[5m])) >= 500',
    );
    expect(String(guard.toSource?.(500))).not.toContain('>= 200');
    const gate = report.mapped.find(
      (field) => field.policyPath.join('.') === 'stages.0.gates.maxErrorRatio' && field.source.path.at(-1) === 'successCondition',
    )!;
    expect(gate.toSource?.(3)).toBe('len(result) > 0 && result[0] <= 3');
  });

  test('the report as text and JSON (functions dropped, convertsBack kept)', () => {
    const { report } = importFixture('mirror-route');
    const lines = importReportLines(report);
    expect(lines[0]).toBe(`mapped (${report.mapped.length}):`);
    expect(lines).toContain('zero traffic:');
    expect(
      lines.some((line) =>
        line.startsWith(
          '  mirror-route.yaml#1 Rollout/rollouts-demo .spec.strategy.canary.steps[1].setMirrorRoute.percentage = 35 → stages[0].traffic = 0.35',
        ),
      ),
    ).toBe(true);
    const json = importReportJson(report);
    expect(JSON.parse(JSON.stringify(json)).mapped[0]).toEqual(json.mapped[0]);
    expect(json.mapped.filter((field) => field.convertsBack).length).toBeGreaterThan(10);
  });
});

test('a limit times a reference argument is a ratio rule; a success rate in percent; different failure limits and consecutiveErrorLimit reported', () => {
  const text = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ranker}
spec:
  strategy:
    canary:
      steps:
      - setWeight: 10
      - analysis:
          templates: [{templateName: checks}]
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: checks}
spec:
  args: [{name: baseline-error-rate}]
  metrics:
  - name: errors
    interval: 10m
    count: 3
    consecutiveErrorLimit: 2
    successCondition: result[0] <= 2.5 * {{args.baseline-error-rate}}
    provider: {prometheus: {address: http://p, query: 'sum(rate(errors[10m])) / sum(rate(requests[10m]))'}}
  - name: availability
    interval: 10m
    count: 3
    failureLimit: 2
    successCondition: result[0] >= 99.5
    provider: {prometheus: {address: http://p, query: 'availability_percent'}}
`;
  const { policy, report } = importRollout([{ name: 'r.yaml', text }], { map: { availability: 'errorRate' } });
  expect(policy.stages[0]).toEqual({
    kind: 'canary',
    traffic: 0.1,
    minDuration: '30m',
    checkInterval: '10m',
    rules: [
      { type: 'ratio', metric: 'errorRate', maxRatio: 2.5 },
      { type: 'absolute', metric: 'errorRate', max: 0.005 },
    ],
  });
  const ratio = report.mapped.find((field) => field.policyPath.join('.') === 'stages.0.rules.0.maxRatio')!;
  expect(ratio.toSource?.(3)).toBe('result[0] <= 3 * {{args.baseline-error-rate}}');
  const percent = report.mapped.find((field) => field.policyPath.join('.') === 'stages.0.rules.1.max')!;
  expect([percent.note, percent.toSource?.(0.01)]).toEqual(['a success rate at least 99.5%: error rate at most 0.005', 'result[0] >= 99']);
  expect(report.unrepresented.map((field) => field.source.path.at(-1))).toEqual(['consecutiveErrorLimit']);
  // The strictest metric (errors, 0 tolerated; availability tolerates 2) sets the stage's limit, and says so.
  expect(policy.guards?.failureLimit).toBe(1);
  expect(report.assumptions.map((assumption) => assumption.text)).toContain(
    'stage 0 (step 0, weight 10): the metrics tolerate different numbers of failures (errors 0, availability 2); Argo counts each metric on its own, the policy counts failing checks once — the strictest is used',
  );
  expect(report.zeroTraffic).toContain("'errors' divides 0 by 0 (NaN), so its measurement fails");
});

test('a limit passed as an argument is that number, written back to the argument the analysis passes (over the template default)', () => {
  const text = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ranker}
spec:
  strategy:
    canary:
      steps:
      - setWeight: 10
      - analysis:
          templates: [{templateName: error-rate}]
          args:
          - {name: max-error-rate, value: "0.02"}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: error-rate}
spec:
  args:
  - {name: max-error-rate, value: "0.01"}
  metrics:
  - name: error-rate
    interval: 5m
    count: 6
    successCondition: result[0] <= {{args.max-error-rate}}
    provider: {prometheus: {address: http://p, query: 'sum(rate(errors[5m])) / sum(rate(requests[5m]))'}}
`;
  const { policy, report } = importRollout([{ name: 'r.yaml', text }]);
  expect(policy.stages[0]).toMatchObject({
    kind: 'canary',
    minDuration: '30m',
    rules: [{ type: 'absolute', metric: 'errorRate', max: 0.02 }],
  });
  const limit = report.mapped.find((field) => field.policyPath.join('.') === 'stages.0.rules.0.max')!;
  expect(limit.source).toEqual({
    file: 'r.yaml',
    document: 0,
    resource: 'Rollout/ranker',
    path: ['spec', 'strategy', 'canary', 'steps', 1, 'analysis', 'args', 0, 'value'],
  });
  expect([limit.sourceValue, limit.toSource?.(0.03)]).toEqual(['0.02', '0.03']);
});

test('each fixture re-exports: import → export → import keeps what the import read, then is a fixed point', () => {
  for (const name of ['canary-inline-analysis', 'background-analysis', 'cluster-analysis-template', 'mirror-route']) {
    const first = importFixture(name).policy;
    const second = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(first) }]).policy;
    const view = (policy: Policy) =>
      expressible(policy).map(({ failureCounting, ...stage }) => ({
        ...stage,
        scope: undefined,
        mode: failureCounting?.mode,
        onNoData: failureCounting?.onNoData,
      }));
    // Background analysis counts over the rollout; the export writes per-step runs, which count afresh (failureCountingExport.ts).
    expect(view(second), name).toEqual(view(first));
    const third = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(second) }]).policy;
    expect(third, name).toEqual(second);
  }
});

test('the canary documentation example under a background analysis: a 1h pause, then an indefinite one (a person promotes)', () => {
  const template = fixture('background-analysis').text.split('\n---\n')[1];
  const rollout = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: example-rollout}
spec:
  strategy:
    canary:
      analysis:
        templates: [{templateName: success-rate}]
      steps:
        - setWeight: 10
        - pause:
            duration: 1h # 1 hour
        - setWeight: 20
        - pause: {duration: 90}
        - pause: {} # pause indefinitely
`;
  const { policy, report } = importRollout([
    { name: 'rollout.yaml', text: rollout },
    { name: 'template.yaml', text: template },
  ]);
  expect(
    policy.stages.map((stage) => [
      stage.kind,
      'traffic' in stage ? stage.traffic : undefined,
      'minDuration' in stage ? stage.minDuration : undefined,
    ]),
  ).toEqual([
    ['canary', 0.1, '1h'],
    ['canary', 0.2, '5m'],
    ['promote', undefined, undefined],
  ]);
  expect(report.unrepresented.map((field) => `${field.source.file} ${field.source.path.join('.')}: ${field.reason}`)).toEqual([
    'rollout.yaml spec.strategy.canary.steps.4.pause: an indefinite pause waits for a person to promote; the simulator advances when the checks allow',
    "rollout.yaml spec.strategy.canary.steps.3.pause.duration: stage 1 (step 2, weight 20): the step lasts 1m30s, less than one 5m measurement (Argo may take none here); the policy's stage lasts one check interval",
  ]);
  const pause = report.mapped.find((field) => field.policyPath.join('.') === 'stages.0.minDuration')!;
  expect([pause.sourceValue, pause.toSource?.('2h')]).toEqual(['1h', '2h']);
  // The 90s step became a 5m stage: its pause is not the stage's time, so it is not written back.
  expect(report.mapped.some((field) => field.policyPath.join('.') === 'stages.1.minDuration')).toBe(false);
});

describe('bad input: one line naming the document and field', () => {
  test('not YAML, wrong kind, a referenced template missing, a condition that cannot be read', () => {
    expect(failure([{ name: 'r.yaml', text: 'kind: Rollout\nspec: [\n' }])).toMatch(/^r\.yaml#1: not YAML \(line \d\): /);
    expect(failure([{ name: 'd.yaml', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n' }])).toBe(
      'd.yaml: no Argo Rollouts Rollout (argoproj.io) or Flagger Canary (flagger.app) among the documents (found Deployment/web)',
    );
    const inline = fixture('canary-inline-analysis');
    const rolloutOnly = inline.text.split('\n---\n')[0];
    expect(failure([{ name: 'r.yaml', text: rolloutOnly }])).toBe(
      "r.yaml#1 Rollout/guestbook .spec.strategy.canary.steps[2].analysis.templates[0].templateName: references AnalysisTemplate 'success-rate', which is not in the files (pass its YAML too)",
    );
    expect(failure([{ name: 'r.yaml', text: inline.text.replace('result[0] >= 0.95', 'sum(result) >= 0.95') }])).toBe(
      'r.yaml#2 AnalysisTemplate/success-rate .spec.metrics[0].successCondition: cannot read the condition "sum(result) >= 0.95": \'sum\' is not a function or value the importer reads (column 1)',
    );
    expect(failure([{ name: 'r.yaml', text: inline.text.replace('interval: 60s', 'interval: 1d') }])).toBe(
      'r.yaml#2 AnalysisTemplate/success-rate .spec.metrics[0].interval: must be a Go duration like 5m or 1h30m, got "1d"',
    );
  });
  test('a --map entry that names no metric, and an inline metric with count 0 (Argo does not run it), are reported once', () => {
    const inline = fixture('canary-inline-analysis');
    const { report } = importRollout([inline], { map: { 'sucess-rate': 'errorRate' } });
    expect(report.assumptions.map((assumption) => assumption.text)).toContain(
      "--map names 'sucess-rate', which no metric of the referenced templates has (ignored)",
    );
    const withExtra = inline.text.replace(
      '  metrics:\n',
      '  metrics:\n  - name: p99\n    count: 0\n    successCondition: result[0] < 0.3\n    provider: {prometheus: {address: http://p, query: q}}\n',
    );
    const extra = importRollout([{ name: 'r.yaml', text: withExtra }]).report.unrepresented;
    expect(
      extra.filter((field) => field.source.path.at(-1) === 'count').map((field) => `${field.source.path.join('.')}: ${field.reason}`),
    ).toEqual(["spec.metrics.0.count: count 0 in a step: Argo does not run metric 'p99' (left out)"]);
  });
  test('detectImportSource reads apiVersion and kind', () => {
    expect(detectImportSource([fixture('mirror-route')])).toBe('argo');
  });
});

/** Every policy of scenarios/ and the library, and the default policy. */
function policies(): { name: string; policy: Policy }[] {
  const list = [{ name: 'defaultPolicy()', policy: defaultPolicy() }];
  for (const file of ['scenarios/default-policy.json', ...readdirSync('scenarios/library').map((name) => `scenarios/library/${name}`)]) {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    if (json.stages !== undefined) list.push({ name: file, policy: json });
    else if (json.policy !== undefined) list.push({ name: file, policy: json.policy });
  }
  return list;
}

/**
 * What Argo can express of a policy, stage by stage, from the planned (resolved) stages: the share,
 * times, interval, the guards, the non-statistical rules (the shadow gates as the two ratio rules).
 * A stage without a maximum duration is compared without it (see the differences test).
 */
function expressible(policy: Policy) {
  return planStages(policy)
    .filter((stage) => stage.kind !== 'promote')
    .map((stage) => ({
      kind: stage.kind === 'ab' ? 'canary' : stage.kind,
      traffic: stage.kind === 'baseline' ? 0 : stage.traffic,
      minDurationSeconds: stage.minDurationSeconds,
      intervalSeconds: stage.intervalSeconds,
      minRequests: stage.minRequests,
      failureLimit: stage.failureLimit,
      failureCounting: stage.kind === 'baseline' ? undefined : stage.failureCounting,
      baselineRequests: stage.baselineRequests,
      rules: stage.rules.filter((rule) => rule.type !== 'statistical').map(({ strict: _strict, ...rule }) => rule),
    }));
}

describe('round trip with our exporter, for every policy in scenarios/ and the library', () => {
  for (const { name, policy } of policies()) {
    const allStatistical = policy.stages.some(
      (stage) => (stage.kind === 'canary' || stage.kind === 'full') && stage.rules.every((rule) => rule.type === 'statistical'),
    );
    if (allStatistical) {
      test(`${name}: a stage checked only by statistical rules cannot be read back (the decision service's verdict is not a measurement)`, () => {
        expect(() => importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(policy) }])).toThrow(ImportError);
      });
      continue;
    }
    test(`${name}: export → import keeps what Argo expresses; import → export → import is a fixed point`, () => {
      const first = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(policy) }]);
      expect(expressible(first.policy)).toEqual(expressible(policy));
      expect(first.policy.baseline).toEqual(policy.baseline);
      expect(first.policy.name).toBe(policy.name);
      // The differences, all of them Argo's: a maximum-less stage gets count × interval then pauses (hold);
      // a stage with one keeps it and its action; A/B and statistical rules come back as the canary's health rules.
      const original = planStages(policy);
      const back = planStages(first.policy);
      original.forEach((stage, i) => {
        if (stage.kind === 'promote' || stage.kind === 'baseline') return;
        const passes = Math.ceil(stage.minDurationSeconds / stage.intervalSeconds - 1e-9);
        if (stage.maxDurationSeconds === null) {
          expect([back[i].maxDurationSeconds, back[i].onMaxDuration]).toEqual([
            (2 * passes + stage.failureLimit - 1) * stage.intervalSeconds,
            'hold',
          ]);
        } else {
          expect([back[i].maxDurationSeconds, back[i].onMaxDuration]).toEqual([stage.maxDurationSeconds, stage.onMaxDuration]);
        }
      });
      const second = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(first.policy) }]);
      expect(second.policy).toEqual(first.policy);
      // Every mapped field converts the policy's value back to the value written in the file.
      for (const field of first.report.mapped) {
        if (field.toSource !== undefined)
          expect(field.toSource(field.policyValue), JSON.stringify(field.source)).toEqual(field.sourceValue);
      }
    });
  }
});

test('importArgo takes documents read once (the audit and the app call it with readYamlDocuments)', () => {
  const documents = readYamlDocuments([fixture('background-analysis')]);
  expect(importArgo(documents).policy.stages).toHaveLength(4);
});

describe('failure counting through the round trip (contract C1)', () => {
  const counting = (policy: Policy) =>
    planStages(policy)
      .filter((stage) => stage.kind !== 'promote' && stage.kind !== 'baseline')
      .map((stage) => stage.failureCounting);
  test("no data: onNoData 'fail' (an empty result fails) and 'inconclusive' with its limit come back exactly", () => {
    for (const guards of [
      { onNoData: 'fail' as const },
      { onNoData: 'inconclusive' as const, inconclusiveLimit: 3 },
      { failureLimit: 2, failureCounting: 'total' as const, onNoData: 'fail' as const },
    ]) {
      const policy = { ...defaultPolicy(), guards: { ...defaultPolicy().guards, ...guards } };
      const back = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(policy) }]);
      expect(counting(back.policy)).toEqual(counting(policy));
      const again = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(back.policy) }]);
      expect(again.policy).toEqual(back.policy);
    }
  });
  test("scope 'rollout' has no per-step Argo form: stages before the background run count afresh (the import says 'stage'); the last alike stages come back 'rollout'", () => {
    const policy = {
      ...defaultPolicy(),
      guards: { ...defaultPolicy().guards, failureLimit: 3, failureCounting: 'total' as const, failureScope: 'rollout' as const },
    };
    const back = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(policy) }]);
    // The default's A/B stage (a decision-service check) ends the run of alike stages: only the full stage is in the background.
    expect(counting(back.policy).map((stage) => [stage.mode, stage.limit, stage.scope])).toEqual(
      counting(policy).map((_, i, all) => ['total', 3, i === all.length - 1 ? 'rollout' : 'stage']),
    );
  });
  test("scope 'rollout' as a background analysis: export → import gives the policy back, and import → export → import is a fixed point", () => {
    const rule = { type: 'ratio' as const, metric: 'errorRate' as const, maxRatio: 2 };
    for (const guards of [
      { onNoData: 'fail' as const },
      { onNoData: 'inconclusive' as const, inconclusiveLimit: 3 },
      { failureCounting: 'total' as const, failureLimit: 3, onNoData: 'fail' as const },
    ]) {
      const policy: Policy = {
        version: 1,
        name: 'checkout',
        baseline: { mode: 'historical' },
        guards: { minRequests: 100, failureLimit: 1, failureScope: 'rollout', ...guards },
        stages: [
          { kind: 'baseline', minDuration: '1h', minRequests: 1000, checkInterval: '5m' },
          { kind: 'canary', traffic: 0.05, minDuration: '30m', checkInterval: '5m', rules: [rule] },
          { kind: 'canary', traffic: 0.25, minDuration: '1h', checkInterval: '5m', rules: [rule] },
          { kind: 'full', minDuration: '15m', checkInterval: '5m', rules: [rule] },
          { kind: 'promote' },
        ],
      };
      const text = argoRolloutsYaml(policy);
      expect(text).toContain('startingStep: 2');
      const first = importRollout([{ name: 'export.yaml', text }]);
      expect(first.policy, JSON.stringify(guards)).toEqual(policy);
      expect(counting(first.policy).map((stage) => stage.scope)).toEqual(['rollout', 'rollout', 'rollout']);
      expect(first.report.unrepresented).toEqual([]);
      expect(argoRolloutsYaml(first.policy)).toBe(text);
      const second = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(first.policy) }]);
      expect(second.policy).toEqual(first.policy);
    }
  });
  test("scope 'rollout' with onNoData 'hold': the background run pauses at the first quiet check (inconclusiveLimit 0), read back as 'inconclusive' limit 1, then a fixed point", () => {
    const policy = withGuards({ failureLimit: 2, failureCounting: 'total', failureScope: 'rollout' });
    const onlyFull = { ...policy, stages: policy.stages.filter((stage) => stage.kind !== 'ab') } as Policy;
    const first = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(onlyFull) }]).policy;
    expect(counting(first).map((stage) => [stage.scope, stage.onNoData, stage.inconclusiveLimit])).toEqual([
      ['stage', 'hold', Number.POSITIVE_INFINITY],
      ['rollout', 'inconclusive', 1],
      ['rollout', 'inconclusive', 1],
      ['rollout', 'inconclusive', 1],
    ]);
    const second = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(first) }]).policy;
    expect(second).toEqual(first);
  });
  const withGuards = (guards: Policy['guards']): Policy => ({ ...defaultPolicy(), guards: { ...defaultPolicy().guards, ...guards } });
  test("'total' is Argo's own counting: failureLimit n exports as n − 1 tolerated and imports back as n, total", () => {
    const policy = withGuards({ failureLimit: 3, failureCounting: 'total' });
    const back = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(policy) }]);
    expect(back.policy.guards).toMatchObject({ failureLimit: 3, failureCounting: 'total' });
    expect(planStages(back.policy).map((stage) => stage.failureLimit)).toEqual(planStages(policy).map((stage) => stage.failureLimit));
    const field = back.report.mapped.find((mapped) => mapped.policyPath.join('.') === 'guards.failureLimit')!;
    expect([field.sourceValue, field.toSource?.(3)]).toEqual([2, 2]);
  });
  test("'consecutive' above 1 and 'mOfN' have no Argo form: they come back as total counting no more tolerant than the original, and then stay put", () => {
    for (const guards of [
      { failureLimit: 3, failureCounting: 'consecutive' as const },
      { failureLimit: 2, failureCounting: 'mOfN' as const, failureWindow: 5 },
    ]) {
      const first = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(withGuards(guards)) }]).policy;
      expect(first.guards?.failureWindow).toBeUndefined();
      expect(first.guards?.failureCounting ?? 'consecutive').not.toBe('mOfN');
      expect(first.guards?.failureLimit ?? 1).toBeLessThanOrEqual(guards.failureLimit);
      const second = importRollout([{ name: 'export.yaml', text: argoRolloutsYaml(first) }]).policy;
      expect(second).toEqual(first);
    }
  });
});

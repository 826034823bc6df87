import { describe, expect, it } from 'vitest';
import { absoluteRule, ratioRule } from '../../src/engine/policy/healthRules.ts';
import type { CanaryStage, Policy } from '../../src/engine/policy/policy.ts';
import { canaryStage, promoteStage } from '../../src/engine/policy/stages.ts';
import {
  formatLabImport,
  importedBanner,
  importedPolicyWithKnobs,
  importedStageNames,
  importedStageRows,
  type LabImportedPolicy,
  readLabImport,
  uncarriedKnobs,
} from '../../src/ui/lab/labImportedPolicy.ts';
import { labVerdict, type OperatingPoint } from '../../src/ui/lab/labModel.ts';
import { labPolicy, labStageNames } from '../../src/ui/lab/labPolicy.ts';
import type { LabSettings } from '../../src/ui/lab/labSettings.ts';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { initialState } from '../../src/ui/state/viewState.ts';

/**
 * A policy as an Argo Rollouts import gives it: two canary steps with their own error-rate
 * thresholds (2× then 3×) and an absolute p95 limit, checked every minute, concurrent baseline,
 * rolled back at the third failing check.
 */
function argoLikePolicy(): Policy {
  return {
    version: 1,
    name: 'checkout (Argo Rollouts)',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 50, failureLimit: 3 },
    stages: [
      canaryStage({
        traffic: 0.2,
        minDuration: '10m',
        checkInterval: '1m',
        rules: [ratioRule('errorRate', 2), absoluteRule('latencyP95', 500)],
      }),
      canaryStage({ traffic: 0.5, minDuration: '30m', maxDuration: '1h', checkInterval: '1m', rules: [ratioRule('errorRate', 3)] }),
      promoteStage(),
    ],
  };
}

const imported: LabImportedPolicy = { file: 'rollout.yaml, analysis.yaml', source: 'argo', policy: argoLikePolicy() };

/** The lab's knobs at the imported policy's own values (what "Open in Policy lab" puts in the form). */
const knobsAtImport = {
  'errorRate.maxRatio': 2,
  'latencyP95.maxRatio': 1.5,
  'latencyP50.maxRatio': 1.2,
  'timeoutRate.maxRatio': 2,
  checkInterval: '1m',
  'guards.minRequests': 50,
  'guards.failureLimit': 3,
};

const canaryRules = (policy: Policy) =>
  policy.stages.filter((stage): stage is CanaryStage => stage.kind === 'canary').map((stage) => stage.rules);

describe('readLabImport and formatLabImport', () => {
  it('reads the empty field as the framework default and round-trips an import', () => {
    expect(readLabImport('')).toBeUndefined();
    expect(readLabImport('  ')).toBeUndefined();
    expect(readLabImport(formatLabImport(imported))).toEqual(imported);
  });

  it('names what is wrong with a damaged saved import', () => {
    expect(() => readLabImport('{not json')).toThrow(/imported policy: the saved text is not JSON/);
    expect(() => readLabImport('{"file":"a.yaml","source":"spinnaker","policy":{"stages":[]}}')).toThrow(
      'imported policy: source must be one of argo, flagger, got spinnaker',
    );
    expect(() => readLabImport('{"file":"","source":"argo","policy":{"stages":[]}}')).toThrow(
      'imported policy: file must be a non-empty string',
    );
    expect(() => readLabImport('{"file":"a.yaml","source":"argo","policy":{}}')).toThrow(
      'imported policy: policy must be a policy document with a stages list',
    );
  });

  it('says where the policy came from', () => {
    expect(importedBanner(imported)).toBe('Imported from rollout.yaml, analysis.yaml (Argo Rollouts)');
    expect(importedBanner({ ...imported, source: 'flagger', file: 'canary.yaml' })).toBe('Imported from canary.yaml (Flagger)');
  });
});

describe('importedPolicyWithKnobs', () => {
  it('leaves the import as it is when every knob is at its imported value (per-stage thresholds kept)', () => {
    const policy = importedPolicyWithKnobs(imported, knobsAtImport, 'concurrent');
    expect(policy).toEqual(argoLikePolicy());
    expect(canaryRules(policy)).toEqual([[ratioRule('errorRate', 2), absoluteRule('latencyP95', 500)], [ratioRule('errorRate', 3)]]);
  });

  it('compares the check interval in seconds: "1m" is the import\'s 60 s, "5m" changes every stage', () => {
    expect(importedPolicyWithKnobs(imported, { checkInterval: '60s' }, 'concurrent')).toEqual(argoLikePolicy());
    const policy = importedPolicyWithKnobs(imported, { checkInterval: '5m' }, 'concurrent');
    expect(policy.stages.map((stage) => (stage.kind === 'promote' ? null : stage.checkInterval))).toEqual(['5m', '5m', null]);
  });

  it('sets every rule a moved knob names, as on the framework default, and keeps the rest', () => {
    const policy = importedPolicyWithKnobs(imported, { ...knobsAtImport, 'errorRate.maxRatio': 4, 'guards.failureLimit': 1 }, 'historical');
    expect(canaryRules(policy)).toEqual([[ratioRule('errorRate', 4), absoluteRule('latencyP95', 500)], [ratioRule('errorRate', 4)]]);
    expect(policy.guards).toEqual({ minRequests: 50, failureLimit: 1 });
    expect(policy.baseline).toEqual({ mode: 'historical' });
    // The import itself is not changed.
    expect(imported.policy).toEqual(argoLikePolicy());
  });
});

describe('the lab with an imported base policy', () => {
  const defaults: LabSettings = readLabSettings(initialState(labSchema));
  const settings: LabSettings = { ...defaults, ...knobsAtImport, baselineMode: 'concurrent', imported };

  it("builds the imported policy, validated, with the import's stages and name", () => {
    const policy = labPolicy(settings);
    expect(policy.stages.map((stage) => stage.kind)).toEqual(['canary', 'canary', 'promote']);
    expect(policy.name).toBe('checkout (Argo Rollouts)');
    expect(canaryRules(policy)).toEqual(canaryRules(argoLikePolicy()));
    expect(labStageNames(settings)).toEqual(['canary 1', 'canary 2', 'promote']);
  });

  it("says so in the name when the lab moved a knob, and adds the lab's absolute limit on top", () => {
    const policy = labPolicy({ ...settings, 'errorRate.maxRatio': 2.5, absoluteErrorRate: 0.05 });
    expect(policy.name).toBe('checkout (Argo Rollouts), tuned in the lab');
    expect(canaryRules(policy)).toEqual([
      [ratioRule('errorRate', 2.5), absoluteRule('latencyP95', 500), absoluteRule('errorRate', 0.05)],
      [ratioRule('errorRate', 2.5), absoluteRule('errorRate', 0.05)],
    ]);
  });

  it('reads the import from the lab state, and the empty field as the framework default', () => {
    const state = { ...initialState(labSchema), imported: formatLabImport(imported) };
    expect(readLabSettings(state).imported).toEqual(imported);
    expect(readLabSettings(initialState(labSchema)).imported).toBeUndefined();
  });
});

describe('the lab verdict with an imported policy', () => {
  const defaults: LabSettings = readLabSettings(initialState(labSchema));
  const estimate = (rate: number) => ({ rate, lower: rate, upper: rate, count: rate * 100, total: 100 });
  const summary = (falseRollback: number, missed: number) =>
    ({
      falseRollbackRate: estimate(falseRollback),
      missedRegressionRate: estimate(missed),
      detectionTime: { median: 1800 },
      exposure: { usersServedWhileWorse: 120, requestsServedWhileWorse: 300 },
    }) as unknown as OperatingPoint['healthy'];
  const point: OperatingPoint = { errorRatio: 2, current: true, healthy: summary(0.02, 0), regressed: summary(0, 0.01) };

  it('names the error-rate threshold only when the imported policy has one', () => {
    expect(labVerdict(point, { ...defaults, imported }).text).toMatch(
      /^Balanced\. With the error-rate threshold at 2×, a healthy candidate/,
    );
    const withoutRatio: LabImportedPolicy = {
      ...imported,
      policy: {
        ...argoLikePolicy(),
        stages: [canaryStage({ traffic: 0.2, minDuration: '10m', rules: [absoluteRule('errorRate', 0.05)] }), promoteStage()],
      },
    };
    expect(labVerdict(point, { ...defaults, imported: withoutRatio }).text).toMatch(
      /^Balanced\. With the imported policy, a healthy candidate is rolled back in 2\.00% \(exact\) of rollouts/,
    );
  });
});

describe('uncarriedKnobs', () => {
  it('names the lab knobs the import has no rule for (here: ratio rules other than the error rate)', () => {
    expect(uncarriedKnobs(argoLikePolicy(), Object.keys(knobsAtImport) as (keyof typeof knobsAtImport)[])).toEqual([
      'latencyP95.maxRatio',
      'latencyP50.maxRatio',
      'timeoutRate.maxRatio',
    ]);
  });
});

describe('importedStageNames and importedStageRows', () => {
  it('names and lists the imported stages', () => {
    expect(
      importedStageNames({ ...argoLikePolicy(), stages: [{ ...canaryStage({ traffic: 0.1 }), name: 'step 1' }, promoteStage()] }),
    ).toEqual(['step 1', 'promote']);
    expect(importedStageRows(argoLikePolicy())).toEqual([
      {
        name: 'canary 1',
        kind: 'canary',
        traffic: '20.0%',
        duration: '10m',
        checkInterval: '1m',
        rules: ['errorRate ≤ 2× baseline', 'latencyP95 ≤ 500'],
      },
      { name: 'canary 2', kind: 'canary', traffic: '50.0%', duration: '30m – 1h', checkInterval: '1m', rules: ['errorRate ≤ 3× baseline'] },
      { name: 'promote', kind: 'promote', traffic: '—', duration: '—', checkInterval: '—', rules: [] },
    ]);
  });
});

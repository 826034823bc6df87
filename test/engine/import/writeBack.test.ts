/**
 * Writing a tuned policy back into the user's YAML (src/engine/import/writeBack.ts) and the
 * unified diff that shows it (src/engine/import/unifiedDiff.ts).
 *
 * The write-back cases use test/fixtures/import/audit/rollout.yaml (an Argo Rollout with two
 * canary steps and an AnalysisTemplate of two metrics) and an import result written here by hand
 * in the shape `importRollout` returns (importTypes.ts): one mapped field per value the tuner may
 * change, with the conversions the Argo importer documents (failureLimit n ↔ n − 1, setWeight
 * percent ↔ share, conditions ↔ thresholds). The expected diffs of `unifiedDiff` were generated
 * once with GNU diffutils 3.8 (`diff -u`, test/fixtures/import/audit/diff/README.md).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ImportInput, ImportResult, MappedField } from '../../../src/engine/import/importTypes.ts';
import { importRollout } from '../../../src/engine/import/index.ts';
import { unifiedDiff, unifiedFileDiff } from '../../../src/engine/import/unifiedDiff.ts';
import { writeBack } from '../../../src/engine/import/writeBack.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';

const fixtures = 'test/fixtures/import/audit';
const input: ImportInput = { name: 'rollout.yaml', text: readFileSync(`${fixtures}/rollout.yaml`, 'utf8') };

const rollout = { file: 'rollout.yaml', document: 0, resource: 'Rollout/checkout' };
const template = { file: 'rollout.yaml', document: 1, resource: 'AnalysisTemplate/success-rate' };

function importedPolicy(): Policy {
  const stage = (traffic: number) => ({
    kind: 'canary' as const,
    traffic,
    minDuration: '10m',
    checkInterval: '5m',
    rules: [
      { type: 'absolute' as const, metric: 'errorRate' as const, max: 0.05 },
      { type: 'ratio' as const, metric: 'errorRate' as const, maxRatio: 2 },
    ],
  });
  return {
    version: 1,
    name: 'checkout',
    baseline: { mode: 'concurrent' },
    guards: { failureLimit: 2 },
    stages: [stage(0.2), stage(0.5), { kind: 'promote' }],
  };
}

/** The report as the Argo importer writes it for the fixture (the fields the tuner may change). */
function importResult(): ImportResult {
  const mapped: MappedField[] = [];
  [0, 1].forEach((stage) => {
    mapped.push({
      source: { ...rollout, path: ['spec', 'strategy', 'canary', 'steps', 2 * stage, 'setWeight'] },
      sourceValue: stage === 0 ? 20 : 50,
      policyPath: ['stages', stage, 'traffic'],
      policyValue: stage === 0 ? 0.2 : 0.5,
      toSource: (value) => Math.round((value as number) * 100),
    });
    mapped.push({
      source: { ...rollout, path: ['spec', 'strategy', 'canary', 'steps', 2 * stage + 1, 'pause', 'duration'] },
      sourceValue: '10m',
      policyPath: ['stages', stage, 'minDuration'],
      policyValue: '10m',
    });
    for (const metric of [0, 1]) {
      mapped.push({
        source: { ...template, path: ['spec', 'metrics', metric, 'interval'] },
        sourceValue: '5m',
        policyPath: ['stages', stage, 'checkInterval'],
        policyValue: '5m',
      });
    }
    mapped.push({
      source: { ...template, path: ['spec', 'metrics', 0, 'successCondition'] },
      sourceValue: 'result[0] >= 0.95',
      policyPath: ['stages', stage, 'rules', 0, 'max'],
      policyValue: 0.05,
      toSource: (value) => `result[0] >= ${Number((1 - (value as number)).toPrecision(12))}`,
    });
    mapped.push({
      source: { ...template, path: ['spec', 'metrics', 1, 'successCondition'] },
      sourceValue: 'result[0] <= 2',
      policyPath: ['stages', stage, 'rules', 1, 'maxRatio'],
      policyValue: 2,
      toSource: (value) => `result[0] <= ${value}`,
    });
  });
  for (const metric of [0, 1]) {
    mapped.push({
      source: { ...template, path: ['spec', 'metrics', metric, 'failureLimit'] },
      sourceValue: 1,
      policyPath: ['guards', 'failureLimit'],
      policyValue: 2,
      note: 'Argo failureLimit counts tolerated failures: n + 1',
      toSource: (value) => (value as number) - 1,
    });
  }
  return {
    policy: importedPolicy(),
    report: { source: 'argo', mapped, unrepresented: [], assumptions: [], zeroTraffic: 'an empty result is an error' },
  };
}

function tunedWith(change: (policy: Policy) => void): Policy {
  const policy = importedPolicy();
  change(policy);
  return policy;
}

type Canary = { traffic: number; minDuration: string; checkInterval: string; rules: { max?: number; maxRatio?: number }[] };
const canary = (policy: Policy, index: number) => policy.stages[index] as unknown as Canary;

describe('writeBack: a tuned value lands at its place in the user’s file', () => {
  it('an unchanged policy writes nothing: the same text, no changes, an empty diff', () => {
    const result = writeBack([input], importResult(), importedPolicy());
    expect(result.files[0].text).toBe(input.text);
    expect(result.changes).toEqual([]);
    expect(result.unrepresentable).toEqual([]);
    expect(unifiedDiff([input], result.files)).toBe('');
  });

  it('a ratio threshold: the error-ratio condition, and nothing else', () => {
    const tuned = tunedWith((policy) => {
      canary(policy, 0).rules[1].maxRatio = 3;
      canary(policy, 1).rules[1].maxRatio = 3;
    });
    const result = writeBack([input], importResult(), tuned);
    expect(result.changes).toEqual([
      {
        source: { ...template, path: ['spec', 'metrics', 1, 'successCondition'] },
        from: 'result[0] <= 2',
        to: 'result[0] <= 3',
        policyPath: ['stages', 0, 'rules', 1, 'maxRatio'],
      },
    ]);
    expect(unifiedDiff([input], result.files)).toBe(
      [
        '--- a/rollout.yaml',
        '+++ b/rollout.yaml',
        '@@ -38,7 +38,7 @@', // as `diff -u` writes it for the same edit
        '     interval: 5m',
        '     failureLimit: 1',
        '     # candidate error rate over the stable pods error rate',
        '-    successCondition: result[0] <= 2',
        '+    successCondition: result[0] <= 3',
        '     provider:',
        '       prometheus:',
        '         address: http://prometheus.example.com:9090',
        '',
      ].join('\n'),
    );
  });

  it('failureLimit: our count n is Argo’s n − 1, written in both metrics, comments kept', () => {
    const tuned = tunedWith((policy) => {
      policy.guards = { failureLimit: 3 };
    });
    const result = writeBack([input], importResult(), tuned);
    expect(result.changes.map((change) => [change.source.path.join('.'), change.from, change.to])).toEqual([
      ['spec.metrics.0.failureLimit', 1, 2],
      ['spec.metrics.1.failureLimit', 1, 2],
    ]);
    const text = result.files[0].text;
    expect(text).toContain('    # one failure is noise; two is a rollback\n    failureLimit: 2\n');
    expect(text.match(/failureLimit: 2/g)).toHaveLength(2);
    expect(text.split('\n').length).toBe(input.text.split('\n').length);
  });

  it('interval, setWeight and a pause duration: each at its own place, the flow mapping and its comment intact', () => {
    const tuned = tunedWith((policy) => {
      for (const index of [0, 1]) canary(policy, index).checkInterval = '2m';
      canary(policy, 0).traffic = 0.1;
      canary(policy, 0).minDuration = '30m';
    });
    const result = writeBack([input], importResult(), tuned);
    expect(result.unrepresentable).toEqual([]);
    const text = result.files[0].text;
    expect(text).toContain('      - setWeight: 10\n      - pause: {duration: 30m}   # watch the first slice\n      - setWeight: 50\n');
    expect(text).toContain('      - pause: {duration: 10m}\n');
    expect(text.match(/interval: 2m/g)).toHaveLength(2);
    expect(text).not.toContain('interval: 5m');
    // Everything else is byte for byte the same: only those four lines differ.
    const before = input.text.split('\n');
    const after = text.split('\n');
    expect(before.filter((line, i) => line !== after[i])).toHaveLength(4);
  });

  it('an absolute limit: the success-rate condition keeps its double quotes', () => {
    const tuned = tunedWith((policy) => {
      for (const index of [0, 1]) canary(policy, index).rules[0].max = 0.02;
    });
    const text = writeBack([input], importResult(), tuned).files[0].text;
    expect(text).toContain('    successCondition: "result[0] >= 0.98"\n');
  });

  it('a change no mapped field carries is listed as unrepresentable, with the path and the reason', () => {
    const tuned = tunedWith((policy) => {
      policy.guards = { failureLimit: 2, minRequests: 50 };
    });
    const result = writeBack([input], importResult(), tuned);
    expect(result.files[0].text).toBe(input.text);
    expect(result.unrepresentable).toEqual(['guards.minRequests: unset → 50: no field of the Argo Rollouts files maps to it']);
  });

  it('stages that disagree on one shared field: the first is written, the other listed', () => {
    const tuned = tunedWith((policy) => {
      canary(policy, 0).checkInterval = '2m';
      canary(policy, 1).checkInterval = '10m';
    });
    const result = writeBack([input], importResult(), tuned);
    expect(result.files[0].text.match(/interval: 2m/g)).toHaveLength(2);
    expect(result.unrepresentable).toHaveLength(1);
    expect(result.unrepresentable[0]).toMatch(
      /^stages\[1\]\.checkInterval: "5m" → "10m": rollout\.yaml#2 .* already carries stages\[0\]\.checkInterval/,
    );
  });

  it('a field the file does not have yet is added through the Document API', () => {
    const result = importResult();
    result.report.mapped.push({
      source: { ...template, path: ['spec', 'metrics', 0, 'count'] },
      sourceValue: undefined,
      policyPath: ['stages', 0, 'maxDuration'],
      policyValue: undefined,
    });
    const tuned = tunedWith((policy) => {
      (policy.stages[0] as { maxDuration?: string }).maxDuration = '1h';
    });
    const text = writeBack([input], result, tuned).files[0].text;
    expect(text).toMatch(/failureLimit: 1\n\s+successCondition: "result\[0\] >= 0\.95"\n[\s\S]*count: 1h\n/);
    expect(text).toContain('# one failure is noise; two is a rollback');
  });
});

describe('unifiedDiff agrees with GNU diff -u', () => {
  for (const name of ['two-hunks', 'edges', 'insert-delete']) {
    it(name, () => {
      const read = (suffix: string) => readFileSync(`${fixtures}/diff/${name}.${suffix}`, 'utf8');
      expect(unifiedFileDiff(read('before.txt'), read('after.txt'), `a/${name}.yaml`, `b/${name}.yaml`)).toBe(read('diff'));
    });
  }
});

describe('write-back then re-import gives the tuned policy (the importers of src/engine/import)', () => {
  const argoMap = { 'error-ratio': 'errorRate', 'success-rate': 'errorRate' } as const;

  it('Argo: failureLimit, a ratio and an absolute threshold, the interval, a setWeight and a pause', () => {
    const imported = importRollout([input], { map: argoMap });
    const tuned = JSON.parse(JSON.stringify(imported.policy)) as Policy;
    tuned.guards = { ...tuned.guards, failureLimit: 3 };
    for (const index of [0, 1]) {
      canary(tuned, index).checkInterval = '2m';
      canary(tuned, index).rules[0].max = 0.02;
      canary(tuned, index).rules[1].maxRatio = 3;
    }
    canary(tuned, 0).traffic = 0.1;
    canary(tuned, 0).minDuration = '30m';
    const result = writeBack([input], imported, tuned);
    expect(result.unrepresentable).toEqual([]);
    expect(importRollout(result.files, { map: argoMap }).policy).toEqual(tuned);
    expect(result.files[0].text).toContain('      - setWeight: 10\n      - pause: {duration: 30m}   # watch the first slice\n');
  });

  it('Flagger: threshold, the success-rate range, the interval and a step weight in a flow sequence', () => {
    const name = 'test/fixtures/import/flagger/step-weights.yaml';
    const flagger: ImportInput = { name, text: readFileSync(name, 'utf8') };
    const imported = importRollout([flagger]);
    const tuned = JSON.parse(JSON.stringify(imported.policy)) as Policy;
    tuned.guards = { ...tuned.guards, failureLimit: 5 };
    const stages = tuned.stages.filter((stage) => stage.kind === 'canary') as unknown as Canary[];
    for (const stage of stages) {
      stage.checkInterval = '1m';
      stage.minDuration = '1m';
      stage.rules[0].max = 0.01;
    }
    stages[2].traffic = 0.2;
    // A Flagger step lasts one check: the step's length is the interval, so both change together.
    const result = writeBack([flagger], imported, tuned, {});
    expect(result.unrepresentable).toEqual([]);
    expect(importRollout(result.files).policy).toEqual(tuned);
    expect(result.files[0].text).toContain('    stepWeights: [1, 2, 20, 80]\n');
    expect(result.files[0].text).toContain('    threshold: 5\n');
  });

  it('Flagger: a check interval without the step length is not expressible (imported again, the step is one check)', () => {
    const name = 'test/fixtures/import/flagger/step-weights.yaml';
    const flagger: ImportInput = { name, text: readFileSync(name, 'utf8') };
    const imported = importRollout([flagger]);
    const tuned = JSON.parse(JSON.stringify(imported.policy)) as Policy;
    for (const stage of tuned.stages) if (stage.kind === 'canary') stage.checkInterval = '1m';
    const result = writeBack([flagger], imported, tuned, {});
    expect(result.unrepresentable).toHaveLength(4);
    expect(result.unrepresentable[0]).toBe(
      'stages[0].minDuration: "2m" → "2m", but the written files, imported again, give "1m": no field of the Flagger files carries it on its own',
    );
  });

  it('a failure limit of 1 is the same rollout however failures are counted: Argo failureLimit 0, nothing inexpressible', () => {
    const imported = importRollout([input], { map: argoMap });
    const tuned = JSON.parse(JSON.stringify(imported.policy)) as Policy;
    tuned.guards = { ...tuned.guards, failureLimit: 1 };
    const result = writeBack([input], imported, tuned, { map: argoMap });
    expect(result.unrepresentable).toEqual([]);
    expect(result.files[0].text.match(/failureLimit: 0/g)).toHaveLength(2);
  });

  it('what Argo cannot say is listed, not written: M-of-N counting', () => {
    const imported = importRollout([input], { map: argoMap });
    const tuned = JSON.parse(JSON.stringify(imported.policy)) as Policy;
    tuned.guards = { ...tuned.guards, failureCounting: 'mOfN', failureWindow: 4 };
    const result = writeBack([input], imported, tuned);
    expect(result.files[0].text).toBe(input.text);
    expect(result.unrepresentable).toEqual([
      'guards.failureCounting: "total" → "mOfN": no field of the Argo Rollouts files maps to it',
      'guards.failureWindow: unset → 4: no field of the Argo Rollouts files maps to it',
    ]);
  });
});

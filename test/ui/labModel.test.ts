import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { parsePolicy } from '../../src/engine/policy/parsePolicy.ts';
import { prepareSimulation, runReplicates, simulate } from '../../src/sim/runner.ts';
import { buildPolicyExport, engineVersion, readPolicyImport } from '../../src/ui/export/policyExport.ts';
import {
  labPolicy,
  labScenarioDocuments,
  labScenarios,
  labVerdict,
  runLab,
  sweepThresholds,
  type LabResult,
  type LabSettings,
  type SimulationRunner,
} from '../../src/ui/lab/labModel.ts';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { initialState } from '../../src/ui/state/viewState.ts';

const defaults: LabSettings = readLabSettings(initialState(labSchema));

/** The runner of the tests: the simulator in-process, one shard (the workers give the same states). */
const inProcessRunner: SimulationRunner = async (request, replicates, onProgress) => {
  const prepared = prepareSimulation(request.scenario, request.policy, request.mode, request.seed);
  const state = runReplicates(prepared, 0, replicates, (done, total) => onProgress(done / total));
  return { state, complete: true };
};

describe('labPolicy', () => {
  it('is the framework default policy, unchanged, for the first-visit settings', () => {
    const parsed = parsePolicy(defaultPolicy());
    expect(parsed.ok && labPolicy(defaults)).toEqual(parsed.ok && parsed.policy);
  });

  it('applies the thresholds to every ratio rule and guardrail, and says it was tuned', () => {
    const policy = labPolicy({ ...defaults, errorRatio: 3, timeoutRatio: 10, p50Ratio: 1.4, failureLimit: 2, checkMinutes: 10, baselineMode: 'concurrent', canaryHours: 4 });
    expect(policy.name).toBe('framework default, tuned');
    expect(policy.baseline).toEqual({ mode: 'concurrent' });
    expect(policy.guards).toEqual({ minRequests: 100, failureLimit: 2 });
    const canary = policy.stages[2];
    expect(canary).toMatchObject({ kind: 'canary', traffic: 0.05, minDuration: '4h', checkInterval: '10m' });
    expect(policy.stages[3]).toMatchObject({ kind: 'canary', traffic: 0.25, minDuration: '6h' });
    const ruleSets = policy.stages.flatMap((stage) => ('rules' in stage ? [stage.rules] : 'guardrails' in stage ? [stage.guardrails] : []));
    expect(ruleSets).toHaveLength(4);
    for (const rules of ruleSets) {
      expect(rules).toEqual([
        { type: 'ratio', metric: 'errorRate', maxRatio: 3 },
        { type: 'ratio', metric: 'latencyP95', maxRatio: 1.5 },
        { type: 'ratio', metric: 'latencyP50', maxRatio: 1.4 },
        { type: 'ratio', metric: 'timeoutRate', maxRatio: 10 },
      ]);
    }
  });

  it('lists the problems of an impossible setting by path', () => {
    expect(() => labPolicy({ ...defaults, errorRatio: -1 })).toThrow(/^the policy is invalid: stages\[2\]\.rules\[0\]\.maxRatio: /);
    expect(() => labScenarios({ ...defaults, controlErrorRate: 2 })).toThrow(/^the healthy candidate scenario is invalid: control\.errorRate/);
    expect(() => labScenarioDocuments({ ...defaults, regressionFactor: 1 })).toThrow('regression factor must be greater than 1, got 1');
  });
});

describe('labScenarioDocuments', () => {
  it('differ only in the candidate error rate', () => {
    const { healthy, regressed } = labScenarioDocuments({ ...defaults, requestsPerSecond: 50, controlErrorRate: 0.02, regressionFactor: 2.5 });
    expect(healthy).toMatchObject({ traffic: { requestsPerSecond: 50 }, control: { errorRate: 0.02 }, candidate: { errorRate: 0.02 } });
    expect(regressed).toMatchObject({ control: { errorRate: 0.02 }, candidate: { errorRate: 0.05 } });
    expect(healthy.$schema).toBeUndefined();
  });
});

describe('sweepThresholds', () => {
  it('is the ladder plus the current setting, ascending, without duplicates', () => {
    expect(sweepThresholds(2)).toEqual([1.25, 1.5, 2, 3, 4, 6]);
    expect(sweepThresholds(2.5)).toEqual([1.25, 1.5, 2, 2.5, 3, 4, 6]);
  });
});

describe('runLab', () => {
  const settings: LabSettings = { ...defaults, requestsPerSecond: 200, timeoutRatio: 10, replicates: 20, seed: 3 };

  it('streams the current setting first, then the sweep, with the simulator’s own numbers', async () => {
    const partials: LabResult[] = [];
    const progress: number[] = [];
    const result = await runLab(settings, inProcessRunner, (partial) => partials.push(partial), (fraction) => progress.push(fraction), new AbortController().signal);
    expect(result.simulations).toBe(12);
    expect(result.simulationsDone).toBe(12);
    expect(partials).toHaveLength(6);
    expect(partials[0].sweep.map((point) => point.errorRatio)).toEqual([2]);
    expect(result.sweep.map((point) => point.errorRatio)).toEqual([1.25, 1.5, 2, 3, 4, 6]);
    expect(result.current?.errorRatio).toBe(2);
    expect(progress.at(-1)).toBe(1);
    // Common random numbers: the current point equals a direct simulation with the same seed.
    const { healthy } = labScenarios(settings);
    const direct = simulate(healthy, labPolicy(settings), { replicates: 20, seed: 3 });
    expect(result.current?.healthy).toEqual(direct);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const result = await runLab(settings, inProcessRunner, () => controller.abort(), () => {}, controller.signal);
    expect(result.simulationsDone).toBe(2);
  });

  it('rejects bad run settings before running anything', async () => {
    await expect(runLab({ ...settings, replicates: 5 }, inProcessRunner, () => {}, () => {}, new AbortController().signal)).rejects.toThrow(
      'replicates must be a whole number from 10 to 5,000, got 5',
    );
  });
});

describe('labVerdict', () => {
  const rate = (rate: number) => ({ rate, lower: 0, upper: 1, count: 0, total: 100 });
  const summary = (falseRollback: number, missed: number) =>
    ({
      falseRollbackRate: rate(falseRollback),
      missedRegressionRate: rate(missed),
      detectionTime: { count: 1, mean: 3600, median: 7200, p90: 7200, histogram: { 7200: 1 } },
      exposure: { usersServedWhileWorse: 12.4, requestsServedWhileWorse: 0, failedRequests: 0, candidateRequests: 0 },
    }) as never;
  it('calls a setting trigger-happy, lax or balanced, with the numbers', () => {
    const point = (fr: number, mr: number) => ({ errorRatio: 2, current: true, healthy: summary(fr, mr), regressed: summary(fr, mr) });
    expect(labVerdict(point(0.5, 0), defaults)).toMatchObject({ tone: 'bad', text: expect.stringMatching(/^Too trigger-happy\. With the error-rate threshold at 2×, a healthy candidate is rolled back in 50\.0%/) });
    expect(labVerdict(point(0.02, 0.2), defaults)).toMatchObject({ tone: 'bad', text: expect.stringMatching(/^Too lax\./) });
    expect(labVerdict(point(0.02, 0.01), defaults).text).toMatch(/^Balanced\. .* caught after a median 2\.0 h, having served about 12 users first\.$/);
  });
});

describe('policy export and import', () => {
  it('exports the policy with evidence the simulator reproduces', async () => {
    const settings: LabSettings = { ...defaults, replicates: 10, seed: 5 };
    const exported = await buildPolicyExport(settings, inProcessRunner, () => {}, new AbortController().signal);
    expect(exported.policy).toEqual(labPolicy(settings));
    expect(exported.evidence).toMatchObject({ engineVersion, mode: 'window', seed: 5, replicates: 10, complete: true });
    expect(engineVersion).toBe('rollout-lab 0.1.0');
    const { regressed } = labScenarios(settings);
    const direct = simulate(regressed, exported.policy, { replicates: 10, seed: 5 });
    expect(exported.evidence.results[1].missedRegressionRate).toEqual(direct.missedRegressionRate);
    expect(exported.evidence.results[1].scenario).toEqual(labScenarioDocuments(settings).regressed);
    // An export reads back as a valid policy carrying its evidence.
    const imported = readPolicyImport(JSON.stringify(exported));
    expect(imported).toMatchObject({ ok: true, policy: exported.policy, evidence: exported.evidence });
  });

  it('lists every problem of an imported policy by path', () => {
    expect(readPolicyImport('')).toEqual({ ok: false, errors: ['the file is empty: paste or upload a policy JSON'] });
    expect(readPolicyImport('{"version":')).toMatchObject({ ok: false, errors: [expect.stringMatching(/^not valid JSON: /)] });
    const bare = readPolicyImport(JSON.stringify({ version: 2, baseline: { mode: 'historical' }, stages: [] }));
    expect(bare.ok === false && bare.errors[0]).toBe('version: must be 1, got 2');
    const inExport = readPolicyImport(JSON.stringify({ policy: { version: 1 }, evidence: {} }));
    expect(inExport.ok === false && inExport.errors).toEqual([
      "policy.baseline: is required: { mode: 'historical' | 'concurrent' }",
      'policy.stages: is required: an ordered list of stages',
    ]);
  });
});

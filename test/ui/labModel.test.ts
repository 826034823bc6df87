import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { parsePolicy } from '../../src/engine/policy/parsePolicy.ts';
import { prepareSimulation, runReplicates, simulate } from '../../src/sim/runner.ts';
import { buildPolicyExport, engineVersion, readPolicyImport } from '../../src/ui/export/policyExport.ts';
import {
  type LabResult,
  labVerdict,
  runLab,
  type SimulationBatchRunner,
  type SimulationRunner,
  sweepThresholds,
} from '../../src/ui/lab/labModel.ts';
import { labPolicy, labPolicyProblems, labStageNames } from '../../src/ui/lab/labPolicy.ts';
import type { LabSettings } from '../../src/ui/lab/labSettings.ts';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { faultLabel, labFaultDocument, labScenarioDocuments, labScenarioProblems, labScenarios } from '../../src/ui/lab/labWorlds.ts';
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
    const policy = labPolicy({
      ...defaults,
      'errorRate.maxRatio': 3,
      'timeoutRate.maxRatio': 10,
      'latencyP50.maxRatio': 1.4,
      'guards.failureLimit': 2,
      checkInterval: '10m',
      baselineMode: 'concurrent',
      canaries: [{ ...defaults.canaries[0], minDuration: '4h' }, defaults.canaries[1]],
    });
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
    expect(() => labPolicy({ ...defaults, 'errorRate.maxRatio': -1 })).toThrow(
      /^the policy is invalid: stages\[2\]\.rules\[0\]\.maxRatio: /,
    );
    expect(() => labScenarios({ ...defaults, control: { ...defaults.control, errorRate: 2 } })).toThrow(
      /^the healthy candidate scenario is invalid: control\.errorRate/,
    );
    expect(() => labScenarioDocuments({ ...defaults, fault: { ...defaults.fault, errorFactor: 1 } })).toThrow(
      'the fault must make the candidate worse: errors × or latency × must be greater than 1, got 1 and 1',
    );
  });

  it('builds the stage list the user edits: canaries, shadow, A/B design, full stage', () => {
    const policy = labPolicy({
      ...defaults,
      shadow: false,
      canaries: [
        { trafficPercent: 1, minDuration: '30m', maxDuration: '', checkInterval: '1m' },
        { trafficPercent: 10, minDuration: '1h', maxDuration: '3h', checkInterval: '' },
        { trafficPercent: 40, minDuration: '2h', maxDuration: '4h', checkInterval: '10m' },
      ],
      ab: { enabled: true, trafficPercent: 60, alpha: 0.01, power: 0.9, minimumEffect: 0.03, design: 'groupSequential' },
      full: false,
    });
    expect(policy.stages.map((stage) => stage.kind)).toEqual(['baseline', 'canary', 'canary', 'canary', 'ab', 'promote']);
    expect(policy.stages[1]).toEqual({ kind: 'canary', traffic: 0.01, minDuration: '30m', checkInterval: '1m', rules: expect.any(Array) });
    expect(policy.stages[2]).toMatchObject({ traffic: 0.1, minDuration: '1h', maxDuration: '3h', checkInterval: '5m' });
    expect(policy.stages[3]).toMatchObject({ traffic: 0.4, checkInterval: '10m' });
    expect(policy.stages[4]).toMatchObject({
      kind: 'ab',
      traffic: 0.6,
      test: { alpha: 0.01, power: 0.9, minimumEffect: 0.03, design: { type: 'groupSequential', looks: 5, spending: 'obrienFleming' } },
    });
    expect(policy.description).toMatch(
      /baseline → canary 1% 30m → canary 10% 1h–3h → canary 40% 2h–4h → A\/B 60% \(groupSequential\) → promote/,
    );
  });

  it('adds absolute limits and a statistical rule to the stage kinds chosen', () => {
    const policy = labPolicy({
      ...defaults,
      absoluteErrorRate: 0.05,
      absoluteP95: 900,
      absoluteStages: 'canary+full',
      statistical: { minimumEffect: 0.005, method: 'alwaysValid' },
      statisticalStages: 'all',
    });
    const rulesOf = (kind: string) => {
      const stage = policy.stages.find((candidate) => candidate.kind === kind)!;
      return 'rules' in stage ? stage.rules : 'guardrails' in stage ? stage.guardrails : [];
    };
    const absolute = [
      { type: 'absolute', metric: 'errorRate', max: 0.05 },
      { type: 'absolute', metric: 'latencyP95', max: 900 },
    ];
    const statistical = { type: 'statistical', metric: 'errorRate', minimumEffect: 0.005, method: 'alwaysValid' };
    expect(rulesOf('canary').slice(4)).toEqual([...absolute, statistical]);
    expect(rulesOf('full').slice(4)).toEqual([...absolute, statistical]);
    expect(rulesOf('ab').slice(4)).toEqual([statistical]);
  });

  it('lists every problem of the edited policy by JSON path, without throwing', () => {
    expect(labPolicyProblems(defaults)).toEqual([]);
    const problems = labPolicyProblems({
      ...defaults,
      canaries: [{ trafficPercent: 150, minDuration: 'soon', maxDuration: '', checkInterval: '' }, defaults.canaries[1]],
    });
    expect(problems.map((problem) => problem.path)).toEqual(expect.arrayContaining(['stages[2].traffic', 'stages[2].minDuration']));
    expect(labStageNames(defaults)).toEqual(['baseline', 'shadow', 'canary 1', 'canary 2', 'A/B', 'full', 'promote']);
    // No canary after the shadow stage: the engine refuses it (skipCanary needs a reason).
    const skipped = labPolicyProblems({ ...defaults, canaries: [] });
    expect(skipped.length).toBeGreaterThan(0);
  });
});

describe('the scenario the lab edits', () => {
  it('writes traffic, both models, timeouts, the fault and a shared outage into the documents', () => {
    const { healthy, regressed } = labScenarioDocuments({
      ...defaults,
      dailyAmplitude: 0.5,
      users: 500,
      control: { latency: { kind: 'gamma', shape: 2, mean: 300 }, errorRate: 0.02, timeout: 1000 },
      candidate: { latency: { kind: 'exponential', mean: 250 }, errorRate: 0.02, timeout: null },
      fault: { kind: 'bursts', errorFactor: 4, latencyFactor: 2, at: '30h', end: '', every: '2h', duration: '15m' },
      outage: { start: '10h', duration: '30m', errorFactor: 5 },
    });
    expect(healthy).toMatchObject({
      traffic: { dailyCycle: { amplitude: 0.5, peakHour: 14 }, users: { count: 500, zipfExponent: 0.8 } },
      control: { latency: { kind: 'gamma', shape: 2, scale: 150 }, errorRate: 0.02, timeout: 1000 },
      candidate: { latency: { kind: 'exponential', mean: 250 }, errorRate: 0.02 },
      faults: [{ kind: 'outage', start: '10h', duration: '30m', effect: { errorRateMultiplier: 5 } }],
    });
    expect(healthy.candidate).not.toHaveProperty('timeout');
    expect(regressed.faults).toEqual([
      { kind: 'bursts', start: '30h', every: '2h', duration: '15m', effect: { errorRateMultiplier: 4, latencyMultiplier: 2 } },
      { kind: 'outage', start: '10h', duration: '30m', effect: { errorRateMultiplier: 5 } },
    ]);
    expect(
      labScenarioProblems({ ...defaults, fault: { ...defaults.fault, kind: 'ramp', at: '40h', end: 'later' } }).map(
        (problem) => problem.path,
      ),
    ).toEqual(['faults[0].end']);
  });

  it('turns every fault kind into its scenario fault', () => {
    const fault = { kind: 'none' as const, errorFactor: 3, latencyFactor: 1.5, at: '1h', end: '2h', every: '3h', duration: '4m' };
    const effect = { errorRateMultiplier: 3, latencyMultiplier: 1.5 };
    expect(labFaultDocument(fault)).toBeNull();
    expect(labFaultDocument({ ...fault, kind: 'start' })).toBeNull();
    expect(labFaultDocument({ ...fault, kind: 'step' })).toEqual({ kind: 'step', at: '1h', effect });
    expect(labFaultDocument({ ...fault, kind: 'ramp' })).toEqual({ kind: 'ramp', start: '1h', end: '2h', effect });
    expect(labFaultDocument({ ...fault, kind: 'leak' })).toEqual({ kind: 'leak', effect });
    expect(labFaultDocument({ ...fault, kind: 'bursts' })).toEqual({ kind: 'bursts', start: '1h', every: '3h', duration: '4m', effect });
    expect(faultLabel({ ...fault, kind: 'ramp' })).toBe('a candidate ramping to 3× the errors and 1.5× the latency from 1h to 2h');
  });
});

describe('labScenarioDocuments', () => {
  it('differ only in the candidate error rate for a candidate worse from the start (the default)', () => {
    const model = { ...defaults.control, errorRate: 0.02 };
    const { healthy, regressed } = labScenarioDocuments({
      ...defaults,
      requestsPerSecond: 50,
      control: model,
      candidate: model,
      fault: { ...defaults.fault, errorFactor: 2.5 },
    });
    expect(healthy).toMatchObject({ traffic: { requestsPerSecond: 50 }, control: { errorRate: 0.02 }, candidate: { errorRate: 0.02 } });
    expect(regressed).toMatchObject({
      control: { errorRate: 0.02 },
      candidate: { errorRate: 0.05, latency: { kind: 'lognormal', median: 120, p95: 400 } },
    });
    expect(regressed).not.toHaveProperty('faults');
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
  const settings: LabSettings = { ...defaults, requestsPerSecond: 200, 'timeoutRate.maxRatio': 10, replicates: 20, seed: 3 };

  it('streams the current setting first, then the sweep, with the simulator’s own numbers', async () => {
    const partials: LabResult[] = [];
    const progress: number[] = [];
    const result = await runLab(
      settings,
      inProcessRunner,
      (partial) => partials.push(partial),
      (fraction) => progress.push(fraction),
      new AbortController().signal,
    );
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

  it('gives the same streamed results when the whole sweep runs as one batch (the browser pool’s way)', async () => {
    const perSimulation: LabResult[] = [];
    const expected = await runLab(
      settings,
      inProcessRunner,
      (partial) => perSimulation.push(partial),
      () => {},
      new AbortController().signal,
    );
    const batches: number[] = [];
    // A batch runner over the same simulator, reporting simulations in order as the pool does.
    const inProcessBatch: SimulationBatchRunner = {
      async batch(requests, replicates, onSimulation, onProgress) {
        batches.push(requests.length);
        for (const [index, request] of requests.entries()) {
          const { state } = await inProcessRunner(request, replicates, () => {}, new AbortController().signal);
          onSimulation(index, state, true);
          onProgress((index + 1) / requests.length);
        }
      },
    };
    const streamed: LabResult[] = [];
    const result = await runLab(
      settings,
      inProcessBatch,
      (partial) => streamed.push(partial),
      () => {},
      new AbortController().signal,
    );
    expect(batches).toEqual([12]);
    expect(result).toEqual(expected);
    expect(streamed).toEqual(perSimulation);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const result = await runLab(
      settings,
      inProcessRunner,
      () => controller.abort(),
      () => {},
      controller.signal,
    );
    expect(result.simulationsDone).toBe(2);
  });

  it('rejects bad run settings before running anything', async () => {
    await expect(
      runLab(
        { ...settings, replicates: 5 },
        inProcessRunner,
        () => {},
        () => {},
        new AbortController().signal,
      ),
    ).rejects.toThrow('replicates must be a whole number from 10 to 5,000, got 5');
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
    expect(labVerdict(point(0.5, 0), defaults)).toMatchObject({
      tone: 'bad',
      text: expect.stringMatching(/^Too trigger-happy\. With the error-rate threshold at 2×, a healthy candidate is rolled back in 50\.0%/),
    });
    expect(labVerdict(point(0.02, 0.2), defaults)).toMatchObject({ tone: 'bad', text: expect.stringMatching(/^Too lax\./) });
    expect(labVerdict(point(0.02, 0.01), defaults).text).toMatch(
      /^Balanced\. .* caught after a median 2\.0 h, having served about 12 users first\.$/,
    );
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

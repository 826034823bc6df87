// The lab's exact worker kept warm (workers/labExactEndpoint.ts, keptWorker.ts,
// labExactInWorker.ts): the endpoint keeps a few scenarios by content, so the evaluator's
// per-scenario memos serve later requests — and the answer to a request is bit for bit the one a
// cold worker gives, after other requests in other scenarios and with other policies. The
// reference is computed FIRST in this file (vitest runs each test file with fresh modules: every
// memo of the evaluator, per scenario or module-wide, is empty then), on a structured clone as the
// worker receives it; `toStrictEqual` compares numbers with Object.is, i.e. to the last bit.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { scenarioWorlds } from '../../src/sim/exact/evaluateExact.ts';
import type { ExactCurveRequest, ExactCurveResult } from '../../src/sim/exact/exactOperatingCurve.ts';
import type { Scenario } from '../../src/sim/scenario.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { scenarioContentKey } from '../../src/sim/scenarioContentKey.ts';
import { labExactRequest } from '../../src/ui/lab/labExact.ts';
import type { LabSettings } from '../../src/ui/lab/labSettings.ts';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { initialState } from '../../src/ui/state/viewState.ts';
import { isAbortError } from '../../workers/callInWorker.ts';
import type { CancelOutcome } from '../../workers/keptWorker.ts';
import { keptWorker } from '../../workers/keptWorker.ts';
import type { CancelledCurve, LabExactEndpoint } from '../../workers/labExactEndpoint.ts';
import {
  createLabExactEndpoint,
  KeptScenarios,
  keptScenarioCount,
  labExactCurve,
  labExactSettingsPerStep,
} from '../../workers/labExactEndpoint.ts';
import {
  exactCurveOn,
  labExactCancel,
  labExactCancelAtMostMs,
  labExactCancelBound,
  labExactCancelWithinMs,
} from '../../workers/labExactInWorker.ts';
import { ChannelWorker } from './channelWorker.ts';

const defaults = readLabSettings(initialState(labSchema));
/**
 * The lab with one canary (5%, 2–4 h) and no shadow, A/B or full stage, on its first-visit worlds
 * (20 req/s with a daily cycle, historical baseline: the baseline's count laws and cells, the
 * pooled latency references' laws, the binomial rows and check matrices are all built) — a fraction of a second.
 */
const oneCanary: LabSettings = {
  ...defaults,
  shadow: false,
  ab: { ...defaults.ab, enabled: false },
  full: false,
  canaries: defaults.canaries.slice(0, 1),
};
/** The same policy in other worlds: 100 req/s without the daily cycle. */
const flat: LabSettings = { ...oneCanary, requestsPerSecond: 100, dailyAmplitude: 0 };

/** The lab's request for `settings` with the current threshold first, then `others`. */
function labRequest(settings: LabSettings, others: number[] = []): ExactCurveRequest {
  return labExactRequest(settings, [settings['errorRate.maxRatio'], ...others]);
}

/** A concurrent-baseline world and policy (concurrentCountTable.ts's memo): a 5% canary for 30 minutes, errors × 2 of the control's. */
function handScenario(errorRate: number): Scenario {
  const parsed = parseScenario({
    version: 1,
    name: `concurrent hand case, candidate errors ${errorRate}`,
    horizon: '40m',
    traffic: { requestsPerSecond: 20, users: { count: 1000 } },
    control: { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate: 0.01 },
    candidate: { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}
function concurrentPolicy(maxRatio: number): Policy {
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 5, failureLimit: 2 },
    flag: { name: 'hand' },
    stages: [
      { kind: 'canary', traffic: 0.05, minDuration: '30m', checkInterval: '5m', rules: [{ type: 'ratio', metric: 'errorRate', maxRatio }] },
      { kind: 'promote' },
    ],
  } as Policy;
}
const concurrentRequest = (values: number[]): ExactCurveRequest => ({
  healthy: handScenario(0.01),
  regressed: handScenario(0.03),
  settings: values.map((value) => ({ value, policy: concurrentPolicy(value) })),
});

/** Cold answers, computed before anything else in this file (module comment). */
let coldCurrent: ExactCurveResult;
let coldCurve: ExactCurveResult;
let coldConcurrent: ExactCurveResult;
/** The one-canary curve over six thresholds: three blocks of `labExactSettingsPerStep`, a step per world each. */
const longRequest = () => labRequest(oneCanary, [1.5, 3, 4, 5, 6]);
let coldLong: ExactCurveResult;

beforeAll(() => {
  coldCurrent = labExactCurve(structuredClone(labRequest(oneCanary)));
  coldCurve = labExactCurve(structuredClone(labRequest(oneCanary, [1.5, 3])));
  coldConcurrent = labExactCurve(structuredClone(concurrentRequest([2, 1.5])));
  coldLong = labExactCurve(structuredClone(longRequest()));
});

describe('scenarioContentKey', () => {
  const scenario = handScenario(0.01);
  it('is equal for content-equal scenarios, different when a number differs', () => {
    expect(scenarioContentKey(structuredClone(scenario))).toBe(scenarioContentKey(scenario));
    const other = structuredClone(scenario);
    other.candidate.errorRate = 0.010000000000000002;
    expect(scenarioContentKey(other)).not.toBe(scenarioContentKey(scenario));
  });

  it('tells apart what JSON conflates: NaN, ±Infinity, null, −0 and 0, an undefined property and none, a marker-like string', () => {
    const keys = [NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, -0, 0, '\u0000NaN', '\u0000\u0000NaN'].map((value) =>
      scenarioContentKey({ ...scenario, horizon: value } as unknown as Scenario),
    );
    expect(new Set(keys).size).toBe(keys.length);
    const withUndefined = { ...scenario, description: undefined } as Scenario;
    const without = { ...scenario } as Scenario;
    delete without.description;
    expect(scenarioContentKey(withUndefined)).not.toBe(scenarioContentKey(without));
  });
});

describe('KeptScenarios', () => {
  const a = handScenario(0.01);
  const b = handScenario(0.02);
  const c = handScenario(0.03);

  it('returns the kept scenario for a content-equal copy, and keeps a new one', () => {
    const kept = new KeptScenarios(2);
    expect(kept.keep(a)).toBe(a);
    expect(kept.keep(structuredClone(a))).toBe(a);
    expect(kept.keep(b)).toBe(b);
    expect(kept.size).toBe(2);
  });

  it('is bounded: past its capacity the least recently used scenario goes', () => {
    const kept = new KeptScenarios(2);
    kept.keep(a);
    kept.keep(b);
    kept.keep(structuredClone(a)); // a used again: b is now the least recent
    kept.keep(c);
    expect(kept.size).toBe(2);
    expect(kept.keep(structuredClone(a))).toBe(a);
    const copyOfB = structuredClone(b);
    expect(kept.keep(copyOfB)).toBe(copyOfB); // b was evicted: its copy is kept now
    expect(kept.size).toBe(2);
  });

  it('keeps the lab’s two worlds of two scenario settings by default, and rejects a capacity below 1', () => {
    expect(keptScenarioCount).toBe(4);
    expect(new KeptScenarios().capacity).toBe(4);
    expect(() => new KeptScenarios(0)).toThrow(new RangeError('capacity must be a whole number ≥ 1, got 0'));
  });
});

describe('the kept endpoint answers as a cold worker does', () => {
  it('bit for bit, after other requests in other scenarios and with other policies, on the kept scenario objects', async () => {
    const kept = new KeptScenarios();
    const endpoint = createLabExactEndpoint(kept);
    // The lab's sequence: the current setting, then its curve; an edit; the other worlds; back.
    expect(await endpoint.operatingCurve(structuredClone(labRequest(oneCanary)))).toStrictEqual(coldCurrent);
    expect(await endpoint.operatingCurve(structuredClone(labRequest(oneCanary, [1.5, 3])))).toStrictEqual(coldCurve);
    const edit = { ...oneCanary, 'errorRate.maxRatio': 3, 'guards.failureLimit': 3 };
    await endpoint.operatingCurve(structuredClone(labRequest(edit, [1.5, 2])));
    await endpoint.operatingCurve(structuredClone(concurrentRequest([1.2, 4])));
    await endpoint.operatingCurve(structuredClone(labRequest(flat, [1.5])));
    expect(await endpoint.operatingCurve(structuredClone(concurrentRequest([2, 1.5])))).toStrictEqual(coldConcurrent);
    expect(await endpoint.operatingCurve(structuredClone(labRequest(oneCanary, [1.5, 3])))).toStrictEqual(coldCurve);
    expect(await endpoint.operatingCurve(structuredClone(labRequest(oneCanary)))).toStrictEqual(coldCurrent);
    // Those answers were computed on the kept objects (content-equal copies map to them), and
    // the evaluator left them as they were sent.
    const { healthy, regressed } = labRequest(oneCanary);
    const keptHealthy = kept.keep(structuredClone(healthy));
    expect(keptHealthy).not.toBe(healthy);
    expect(kept.keep(structuredClone(healthy))).toBe(keptHealthy);
    expect(scenarioContentKey(keptHealthy)).toBe(scenarioContentKey(healthy));
    expect(scenarioContentKey(kept.keep(structuredClone(regressed)))).toBe(scenarioContentKey(regressed));
    // What the reference is: the lab's one-canary policy on the historical baseline, and a concurrent curve.
    if (!coldCurve.supported || !coldConcurrent.supported) throw new Error('the references are refused');
    expect(coldCurve.points.map((point) => point.value)).toEqual([2, 1.5, 3]);
    expect(coldConcurrent.points[0].healthy.falseRollbackRate.rate).toBeGreaterThan(0);
  });
});

describe('the lab’s exact call on a kept worker', () => {
  function labWorker(spawned: ChannelWorker[]) {
    return keptWorker<LabExactEndpoint>(
      'exact operating characteristic',
      () => {
        const channel = new ChannelWorker(createLabExactEndpoint());
        spawned.push(channel);
        return channel.asWorker();
      },
      { idleMs: Number.POSITIVE_INFINITY },
    );
  }

  it('an aborted request is cancelled and the next one answered correctly, on a fresh worker; then the worker stays warm', async () => {
    const spawned: ChannelWorker[] = [];
    const worker = labWorker(spawned);
    try {
      const controller = new AbortController();
      const aborted = exactCurveOn(worker, labRequest(oneCanary, [1.5, 3]), { signal: controller.signal });
      controller.abort(); // a newer edit, before the worker answered
      const error = await aborted.catch((reason: unknown) => reason);
      expect(isAbortError(error)).toBe(true);
      expect(spawned[0].terminated).toBe(true);
      const fractions: number[] = [];
      const curve = await exactCurveOn(worker, labRequest(oneCanary, [1.5, 3]), {
        signal: new AbortController().signal,
        reportProgress: (fraction) => fractions.push(fraction),
      });
      expect(curve).toStrictEqual(coldCurve);
      expect(spawned).toHaveLength(2);
      expect(await exactCurveOn(worker, labRequest(oneCanary), { signal: new AbortController().signal })).toStrictEqual(coldCurrent);
      expect(spawned).toHaveLength(2);
      expect(spawned[1].terminated).toBe(false);
      // The progress proxy is a channel of its own, not ordered against the answers or a timer.
      await vi.waitFor(() => expect(fractions).toEqual([1 / 3, 2 / 3, 1]));
    } finally {
      worker.close();
    }
  });

  it("an invalid policy is the engine's RangeError, and the worker is kept", async () => {
    const spawned: ChannelWorker[] = [];
    const worker = labWorker(spawned);
    try {
      const request = structuredClone(concurrentRequest([2]));
      (request.settings[0].policy as { guards: { failureLimit: number } }).guards.failureLimit = 0;
      const error = await exactCurveOn(worker, request, { signal: new AbortController().signal }).catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(RangeError);
      expect((error as RangeError).message).toMatch(/failureLimit/);
      expect(await exactCurveOn(worker, concurrentRequest([2, 1.5]), { signal: new AbortController().signal })).toStrictEqual(
        coldConcurrent,
      );
      expect(spawned).toHaveLength(1);
    } finally {
      worker.close();
    }
  });
});

describe('a cancelled curve keeps the worker and its memos', () => {
  it('the endpoint stops at its next step and answers "cancelled"; the next request finds the same scenarios and worlds and answers bit for bit', async () => {
    expect(labExactSettingsPerStep).toBe(2);
    const kept = new KeptScenarios();
    const endpoint = createLabExactEndpoint(kept);
    // The lab's first request: the current setting alone (the scenarios kept, their worlds compiled).
    expect(await endpoint.operatingCurve(structuredClone(labRequest(oneCanary)))).toStrictEqual(coldCurrent);
    const keptHealthy = kept.keep(structuredClone(longRequest().healthy));
    const worlds = [...scenarioWorlds(keptHealthy).values()];
    expect(worlds).toHaveLength(1);
    // The curve, cancelled while its first step (the healthy world's first two thresholds) runs.
    const fractions: number[] = [];
    const cancelled = endpoint.operatingCurve(structuredClone(longRequest()), (fraction) => fractions.push(fraction), 7);
    endpoint.cancel(7);
    expect(await cancelled).toStrictEqual({ cancelled: true });
    expect(fractions).toEqual([]); // no threshold was answered in both worlds
    // The memos stay: the same kept scenario objects and compiled worlds (nothing rebuilt), and the answer is a cold one's.
    expect(kept.keep(structuredClone(longRequest().healthy))).toBe(keptHealthy);
    const curve = await endpoint.operatingCurve(structuredClone(longRequest()), (fraction) => fractions.push(fraction), 8);
    expect([...scenarioWorlds(keptHealthy).values()]).toEqual(worlds);
    expect(scenarioWorlds(keptHealthy).values().next().value).toBe(worlds[0]);
    expect(curve).toStrictEqual(coldLong);
    // Progress per step: two thresholds a block.
    expect(fractions).toEqual([1, 2, 3, 4, 5, 6].map((done) => done / 6));
    // A cancel for a call that is not running changes nothing.
    endpoint.cancel(8);
    expect(await endpoint.operatingCurve(structuredClone(labRequest(oneCanary)), undefined, 8)).toStrictEqual(coldCurrent);
  });

  it('over a channel: an edit during the curve is answered by the same worker, warm, bit for bit', async () => {
    const spawned: ChannelWorker[] = [];
    const answers: (ExactCurveResult | CancelledCurve)[] = [];
    const cancels: CancelOutcome[] = [];
    const worker = keptWorker<LabExactEndpoint>(
      'exact operating characteristic',
      () => {
        const endpoint = createLabExactEndpoint();
        // What the endpoint answered, cancelled or not (the page never sees a cancelled answer).
        const channel = new ChannelWorker({
          ...endpoint,
          operatingCurve: async (...call: Parameters<LabExactEndpoint['operatingCurve']>) => {
            const answer = await endpoint.operatingCurve(...call);
            answers.push(answer);
            return answer;
          },
        });
        spawned.push(channel);
        return channel.asWorker();
      },
      // A bound no step here reaches (the bound's own path: keptWorker.test.ts, with a step that ignores the cancel).
      { idleMs: Number.POSITIVE_INFINITY, cancel: labExactCancel(600_000, (outcome) => void cancels.push(outcome)) },
    );
    try {
      expect(await exactCurveOn(worker, labRequest(oneCanary), { signal: new AbortController().signal })).toStrictEqual(coldCurrent);
      const controller = new AbortController();
      const superseded = exactCurveOn(worker, longRequest(), { signal: controller.signal });
      controller.abort(); // the edit
      expect(isAbortError(await superseded.catch((reason: unknown) => reason))).toBe(true);
      // The edit's current setting, then its curve: queued behind the cancelled call, on the same worker.
      expect(await exactCurveOn(worker, labRequest(oneCanary), { signal: new AbortController().signal })).toStrictEqual(coldCurrent);
      expect(await exactCurveOn(worker, longRequest(), { signal: new AbortController().signal })).toStrictEqual(coldLong);
      expect(answers.map((answer) => 'cancelled' in answer)).toEqual([false, true, false, false]);
      expect(cancels.map((outcome) => outcome.kept)).toEqual([true]);
      expect(spawned).toHaveLength(1);
      expect(spawned[0].terminated).toBe(false);
    } finally {
      worker.close();
    }
  });
});

describe('how long the page waits for a cancel', () => {
  it('as long as the worker’s first request took, within [500 ms, 2 s]; 500 ms before it has one', () => {
    expect([labExactCancelWithinMs, labExactCancelAtMostMs]).toEqual([500, 2000]);
    expect(labExactCancelBound(undefined)).toBe(500);
    expect(labExactCancelBound(120)).toBe(500);
    expect(labExactCancelBound(1234.5)).toBe(1234.5);
    expect(labExactCancelBound(9000)).toBe(2000);
    expect(labExactCancel().withinMs).toBe(labExactCancelBound);
  });
});

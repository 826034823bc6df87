import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/sim/scenario.ts';

const minimal = {
  version: 1,
  name: 'minimal',
  traffic: { requestsPerSecond: 10 },
  control: { latency: { kind: 'exponential', mean: 100 }, errorRate: 0.01 },
  candidate: { latency: { kind: 'exponential', mean: 100 }, errorRate: 0.01 },
};

describe('parseScenario', () => {
  it('accepts the shipped scenarios', () => {
    for (const file of ['identical-candidate', 'error-regression']) {
      const parsed = parseScenario(JSON.parse(readFileSync(`scenarios/${file}.json`, 'utf8')));
      expect(parsed.ok, file).toBe(true);
    }
  });

  it('fills the documented defaults and parses durations to seconds', () => {
    const parsed = parseScenario({ ...minimal, horizon: '2d', faults: [{ kind: 'step', at: '6h', effect: { errorRateMultiplier: 3 } }] });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const scenario = parsed.scenario;
    expect(scenario.horizon).toBe(172800);
    expect(scenario.traffic.users).toEqual({ count: 10000, zipfExponent: 0 });
    expect(scenario.traffic.segments).toEqual({ all: 1 });
    expect(scenario.traffic.arrivals).toEqual({ kind: 'poisson' });
    expect(scenario.control.accuracy).toEqual({ all: 0.9 });
    expect(scenario.candidate.agreement).toBe(1);
    expect(scenario.truth).toEqual({ errorRateRatio: 1.2, p95Ratio: 1.1 });
    expect(scenario.faults).toEqual([
      { kind: 'step', at: 21600, effect: { errorRateMultiplier: 3, extraErrorRate: 0, latencyMultiplier: 1 } },
    ]);
  });

  it('normalises segment weights and requires accuracy for every segment', () => {
    const parsed = parseScenario({
      ...minimal,
      traffic: { requestsPerSecond: 10, segments: { mobile: 3, desktop: 1 } },
      control: { ...minimal.control, accuracy: { mobile: 0.8, desktop: 0.9 } },
      candidate: { ...minimal.candidate, accuracy: { mobile: 0.8, tablet: 0.9 } },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      {
        path: 'candidate.accuracy.desktop',
        message: 'candidate.accuracy.desktop is required: accuracy must be given for every segment of traffic.segments',
      },
      { path: 'candidate.accuracy.tablet', message: 'candidate.accuracy.tablet is not a segment of traffic.segments' },
    ]);
    const good = parseScenario({ ...minimal, traffic: { requestsPerSecond: 10, segments: { mobile: 3, desktop: 1 } } });
    expect(good.ok && good.scenario.traffic.segments).toEqual({ mobile: 0.75, desktop: 0.25 });
  });

  it('lists every problem by path, at once', () => {
    const parsed = parseScenario({
      version: 2,
      traffic: {
        requestsPerSecond: 0,
        dailyCycle: { amplitude: 1.5 },
        users: { count: 0 },
        bursts: [{ start: 'soon', duration: '1h', multiplier: 2 }],
      },
      control: { latency: { kind: 'lognormal', median: 100, p95: 50 }, errorRate: -0.1, timeout: 0 },
      candidate: {
        latency: { kind: 'mixture', components: [{ weight: 1, distribution: { kind: 'mixture', components: [] } }] },
        errorRate: 0.01,
      },
      faults: [{ kind: 'ramp', start: '2h', end: '1h', effect: {} }, { kind: 'meteor' }],
      truth: { errorRateRatio: 0.5 },
      extra: true,
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const paths = parsed.errors.map((error) => error.path);
    expect(paths).toEqual([
      'extra',
      'version',
      'name',
      'traffic.requestsPerSecond',
      'traffic.dailyCycle.amplitude',
      'traffic.bursts[0].start',
      'traffic.users.count',
      'control.latency.p95',
      'control.errorRate',
      'control.timeout',
      'candidate.latency.components[0].distribution',
      'faults[0].end',
      'faults[1].kind',
      'truth.errorRateRatio',
    ]);
    const byPath = Object.fromEntries(parsed.errors.map((error) => [error.path, error.message]));
    expect(byPath['traffic.dailyCycle.amplitude']).toBe('traffic.dailyCycle.amplitude must be between 0 and 1 (excluding 1), got 1.5');
    expect(byPath['traffic.bursts[0].start']).toBe(
      'traffic.bursts[0].start must be a number of seconds (≥ 0) or a duration like "90s", "5m", "24h", got "soon"',
    );
    expect(byPath['control.latency.p95']).toBe('control.latency.p95 must be greater than the median 100, got 50');
    expect(byPath['faults[0].end']).toBe('faults[0].end must be after start (7200 s), got 3600 s');
    expect(byPath['candidate.latency.components[0].distribution']).toBe(
      'candidate.latency.components[0].distribution must not be a mixture inside a mixture',
    );
  });

  it('rejects a non-object and checks replay arrivals', () => {
    expect(parseScenario(42)).toEqual({ ok: false, errors: [{ path: '', message: 'scenario must be an object, got 42' }] });
    const replay = parseScenario({ ...minimal, traffic: { requestsPerSecond: 1, arrivals: { kind: 'replay', times: [0, 2, 1] } } });
    expect(replay.ok).toBe(false);
    if (!replay.ok) expect(replay.errors[0].path).toBe('traffic.arrivals.times[2]');
    const good = parseScenario({ ...minimal, traffic: { requestsPerSecond: 1, arrivals: { kind: 'replay', times: [0, 1.5, 2.5] } } });
    expect(good.ok && good.scenario.traffic.arrivals).toEqual({ kind: 'replay', times: [0, 1.5, 2.5], period: 3 });
  });

  it('keeps the specific messages of the cross-field and list rules', () => {
    const problems = (document: unknown) => {
      const parsed = parseScenario(document);
      return parsed.ok ? [] : parsed.errors.map((error) => error.message);
    };
    expect(problems({ ...minimal, candidate: { latency: { kind: 'empirical', values: [5] }, errorRate: 0 } })).toEqual([
      'candidate.latency.values must hold at least 2 latencies, got 1',
    ]);
    expect(problems({ ...minimal, traffic: { requestsPerSecond: 1, arrivals: { kind: 'replay', file: 'trace.csv' } } })).toEqual([
      'traffic.arrivals.times is required: at least one arrival time (the CLI fills it from "file")',
    ]);
    expect(problems({ ...minimal, traffic: { requestsPerSecond: 1, arrivals: { kind: 'replay', times: [0, 5], period: 5 } } })).toEqual([
      'traffic.arrivals.period must be longer than the last arrival time 5 s, got 5 s',
    ]);
    expect(problems({ ...minimal, traffic: { requestsPerSecond: 1, segments: { a: 0, b: 0 } } })).toEqual([
      'traffic.segments weights must not all be 0',
    ]);
    expect(problems({ ...minimal, inputs: { lang: { kind: 'categorical', mix: { en: 1 }, target: { fr: 1 } } } })).toEqual([
      'inputs.lang.over is required: how long the mix takes to reach the target',
      'inputs.lang.target.fr is not a category of inputs.lang.mix',
    ]);
  });

  it('reads an optional seed, a whole number or a text mapped by seedFromText', () => {
    const seedOf = (seed: unknown) => {
      const parsed = parseScenario({ ...minimal, seed });
      return parsed.ok ? parsed.scenario.seed : parsed.errors.map((error) => error.message);
    };
    expect(seedOf(undefined)).toBeUndefined();
    expect(seedOf(7)).toBe(7);
    // scripts/reference/seed_from_text.py: seedrandom's ARC4 of 'release-2026-12' → 6579759434890201.
    expect(seedOf('release-2026-12')).toBe(6579759434890201);
    expect(seedOf('42')).toBe(42);
    expect(seedOf(1.5)).toEqual(['seed must be a whole number, got 1.5']);
    expect(seedOf(' ')).toEqual(['seed must be a non-empty string, got " "']);
    expect(seedOf([1])).toEqual(['seed must be a whole number or a non-empty string, got an array']);
  });
});

import { describe, expect, it } from 'vitest';
import { faultStrength } from '../../src/sim/faults.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { candidateIsWorse, compileWorld, conditionsAt, emptyConditions } from '../../src/sim/world.ts';

function world(extra: Record<string, unknown>) {
  const model = { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate: 0.01, timeout: 1000, accuracy: { a: 0.9, b: 0.7 } };
  const parsed = parseScenario({
    version: 1,
    name: 'w',
    traffic: { requestsPerSecond: 1, segments: { a: 1, b: 1 }, users: { count: 10 } },
    control: model,
    candidate: model,
    ...extra,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return compileWorld(parsed.scenario, 'g');
}

describe('faults, drift and the truth', () => {
  it('fault strengths: step, ramp, leak, bursts, outage', () => {
    const effect = { errorRateMultiplier: 2, extraErrorRate: 0, latencyMultiplier: 1 };
    expect([0, 99, 100].map((t) => faultStrength({ kind: 'step', at: 100, effect }, t, 0))).toEqual([0, 0, 1]);
    expect([0, 150, 200, 500].map((t) => faultStrength({ kind: 'ramp', start: 100, end: 200, effect }, t, 0))).toEqual([0, 0.5, 1, 1]);
    expect(faultStrength({ kind: 'leak', effect }, 1e6, 2.5)).toBe(2.5);
    expect(
      [50, 100, 109, 110, 160, 170].map((t) => faultStrength({ kind: 'bursts', start: 100, every: 60, duration: 10, effect }, t, 0)),
    ).toEqual([0, 1, 1, 0, 1, 0]);
    expect([99, 100, 159, 160].map((t) => faultStrength({ kind: 'outage', start: 100, duration: 60, effect }, t, 0))).toEqual([0, 1, 1, 0]);
  });

  it('a step fault makes the candidate worse from its time on; an outage hits both models', () => {
    const w = world({
      faults: [
        { kind: 'step', at: '1h', effect: { errorRateMultiplier: 3 } },
        { kind: 'outage', start: '2h', duration: '10m', effect: { extraErrorRate: 0.5, latencyMultiplier: 2 } },
      ],
    });
    const control = emptyConditions();
    const candidate = emptyConditions();
    conditionsAt(w, 1800, 0, control, candidate);
    expect(candidate.errorRate).toBeCloseTo(0.01, 15);
    expect(candidateIsWorse(w, control, candidate)).toBe(false);
    conditionsAt(w, 3700, 0, control, candidate);
    expect(candidate.errorRate).toBeCloseTo(0.03, 15);
    expect(candidateIsWorse(w, control, candidate)).toBe(true);
    conditionsAt(w, 7500, 0, control, candidate);
    expect(control.errorRate).toBeCloseTo(0.51, 15);
    expect(candidate.errorRate).toBeCloseTo(0.53, 15);
    expect(control.latencyMultiplier).toBe(2);
    expect(candidate.latencyMultiplier).toBe(2);
    // Timeout probability P(2·L > 1000) = P(L > 500) for the lognormal(ln 100, 0.5): Φ(−ln 5/0.5).
    expect(control.timeoutProbability).toBeCloseTo(1 - w.controlLatency.cdf(500), 14);
    // Both p95s doubled: not worse by latency (the error-rate step still makes it worse).
    expect(candidate.p95).toBeCloseTo(control.p95, 10);
  });

  it('mixes accuracy over the segment mix and applies drift', () => {
    const w = world({
      drift: { segmentMix: { target: { a: 0, b: 1 }, over: '10d' }, accuracyDecayPerDay: { candidate: 0.01 } },
      truth: { accuracyDrop: 0.05 },
    });
    expect(w.timeInvariant).toBe(false);
    const control = emptyConditions();
    const candidate = emptyConditions();
    conditionsAt(w, 0, 0, control, candidate);
    expect(control.accuracy).toBeCloseTo(0.8, 14);
    expect(candidateIsWorse(w, control, candidate)).toBe(false);
    conditionsAt(w, 5 * 86400, 0, control, candidate);
    // Mix (0.25, 0.75): 0.25·0.9 + 0.75·0.7 = 0.75; the candidate lost 5 points more.
    expect(control.accuracy).toBeCloseTo(0.75, 14);
    expect(candidate.accuracy).toBeCloseTo(0.7, 14);
    expect(candidateIsWorse(w, control, candidate)).toBe(false);
    conditionsAt(w, 6 * 86400, 0, control, candidate);
    expect(candidateIsWorse(w, control, candidate)).toBe(true);
  });
});

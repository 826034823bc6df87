/**
 * The audit's two worlds from what a team knows (src/sim/audit/auditScenario.ts) and the readers
 * of its inputs (auditInputs.ts). Latency and timeout reference values: scripts/reference/audit_worlds.py
 * (scipy 1.10.1 `lognorm.ppf`).
 */
import { describe, expect, it } from 'vitest';
import { parseLatencyMs, parseRate, parseRegression, parseRequestRate } from '../../../src/sim/audit/auditInputs.ts';
import { auditScenario } from '../../../src/sim/audit/auditScenario.ts';
import { latencyModel } from '../../../src/sim/latencyModel.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import { compileWorld, conditionsAt, emptyConditions } from '../../../src/sim/world.ts';

describe('the audit’s inputs', () => {
  it('reads rates, latencies and regressions as people write them', () => {
    expect(parseRequestRate('40rps')).toBe(40);
    expect(parseRequestRate('2400rpm')).toBe(40);
    expect(parseRequestRate('144000rph')).toBe(40);
    expect(parseRequestRate('40')).toBe(40);
    expect(parseLatencyMs('350ms')).toBe(350);
    expect(parseLatencyMs('0.35s')).toBe(350);
    expect(parseRate('0.2%', 'error-rate')).toBeCloseTo(0.002, 15);
    expect(parseRegression('errors*3')).toEqual({ metric: 'errors', operation: 'multiply', amount: 3 });
    expect(parseRegression('p95*1.5')).toEqual({ metric: 'p95', operation: 'multiply', amount: 1.5 });
    expect(parseRegression('errors+0.01')).toEqual({ metric: 'errors', operation: 'add', amount: 0.01 });
    expect(parseRegression('timeouts*2')).toEqual({ metric: 'timeouts', operation: 'multiply', amount: 2 });
    expect(parseRegression('p95+100ms')).toEqual({ metric: 'p95', operation: 'add', amount: 100 });
  });

  it('refuses what it cannot read, naming the field and what it expected', () => {
    expect(() => parseRequestRate('fast')).toThrow("traffic must be a positive request rate like 40rps, 2400rpm or 144000rph, got 'fast'");
    expect(() => parseLatencyMs('-3ms')).toThrow(/p95 must be a positive latency/);
    expect(() => parseRate('1.5', 'error-rate')).toThrow(/error-rate must be a rate from 0 to 1/);
    expect(() => parseRegression('errors*0.5')).toThrow(
      'regression errors*0.5: the factor must be greater than 1 (the regressed candidate is worse)',
    );
    expect(() => parseRegression('accuracy*2')).toThrow(/regression must be METRIC\*FACTOR/);
  });
});

describe('auditScenario', () => {
  it('builds the healthy and regressed worlds from --traffic 40rps --error-rate 0.002 --p95 350ms', () => {
    const worlds = auditScenario({ requestsPerSecond: 40, errorRate: 0.002, p95: 350, regression: [parseRegression('errors*3')] });
    const { healthy, regressed } = worlds;
    expect(healthy.traffic.requestsPerSecond).toBe(40);
    expect(healthy.control).toEqual(healthy.candidate);
    expect(healthy.control.latency).toEqual({ kind: 'lognormal', median: 105, p95: 350 });
    expect(healthy.faults).toEqual([]);
    expect(regressed.faults).toEqual([
      { kind: 'step', at: 0, effect: { errorRateMultiplier: 3, extraErrorRate: 0, latencyMultiplier: 1 } },
    ]);
    expect(worlds.regression).toBe('errors*3');
    expect(worlds.assumptions.join('\n')).toMatch(/median 105 ms \(the scenario library's shape/);
    // The regressed candidate has 0.6% errors from its first window, and the truth calls it worse.
    const world = compileWorld(regressed, 'audit');
    const control = emptyConditions();
    const candidate = emptyConditions();
    conditionsAt(world, 150, 0, control, candidate);
    expect(candidate.errorRate).toBeCloseTo(0.006, 15);
    expect(control.errorRate).toBeCloseTo(0.002, 15);
  });

  it('a timeout rate sets the latency quantile, and timeouts*2 with p95*1.5 the candidate’s (scipy lognorm.ppf)', () => {
    const worlds = auditScenario({
      requestsPerSecond: 40,
      errorRate: 0.002,
      p95: 350,
      timeoutRate: 0.001,
      regression: [parseRegression('timeouts*2'), parseRegression('p95*1.5')],
    });
    expect(worlds.healthy.control.timeout).toBeCloseTo(1008.1755392322563, 6);
    expect(worlds.regressed.candidate.timeout).toBeCloseTo(1294.8301080776928, 6);
    const world = compileWorld(worlds.regressed, 'audit');
    const control = emptyConditions();
    const candidate = emptyConditions();
    conditionsAt(world, 150, 0, control, candidate);
    expect(control.timeoutProbability).toBeCloseTo(0.001, 9);
    expect(candidate.timeoutProbability).toBeCloseTo(0.002, 9);
    expect(candidate.p95).toBeCloseTo(1.5 * latencyModel(worlds.healthy.control.latency).quantile(0.95), 6);
  });

  it('starts from a scenario of the user’s own (its daily cycle and users), the flags overriding its rates', () => {
    const parsed = parseScenario({
      version: 1,
      name: 'mine',
      horizon: '2d',
      traffic: { requestsPerSecond: 10, dailyCycle: { amplitude: 0.5, peakHour: 18 }, users: { count: 500, zipfExponent: 1 } },
      control: { latency: { kind: 'gamma', shape: 2, scale: 50 }, errorRate: 0.01 },
      candidate: { latency: { kind: 'gamma', shape: 2, scale: 80 }, errorRate: 0.05 },
    });
    if (!parsed.ok) throw new Error('invalid');
    const { healthy, regressed } = auditScenario({
      scenario: parsed.scenario,
      errorRate: 0.004,
      regression: [parseRegression('errors+0.01')],
    });
    expect(healthy.traffic.dailyCycle).toEqual({ amplitude: 0.5, peakHour: 18 });
    expect(healthy.traffic.users).toEqual({ count: 500, zipfExponent: 1 });
    expect(healthy.horizon).toBe(2 * 86400);
    expect(healthy.candidate.latency).toEqual({ kind: 'gamma', shape: 2, scale: 50 });
    expect(healthy.candidate.errorRate).toBe(0.004);
    expect(regressed.faults[0]).toEqual({
      kind: 'step',
      at: 0,
      effect: { errorRateMultiplier: 1, extraErrorRate: 0.01, latencyMultiplier: 1 },
    });
  });

  it('refuses worlds it cannot build, in one sentence naming the field', () => {
    expect(() => auditScenario({ errorRate: 0.002 })).toThrow('requestsPerSecond (--traffic) is required without a scenario');
    expect(() => auditScenario({ requestsPerSecond: 40, errorRate: 0.002, regression: [parseRegression('timeouts*2')] })).toThrow(
      "regression timeouts*2: needs the service's timeout rate (--timeout-rate)",
    );
    expect(() =>
      auditScenario({ requestsPerSecond: 40, errorRate: 0.002, timeoutRate: 0.01, regression: [parseRegression('timeouts*2')] }),
    ).toThrow(/the simulator judges a candidate worse by its error rate or p95 latency/);
    expect(() => auditScenario({ requestsPerSecond: 40, errorRate: 0.4, regression: [parseRegression('errors*3')] })).toThrow(
      /the regressed error rate would be 1\.2/,
    );
  });
});

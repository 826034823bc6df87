import { describe, expect, it } from 'vitest';
import { applyInjections, parseInjection } from '../../../src/sim/replay/injection.ts';

describe('parseInjection', () => {
  it('parses steps and leaks, with units', () => {
    expect(parseInjection('latency*1.3, latency+50ms, latency+0.2s, latency+500us, errors+0.01, errors+1%, errors*2')).toEqual([
      { kind: 'latencyScale', factor: 1.3 },
      { kind: 'latencyShift', milliseconds: 50 },
      { kind: 'latencyShift', milliseconds: 200 },
      { kind: 'latencyShift', milliseconds: 0.5 },
      { kind: 'errorShift', rate: 0.01 },
      { kind: 'errorShift', rate: 0.01 },
      { kind: 'errorScale', factor: 2 },
    ]);
    expect(parseInjection('leak:latency+2ms/h,leak:errors*1.1/h,leak:Error+0.001 / h')).toEqual([
      { kind: 'leak', target: 'latency', operation: 'shift', perHour: 2 },
      { kind: 'leak', target: 'errors', operation: 'scale', perHour: 1.1 },
      { kind: 'leak', target: 'errors', operation: 'shift', perHour: 0.001 },
    ]);
  });
  it('names the bad item and the reason', () => {
    expect(() => parseInjection('')).toThrow('injection must not be empty');
    expect(() => parseInjection('latency*1.3,cpu+5')).toThrow("injection 'cpu+5' must look like latency*1.3");
    expect(() => parseInjection('leak:latency+2ms')).toThrow("injection 'leak:latency+2ms' is a leak: write its rate per hour");
    expect(() => parseInjection('latency+2ms/h')).toThrow('write it as a leak, leak:latency+2ms/h');
    expect(() => parseInjection('latency*0')).toThrow('the factor must be greater than 0');
    expect(() => parseInjection('latency*2ms')).toThrow('a factor takes no unit');
    expect(() => parseInjection('errors+2')).toThrow('an extra error rate must be at most 1');
    expect(() => parseInjection('errors+5ms')).toThrow('an error-rate shift takes a rate or a percentage');
  });
});

describe('applyInjections', () => {
  it('changes latencies and error rate in order, without touching the input', () => {
    const latencies = Float64Array.from([100, 200]);
    const result = applyInjections(latencies, 0.01, parseInjection('latency*1.5,latency+10ms,errors*2,errors+0.005'), 150);
    expect(Array.from(result.latencies)).toEqual([160, 310]);
    expect(result.errorRate).toBeCloseTo(0.025, 15);
    expect(Array.from(latencies)).toEqual([100, 200]);
    expect(result.faults).toEqual([]);
    expect(applyInjections(latencies, 0.6, parseInjection('errors*2'), 150).errorRate).toBe(1);
  });
  it('turns leaks into leak faults; an additive latency leak through the median', () => {
    const result = applyInjections(
      Float64Array.from([100, 200]),
      0.01,
      parseInjection('leak:latency+3ms/h,leak:errors+0.001/h,leak:latency*1.01/h'),
      150,
    );
    expect(result.faults).toEqual([
      { kind: 'leak', effect: { errorRateMultiplier: 1, extraErrorRate: 0, latencyMultiplier: 1.02 } },
      { kind: 'leak', effect: { errorRateMultiplier: 1, extraErrorRate: 0.001, latencyMultiplier: 1 } },
      { kind: 'leak', effect: { errorRateMultiplier: 1, extraErrorRate: 0, latencyMultiplier: 1.01 } },
    ]);
  });
});

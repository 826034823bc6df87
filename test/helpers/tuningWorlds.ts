/**
 * The small pair of worlds the tuner's tests use: 20 requests/s with a daily cycle, 1% control
 * errors, 5,000 Zipf users, one day; the candidate's error rate says whether it is healthy.
 */

import type { Scenario } from '../../src/sim/scenario.ts';
import { parseScenario } from '../../src/sim/scenario.ts';

/** The scenario document (JSON) of a tuning world. */
export function tuningWorldJson(name: string, candidateErrorRate: number, extra: Record<string, unknown> = {}) {
  return {
    version: 1,
    name,
    horizon: '1d',
    traffic: { requestsPerSecond: 20, dailyCycle: { amplitude: 0.3, peakHour: 14 }, users: { count: 5000, zipfExponent: 0.8 } },
    control: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01 },
    candidate: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: candidateErrorRate },
    truth: { errorRateRatio: 1.2, p95Ratio: 1.1 },
    ...extra,
  };
}

/** The parsed scenario of a tuning world. */
export function tuningWorld(name: string, candidateErrorRate: number, extra: Record<string, unknown> = {}): Scenario {
  const parsed = parseScenario(tuningWorldJson(name, candidateErrorRate, extra));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

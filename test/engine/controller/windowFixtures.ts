/** Builders of check windows for controller tests. */
import type { ArmWindow, WindowMetrics } from '../../../src/engine/metrics/windowMetrics.ts';

export interface ArmSpec {
  requests: number;
  errorRate?: number;
  timeoutRate?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  successRate?: number;
  agreement?: number;
}

/** An arm with counts rounded from rates; latency always present unless p50 is NaN. */
export function arm(spec: ArmSpec): ArmWindow {
  const { requests } = spec;
  const result: ArmWindow = {
    requests,
    errors: Math.round(requests * (spec.errorRate ?? 0.01)),
    timeouts: Math.round(requests * (spec.timeoutRate ?? 0.005)),
  };
  if (!Number.isNaN(spec.p50 ?? 0)) result.latency = { p50: spec.p50 ?? 100, p95: spec.p95 ?? 250, p99: spec.p99 ?? 400 };
  if (spec.successRate !== undefined) {
    result.outcomes = requests;
    result.successes = Math.round(requests * spec.successRate);
  }
  if (spec.agreement !== undefined) {
    result.compared = requests;
    result.agreements = Math.round(requests * spec.agreement);
  }
  return result;
}

/** A window of `duration` seconds starting at `startTime`. */
export function window(startTime: number, control?: ArmSpec, candidate?: ArmSpec, duration = 300): WindowMetrics {
  const result: WindowMetrics = { startTime, duration };
  if (control) result.control = arm(control);
  if (candidate) result.candidate = arm(candidate);
  return result;
}

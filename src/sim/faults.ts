/**
 * Faults injected into the candidate — a step at time t, a linear ramp, a slow leak that grows
 * with time served, intermittent bursts — and the outage of a shared dependency that hits both
 * models. Each fault has a strength at time t (0 = absent, 1 = full; for a leak, hours served)
 * and an effect (`FaultEffect`) scaled by that strength.
 */
import type { Fault, FaultEffect } from './scenario.ts';

/**
 * Strength of `fault` at `time` (s), given the hours the candidate has served traffic so far:
 * step 1 from `at`; ramp (t − start)/(end − start) clipped to [0, 1]; leak = hours served;
 * bursts 1 inside [start + k·every, start + k·every + duration); outage 1 inside its interval.
 * O(1).
 */
export function faultStrength(fault: Fault, time: number, hoursServed: number): number {
  switch (fault.kind) {
    case 'step':
      return time >= fault.at ? 1 : 0;
    case 'ramp':
      return Math.min(1, Math.max(0, (time - fault.start) / (fault.end - fault.start)));
    case 'leak':
      return hoursServed;
    case 'bursts': {
      if (time < fault.start) return 0;
      const phase = (time - fault.start) % fault.every;
      return phase < fault.duration ? 1 : 0;
    }
    case 'outage':
      return time >= fault.start && time < fault.start + fault.duration ? 1 : 0;
  }
}

/** Whether a fault hits both models (a shared dependency) rather than the candidate only. */
export function hitsBothModels(fault: Fault): boolean {
  return fault.kind === 'outage';
}

/** The combined effect of several faults: multipliers multiply, extra error rates add. */
export interface CombinedEffect {
  errorRateMultiplier: number;
  extraErrorRate: number;
  latencyMultiplier: number;
}

/** No fault at all. */
export function noEffect(): CombinedEffect {
  return { errorRateMultiplier: 1, extraErrorRate: 0, latencyMultiplier: 1 };
}

/**
 * Adds `effect` at `strength` s into `into`: multipliers become 1 + s(m − 1) (never below 0) and
 * multiply in; the extra error rate s·extra adds. Mutates and returns `into` (no allocation).
 */
export function applyEffect(into: CombinedEffect, effect: FaultEffect, strength: number): CombinedEffect {
  if (strength === 0) return into;
  into.errorRateMultiplier *= Math.max(0, 1 + strength * (effect.errorRateMultiplier - 1));
  into.extraErrorRate += strength * effect.extraErrorRate;
  into.latencyMultiplier *= Math.max(1e-9, 1 + strength * (effect.latencyMultiplier - 1));
  return into;
}

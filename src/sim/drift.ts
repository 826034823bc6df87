/**
 * Drift over days and weeks: the segment mix moving toward a target, each model's accuracy
 * decaying, and the models' agreement decaying as inputs move away from what the candidate was
 * validated on. All are linear in time and clipped to valid probabilities.
 */
import type { Drift, Traffic } from './scenario.ts';

const DAY = 86400;

/**
 * The segment mix at `time` (s): w(t) = (1 − s)·w₀ + s·target with s = min(1, t / over) when a
 * segment-mix drift is given, else the traffic's mix. Writes into `into` (keyed like the traffic
 * segments) and returns it. O(segments).
 */
export function segmentMixAt(traffic: Traffic, drift: Drift, time: number, into: Record<string, number>): Record<string, number> {
  const mix = drift.segmentMix;
  const s = mix ? Math.min(1, Math.max(0, time / mix.over)) : 0;
  for (const segment in traffic.segments) {
    const target = mix ? (mix.target[segment] ?? 0) : 0;
    into[segment] = (1 - s) * traffic.segments[segment] + s * target;
  }
  return into;
}

/** Accuracy after `time` seconds of decay at `perDay`: max(0, accuracy − perDay·t/86400). */
export function decayedProbability(probability: number, perDay: number, time: number): number {
  return Math.max(0, probability - (perDay * time) / DAY);
}

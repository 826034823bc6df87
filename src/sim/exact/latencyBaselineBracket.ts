/**
 * One baseline window as the laws of the historical latency references read it
 * (pooledQuantileLaw.ts, latencyReferenceLaw.ts): its expected control requests and the
 * control's latency multiplier.
 *
 * (This file held the bracket of the historical latency reference while the engine read it as the
 * request-weighted MEAN of the windows' percentiles, which has no tractable exact law: a
 * union-bound and a Chernoff bracket, the check evaluated at both ends. The engine now reads the
 * POOLED percentile of the windows' merged sketches, whose law is exact, so the bracket went;
 * the window's description stays where the laws that read it import it from.)
 */
export interface BaselineWindowLatency {
  expected: number;
  multiplier: number;
}

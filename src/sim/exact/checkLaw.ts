/**
 * The law of one check: the exact probabilities that the controller's health check of one
 * canary/full window (src/engine/controller/step.ts `checkHealth`) holds, passes or fails, when
 * the window's metrics are drawn as the windowed mode draws them (src/sim/windowsOrderStatistics.ts).
 *
 * A CHECK is one window [start, start + duration) of a canary or full stage. Its inputs:
 * - the stage (its `rules` — ratio and absolute on errorRate, timeoutRate, latencyP50/95/99 —
 *   `minRequests`, `traffic`);
 * - the window's expected arrivals Λ = `expectedArrivals(traffic, start, start + duration)` (the
 *   daily cycle and bursts integrated exactly), or with replayed arrivals the window's fixed count N;
 * - the candidate's share of requests: the REALIZED sticky share `exposedShare(population, traffic)`;
 * - the models' conditions at the window's midpoint (`conditionsAt`, hours served included): error
 *   rate, timeout probability, latency multiplier;
 * - the reference the ratio rules compare with: in historical mode ONE value of the baseline's
 *   measured metrics (`BaselineReference`, a node of `baselineLaw`); in concurrent mode the
 *   control arm of the same window, whose counts and percentiles are random too (summed over).
 *
 * Its output: `CheckProbabilities` { hold, pass, fail }, exactly the controller's classification —
 * hold when the candidate served fewer than `minRequests` (or, concurrent, control did), or when a
 * rule reads a metric that is missing (NaN: a zero-request arm) and no rule fails; fail when any
 * rule fails; else pass. The chain (stageChain.ts) needs no more than that: the controller counts
 * failures the same whichever rule failed.
 *
 * What the windowed mode draws (and so what the sums run over), given the window:
 * - candidate requests n ~ Poisson(Λf) (f the realized share), control n₀ ~ Poisson(Λ(1 − f)),
 *   independent (Poisson thinning); replayed arrivals: n ~ Binomial(N, f), n₀ = N − n;
 * - given n: errors ~ Binomial(n, errorRate) and timeouts ~ Binomial(n, timeoutProbability),
 *   independent of each other and of the latency percentiles (the module comment of
 *   windowsOrderStatistics.ts), so the check's pass probability given (n, n₀) is the PRODUCT of
 *   the pass probabilities of its metric groups (error rules, timeout rules, latency rules);
 * - the latency percentiles: the sketch's q-quantile is the order statistic of rank
 *   k = ⌊q(n − 1)⌋ + 1, U₍ₖ₎ ~ Beta(k, n − k + 1) mapped through F⁻¹ × multiplier and rounded to
 *   the sketch's bucket representative; the reported value is ≤ a limit L exactly when the
 *   bucket index is ≤ the largest index whose representative is ≤ L, i.e. when U₍ₖ₎ ≤ F(γ^i / m)
 *   (latencyLimitLaw.ts). The three ranks are jointly distributed: rules on several percentiles
 *   are combined through their joint law (latencyLimitLaw.ts says which combinations are exact).
 *
 * Truncation: every Poisson or binomial sum runs over the support's central range holding all
 * but `tolerance` of its mass (default 1e-12, see countRange.ts); the mass left out is added to
 * `CheckProbabilities.neglected` so that every probability is exact within it.
 */
import type { HealthMetric } from '../../engine/policy/policy.ts';
import type { RateBelow } from './baselineLaw.ts';

/** Probabilities of a check's outcomes as the controller classifies them (they sum to 1 − neglected). */
export interface CheckProbabilities {
  hold: number;
  pass: number;
  fail: number;
  /** Probability mass the truncated sums left out (0 ≤ neglected ≤ the sums' stated tolerance). */
  neglected?: number;
}

/**
 * One value of the historical baseline's measured metrics — what
 * `totalsMetric(state.baseline, metric)` returns for each metric; NaN when the baseline does not
 * measure it. The ratio rules of historical mode compare the candidate with these. The latency
 * percentiles are one atom of the pooled percentiles' law (baselineLaw.ts, pooledQuantileLaw.ts):
 * the number the engine reads from the baseline's merged sketch.
 */
export type BaselineReference = Record<HealthMetric, number> & {
  /**
   * The range [low, high] every node of the baseline's law puts the error (or timeout) rate in:
   * the check law may then precompute its pass probability as a step function of that rate over
   * the range, once per window, and read every node from it (healthCheckLaw.ts). A hint only:
   * the values are the same with or without it.
   */
  rateSupports?: Partial<Record<'errorRate' | 'timeoutRate', readonly [number, number]>>;
  /**
   * The cell of the baseline's law this node stands for: the rate R = F⁻¹(U) with U uniform on
   * [from, to] (F the rate's distribution function; `below(r)` = P(R < r) by the controller's
   * floating-point rate, `below.many` the same for a batch of rates; `key` names the law). A
   * check law that can read its pass probability as a step function of R returns its AVERAGE
   * over the cell instead of its value at the node (healthCheckLaw.ts): the node average then
   * errs only at second order (baselineLaw.ts).
   */
  rateCell?: { metric: 'errorRate' | 'timeoutRate'; from: number; to: number; below: RateBelow; key: string };
};

/** A feature the exact evaluator cannot compute exactly: the caller falls back to Monte-Carlo. */
export class ExactUnsupportedError extends Error {
  /** Short names of the features, e.g. "statistical rules". */
  readonly features: string[];
  constructor(features: string[], detail: string) {
    super(`exact evaluation unsupported (${features.join(', ')}): ${detail}`);
    this.name = 'ExactUnsupportedError';
    this.features = features;
  }
}

/** Settings of the per-check sums. */
export interface CheckLawOptions {
  /** Mass each truncated Poisson/binomial sum may leave out (default 1e-12). */
  tolerance?: number;
  /** Concurrent mode: always sum over the pairs (n, n₀), never the single-metric shortcut (tests compare the two). */
  pairwise?: boolean;
}

/** The default mass each truncated sum may leave out. */
export const defaultTolerance = 1e-12;

/**
 * Which features of a scenario × policy the per-check laws cannot compute exactly, so that the
 * caller falls back to Monte-Carlo and says why — never a silent approximation. The chain adds
 * its own (A/B and shadow stages, statistical rules, the concurrent full stage: evaluateExact.ts
 * `chainFeatures`).
 *
 * What the laws do cover is the windowed mode's law (windowsOrderStatistics.ts): Poisson
 * arrivals with the daily cycle and bursts, or replayed arrival times (fixed N split
 * binomially), the realized sticky share, error and timeout counts, latency percentiles on the
 * sketch grid, faults at known times and slow leaks (conditions at each window's midpoint).
 * The per-request mode draws timeouts from the same latencies as the percentiles; the windowed
 * mode (and so the exact evaluator) draws them independently — each is exact on its own.
 *
 * Failure counting (src/engine/controller/failureCount.ts) is chained in every mode, scope and
 * no-data action; 'mOfN' carries the pattern of the last N outcomes, and is refused when the
 * patterns with fewer than M failures — Σ_{k<M} C(N, k) — exceed 5,000 (e.g. 10 of 30).
 */

import { compilePolicy } from '../../engine/controller/compilePolicy.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import type { Scenario } from '../scenario.ts';

/** Whether the laws apply, or the features that need simulation. */
export type ExactSupport = { supported: true } | { supported: false; features: string[] };

/** The features of `scenario` × `policy` the per-check laws cannot compute exactly (module comment). O(stages × rules). */
export function exactSupport(scenario: Scenario, policy: Policy): ExactSupport {
  const compiled = compilePolicy(policy);
  const features: string[] = [];
  if (scenario.inputs !== undefined) features.push('input drift (the scenario has inputs: their window bin counts are not chained)');
  const historical = compiled.baselineMode === 'historical';
  // Historical ratio rules on latency percentiles read the pooled percentile, whose law is exact
  // (baselineLaw.ts, pooledQuantileLaw.ts); two references each spread over several sketch
  // buckets are refused by the baseline law itself, named.
  if (
    historical &&
    scenario.traffic.arrivals.kind === 'replay' &&
    compiled.stages.some((stage) => stage.rules.some((rule) => rule.type === 'ratio'))
  ) {
    features.push('historical baseline with replayed arrivals (the baseline law is written for Poisson arrivals)');
  }
  for (const stage of compiled.stages) {
    const counting = stage.failureCounting;
    if (counting.mode !== 'mOfN' || (stage.kind !== 'canary' && stage.kind !== 'full')) continue;
    const patterns = windowPatterns(counting.window, counting.limit);
    if (patterns > maxWindowPatterns) {
      features.push(
        `M-of-N failure counting with ${counting.limit} of ${counting.window} (stage ${stage.index} '${stage.name}': ${patterns} patterns of the last ${counting.window} checks to chain, more than ${maxWindowPatterns})`,
      );
    }
  }
  return features.length === 0 ? { supported: true } : { supported: false, features };
}

/** Most last-N outcome patterns the chain carries per (stage, time, passed time) before it refuses. */
const maxWindowPatterns = 5000;

/** Patterns of N outcomes with fewer than M failures, Σ_{k<M} C(N, k): the live states of 'mOfN' (at M failures the rollout rolls back). */
function windowPatterns(window: number, limit: number): number {
  let patterns = 0;
  let binomial = 1;
  for (let k = 0; k < limit; k++) {
    patterns += binomial;
    binomial = (binomial * (window - k)) / (k + 1);
  }
  return Math.round(patterns);
}

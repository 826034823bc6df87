/**
 * Multiple-comparison corrections for guardrail metrics: when a stage checks several metrics
 * (error rate, p95, timeouts, …) at once, the chance that at least one fires by noise grows
 * with their number; these procedures keep it (or the false-discovery rate) at α.
 *
 * Reference implementation matched in the tests: statsmodels 0.13
 * `stats.multitest.multipletests(p, alpha, method='bonferroni' | 'holm' | 'fdr_bh')`, whose
 * rejection rules and adjusted p-values (capped at 1, made monotone) this reproduces exactly.
 */

/** The correction: Bonferroni and Holm control the family-wise error rate, Benjamini–Hochberg the false-discovery rate. */
export type MultipleComparisonMethod = 'bonferroni' | 'holm' | 'benjamini-hochberg';

/** Result of `adjustPValues`, in the order of the input p-values. */
export interface MultipleComparisonResult {
  /** Adjusted p-values: compare them with α directly. */
  adjustedPValues: number[];
  /** Whether each hypothesis is rejected at family level α. */
  reject: boolean[];
  method: MultipleComparisonMethod;
  alpha: number;
}

/**
 * Adjusts m p-values for multiple comparisons. With p₍₁₎ ≤ … ≤ p₍ₘ₎ sorted:
 * - 'bonferroni': p̃ = min(1, m·p); reject p ≤ α/m (Dunn 1961).
 * - 'holm' (step-down): p̃₍ᵢ₎ = min(1, max_{j≤i} (m − j + 1)·p₍ⱼ₎); reject p₍₁₎ … p₍ₖ₋₁₎ where
 *   k is the first index with p₍ₖ₎ > α/(m − k + 1) (Holm 1979).
 * - 'benjamini-hochberg' (step-up): p̃₍ᵢ₎ = min(1, min_{j≥i} m·p₍ⱼ₎/j); reject p₍₁₎ … p₍ₖ₎ for
 *   the largest k with p₍ₖ₎ ≤ k·α/m (Benjamini & Hochberg 1995; valid under independence or
 *   positive dependence).
 * Rejections are decided on the raw p-values as statsmodels does (not by comparing the
 * adjusted values with α, which can differ by one rounding error at the boundary).
 * Cost O(m log m).
 */
export function adjustPValues(pValues: readonly number[], method: MultipleComparisonMethod, alpha = 0.05): MultipleComparisonResult {
  if (pValues.length === 0) throw new RangeError('pValues must contain at least one p-value');
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`pValues[${i}] must be between 0 and 1, got ${p}`);
  });
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
  const m = pValues.length;
  const adjustedPValues = new Array<number>(m);
  const reject = new Array<boolean>(m);

  if (method === 'bonferroni') {
    for (let i = 0; i < m; i++) {
      adjustedPValues[i] = Math.min(1, pValues[i] * m);
      reject[i] = pValues[i] <= alpha / m;
    }
    return { adjustedPValues, reject, method, alpha };
  }

  // Positions of the p-values from smallest to largest (ties keep input order; the adjusted
  // values of tied p-values come out equal whatever their order).
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b]);

  if (method === 'holm') {
    let running = 0;
    let stillRejecting = true;
    for (let rank = 0; rank < m; rank++) {
      const index = order[rank];
      const p = pValues[index];
      running = Math.max(running, p * (m - rank));
      adjustedPValues[index] = Math.min(1, running);
      if (p > alpha / (m - rank)) stillRejecting = false;
      reject[index] = stillRejecting;
    }
    return { adjustedPValues, reject, method, alpha };
  }

  if (method === 'benjamini-hochberg') {
    let largestRejected = -1;
    for (let rank = 0; rank < m; rank++) {
      if (pValues[order[rank]] <= ((rank + 1) / m) * alpha) largestRejected = rank;
    }
    let running = Infinity;
    for (let rank = m - 1; rank >= 0; rank--) {
      const index = order[rank];
      running = Math.min(running, pValues[index] / ((rank + 1) / m));
      adjustedPValues[index] = Math.min(1, running);
      reject[index] = rank <= largestRejected;
    }
    return { adjustedPValues, reject, method, alpha };
  }

  throw new RangeError(`method must be one of bonferroni, holm, benjamini-hochberg, got '${String(method)}'`);
}

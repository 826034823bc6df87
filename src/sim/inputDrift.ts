/**
 * Input-distribution drift: the scenario's input features (`Scenario.inputs`) and how they move
 * over weeks, summarised per window as counts in fixed bins (`ArmWindow.inputs`).
 *
 * Model. A numeric feature is normal (mean, sd) or lognormal (median, sigma: normal in ln x).
 * Working in standardised reference units z = (x − mean)/sd (or (ln x − ln median)/sigma), the
 * reference law is N(0, 1) and at time t (weeks w = t / 604800) the feature is
 * N(μ(t), σ(t)²) with μ(t) = shiftPerWeek·w (location shift in reference sd) and
 * σ(t) = max(0.01, 1 + scalePerWeek·w) (relative change of the spread). Its bins are the reference
 * deciles, edges e_k = Φ⁻¹(k/10), k = 1…9, right-closed, (−∞, e₁], …, (e₉, +∞), as `numericPsi`
 * bins a reference sample; the probability of bin k at t is Φ((e_k − μ)/σ) − Φ((e_{k−1} − μ)/σ).
 * Binning is invariant under the monotone map back to x, so the counts are those of the raw values.
 * A categorical feature has a category mix that moves linearly to `target` over `over` seconds
 * (as the segment mix, drift.ts); one bin per category, in the order of `mix`.
 *
 * Link to accuracy (optional, per numeric feature): each model loses `accuracyLossPerSd` (absolute)
 * per reference sd of location shift, loss(t) = Σ_features k·|μ(t)| — a linear stand-in for a
 * model that degrades as its inputs leave the training distribution (applied after segment mix
 * and decay, clipped at 0, world.ts).
 *
 * Window summaries: the requests of a window are i.i.d. draws of the window-midpoint law, so the
 * bin counts of n requests are exactly Multinomial(n, p(t)); the windowed mode draws them by
 * sequential binomials (9 draws per numeric feature per arm), the per-request mode draws each
 * request's input and bins it.
 */

import { binomialSampler } from '../engine/random/binomial.ts';
import type { Random } from '../engine/random/prng.ts';
import { normalCdf, normalQuantile } from '../engine/stats/distributions.ts';
import type { InputFeature } from './scenario.ts';

const WEEK = 7 * 86400;

/** Number of bins of a numeric feature (reference deciles). */
export const numericInputBins = 10;

/** The standardised reference decile edges Φ⁻¹(k/10), k = 1…9. */
export const referenceDecileEdges: readonly number[] = Array.from({ length: numericInputBins - 1 }, (_, k) =>
  normalQuantile((k + 1) / numericInputBins),
);

/** Location μ(t) (reference sd) and spread σ(t) (× reference sd) of a numeric feature at `time` s. */
export function numericInputLaw(
  feature: Extract<InputFeature, { kind: 'normal' | 'lognormal' }>,
  time: number,
): { shift: number; scale: number } {
  const weeks = time / WEEK;
  return { shift: feature.shiftPerWeek * weeks, scale: Math.max(0.01, 1 + feature.scalePerWeek * weeks) };
}

/** Number of bins of `feature`: 10 for numeric, the number of categories for categorical. */
export function inputBinCount(feature: InputFeature): number {
  return feature.kind === 'categorical' ? Object.keys(feature.mix).length : numericInputBins;
}

/** Writes the bin probabilities of `feature` at `time` (s) into `into` and returns it. O(bins). */
export function inputBinProbabilities(feature: InputFeature, time: number, into: Float64Array): Float64Array {
  if (feature.kind === 'categorical') {
    const s = feature.target ? Math.min(1, Math.max(0, time / (feature.over as number))) : 0;
    let k = 0;
    for (const category in feature.mix) {
      const target = feature.target ? (feature.target[category] ?? 0) : 0;
      into[k++] = (1 - s) * feature.mix[category] + s * target;
    }
    return into;
  }
  const { shift, scale } = numericInputLaw(feature, time);
  let previous = 0;
  for (let k = 0; k < numericInputBins - 1; k++) {
    const cdf = normalCdf((referenceDecileEdges[k] - shift) / scale);
    into[k] = cdf - previous;
    previous = cdf;
  }
  into[numericInputBins - 1] = 1 - previous;
  return into;
}

/**
 * Multinomial(n, p) bin counts by sequential binomials: c_k ~ Binomial(n − Σ_{j<k} c_j,
 * p_k / Σ_{j≥k} p_j) (Devroye 1986, §XI.1.3). Writes into `into`. O(bins) binomial draws.
 */
export function multinomialCounts(random: Random, n: number, probabilities: Float64Array, bins: number, into: number[]): number[] {
  let remaining = n;
  let mass = 1;
  for (let k = 0; k < bins; k++) {
    if (k === bins - 1 || remaining === 0) {
      into[k] = remaining;
      remaining = 0;
      continue;
    }
    const p = mass > 0 ? Math.min(1, Math.max(0, probabilities[k] / mass)) : 0;
    const count = p <= 0 ? 0 : p >= 1 ? remaining : binomialSampler(random, remaining, p)();
    into[k] = count;
    remaining -= count;
    mass -= probabilities[k];
  }
  return into;
}

/**
 * Accuracy lost by a model to input drift at `time`: Σ over numeric features of
 * accuracyLossPerSd[model]·|μ(t)| (see the module comment). O(features).
 */
export function inputAccuracyLoss(inputs: Record<string, InputFeature> | undefined, model: 'control' | 'candidate', time: number): number {
  if (inputs === undefined) return 0;
  let loss = 0;
  for (const name in inputs) {
    const feature = inputs[name];
    if (feature.kind === 'categorical' || feature.accuracyLossPerSd === undefined) continue;
    loss += feature.accuracyLossPerSd[model] * Math.abs(numericInputLaw(feature, time).shift);
  }
  return loss;
}

/**
 * The bin of one drawn input: a numeric feature's value μ + σ·z (standardised units) from a
 * standard normal z, binned on the reference deciles; a categorical one from a uniform u by the
 * cumulative probabilities (`probabilities` holds exactly the feature's bins). O(bins).
 */
export function inputBinOf(feature: InputFeature, probabilities: Float64Array, shift: number, scale: number, draw: number): number {
  if (feature.kind === 'categorical') {
    const bins = probabilities.length;
    let cumulative = 0;
    for (let k = 0; k < bins - 1; k++) {
      cumulative += probabilities[k];
      if (draw < cumulative) return k;
    }
    return bins - 1;
  }
  const value = shift + scale * draw;
  let k = 0;
  while (k < numericInputBins - 1 && value > referenceDecileEdges[k]) k++;
  return k;
}

/**
 * The joint law of the historical baseline's error and timeout rates (E/N, T/N) on a product of
 * cells, with exact cell probabilities — the two-dimensional node set of baselineLaw.ts when ratio
 * rules read both rates.
 *
 * The law. The baseline's requests split, by Poisson thinning (Kingman, "Poisson Processes",
 * 1993, §5.1), into four independent Poisson classes — error and timeout, error only, timeout
 * only, neither — with means summed over its windows. Given the total N, the classes are
 * multinomial, and E (errors) and T (timeouts) are independent binomials E | N ~ Bin(N, q),
 * T | N ~ Bin(N, s) exactly when each request's error and timeout are independent, i.e. when
 * P(both) = P(error)·P(timeout) over the stage (q = errorMean/total, s = timeoutMean/total):
 * true when the timeout probability is the same in every baseline window (a single latency law
 * without a latency fault during the baseline), whatever the error rate does. Otherwise the
 * joint law is not this product and `baselineLaw` refuses, naming it.
 *
 * The cells. Each rate's marginal law is split at its quantiles: the error rate at bᵢ = F⁻¹(i/mₑ)
 * (cells (bᵢ, bᵢ₊₁], b₀ = −∞, b_mₑ = +∞), the timeout rate likewise at cⱼ. A cell's probability is
 *
 *   w_ij = Σ_N P(N) · P(bᵢ < E/N ≤ bᵢ₊₁ | N) · P(cⱼ < T/N ≤ cⱼ₊₁ | N),
 *
 * summed over N's central range, with E/N ≤ b read as the controller reads a rate (`x / N` in
 * floating point): P(E/N ≤ b | N) = P(Bin(N, q) ≤ k(N)), k(N) the largest x with !(x/N > b).
 *
 * How. One walker per boundary carries (k, P(Bin(N, p) = k), P(Bin(N, p) ≤ k)) from N to N + 1
 * by the recurrences P(S_{N+1} ≤ k) = P(S_N ≤ k) − p·P(S_N = k) and
 * P(S_{N+1} = k) = P(S_N = k)·(N + 1)(1 − p)/(N + 1 − k) (S_N ~ Bin(N, p): the (N + 1)th trial
 * moves the count up with probability p), then steps k up to k(N + 1) with the pmf's ratio
 * (N + 1 − k)/(k + 1)·p/(1 − p), adding each term. Each walker starts from the truncated binomial
 * law at the range's first N (countRange.ts), whose left-out mass bounds its cumulative's error;
 * the recurrences only add rounding (≈ 1e-16 per step, ≈ 1e-11 over 10⁵ steps). Cost:
 * O(|N's range| × mₑ·mₜ) multiply-adds, O(|N's range| × (mₑ + mₜ)) recurrence steps.
 */
import { logGamma } from '../../engine/stats/distributions.ts';
import { binomialLaw, type CountLaw } from './countRange.ts';

/** A product of cells of the two rates and their exact probabilities. */
export interface JointRateCells {
  /** w[i·timeoutCells + j] = P(E/N in error cell i, T/N in timeout cell j), N ≥ 1. */
  weights: Float64Array;
  /** Bound on the weights' total error: N's left-out mass, P(N = 0), and the walkers' starting truncation. */
  neglected: number;
}

/** The largest count x ≤ n with `!(x / n > limit)`, by floating-point comparison (−1 if none). */
export function largestCountWithin(n: number, limit: number): number {
  if (limit === Infinity) return n;
  let t = Math.min(n, Math.max(-1, Math.floor(limit * n)));
  while (t + 1 <= n && !((t + 1) / n > limit)) t++;
  while (t >= 0 && t / n > limit) t--;
  return t;
}

/**
 * P(Bin(N, p) ≤ k(N)) walked along N (module comment), for a count limit k(N) non-decreasing in N:
 * a rate's boundary (`largestCountWithin(N, boundary)`) or, for the historical latency
 * references (latencyReferenceLaw.ts), the rank below a sketch quantile, ⌊q(N − 1)⌋.
 */
export class BoundaryWalker {
  n = 0;
  k = -1;
  pmf = 0;
  cdf = 0;
  /** Error bound of `cdf` from the starting law's truncation. */
  readonly neglected: number;
  constructor(
    private readonly probability: number,
    private readonly limit: (n: number) => number,
    first: number,
    tolerance: number,
  ) {
    const law = binomialLaw(first, probability, tolerance);
    this.neglected = law.neglected;
    this.n = first;
    this.k = limit(first);
    this.pmf = this.pmfAt(law, this.k);
    let cdf = 0;
    for (let i = 0; i < law.pmf.length && law.first + i <= this.k; i++) cdf += law.pmf[i];
    this.cdf = cdf;
  }

  /** P(Bin(n, p) = k) from the truncated law, or by log-gamma where the law left the term out (the recurrences need it). */
  private pmfAt(law: CountLaw, k: number): number {
    const index = k - law.first;
    if (index >= 0 && index < law.pmf.length) return law.pmf[index];
    const n = this.n;
    const p = this.probability;
    if (k < 0 || k > n) return 0;
    return Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));
  }

  /** Moves to n + 1. */
  step(): void {
    const p = this.probability;
    const n = this.n;
    let k = this.k;
    if (k >= 0) {
      this.cdf -= p * this.pmf;
      this.pmf *= ((n + 1) * (1 - p)) / (n + 1 - k);
    }
    const target = this.limit(n + 1);
    while (k < target) {
      // P(S = k + 1) from P(S = k); from k = −1 the first term is P(S = 0) = (1 − p)^(n + 1).
      this.pmf = k < 0 ? (1 - p) ** (n + 1) : (this.pmf * (n + 1 - k) * p) / ((k + 1) * (1 - p));
      k++;
      this.cdf += this.pmf;
    }
    this.k = k;
    this.n = n + 1;
    if (this.cdf < 0) this.cdf = 0;
    if (this.cdf > 1) this.cdf = 1;
  }
}

/**
 * The cells' probabilities (module comment) for error probability `q`, timeout probability `s`
 * per request, the law of the total `requests`, and the interior boundaries of each rate's cells
 * (increasing). 0 < q, s < 1.
 */
export function jointRateCells(
  q: number,
  s: number,
  requests: CountLaw,
  errorBoundaries: readonly number[],
  timeoutBoundaries: readonly number[],
  tolerance: number,
): JointRateCells {
  const errorCells = errorBoundaries.length + 1;
  const timeoutCells = timeoutBoundaries.length + 1;
  const weights = new Float64Array(errorCells * timeoutCells);
  let neglected = requests.neglected;
  let first = requests.first;
  if (first === 0) {
    // N = 0: no rate is measured (the baseline's minimum requests hold it): counted as left out.
    neglected += requests.pmf[0];
    first = 1;
  }
  const errorWalkers = errorBoundaries.map((b) => new BoundaryWalker(q, (n) => largestCountWithin(n, b), first, tolerance));
  const timeoutWalkers = timeoutBoundaries.map((c) => new BoundaryWalker(s, (n) => largestCountWithin(n, c), first, tolerance));
  for (const walker of [...errorWalkers, ...timeoutWalkers]) neglected += 2 * walker.neglected;
  const errorMass = new Float64Array(errorCells);
  const timeoutMass = new Float64Array(timeoutCells);
  const last = requests.first + requests.pmf.length - 1;
  for (let n = first; n <= last; n++) {
    if (n > first) for (const walker of errorWalkers) walker.step();
    if (n > first) for (const walker of timeoutWalkers) walker.step();
    const weight = requests.pmf[n - requests.first];
    let below = 0;
    for (let i = 0; i < errorCells; i++) {
      const upTo = i < errorWalkers.length ? errorWalkers[i].cdf : 1;
      errorMass[i] = Math.max(0, upTo - below);
      below = upTo;
    }
    below = 0;
    for (let j = 0; j < timeoutCells; j++) {
      const upTo = j < timeoutWalkers.length ? timeoutWalkers[j].cdf : 1;
      timeoutMass[j] = Math.max(0, upTo - below);
      below = upTo;
    }
    for (let i = 0; i < errorCells; i++) {
      const row = weight * errorMass[i];
      if (row === 0) continue;
      const offset = i * timeoutCells;
      for (let j = 0; j < timeoutCells; j++) weights[offset + j] += row * timeoutMass[j];
    }
  }
  return { weights, neglected };
}

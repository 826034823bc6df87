/**
 * Standard normal variates by the ziggurat method — Marsaglia & Tsang, "The ziggurat method for
 * generating random variables", J. Stat. Software 5(8), 2000 — with 128 layers
 * (r = 3.442619855899, v = 9.91256303526217e-3), for the simulator's hot loops (per-request
 * latencies, the windowed mode's gamma variates), where it is about three times faster than the
 * polar method: ~99% of draws cost one uniform, two multiplications and a comparison.
 *
 * Layers: x₀ = v/f(r) (the base strip, whose part beyond r is the tail), x₁ = r,
 * x_{i+1} = √(−2 ln(v/xᵢ + f(xᵢ))), x₁₂₈ = 0, with f(x) = exp(−x²/2); each strip has area v.
 * Bits: each 53-bit uniform is split into independent fields — 7 bits for the layer, 1 for the
 * sign, 45 for the position — avoiding the layer/value correlation of the original 32-bit code
 * (Doornik, "An improved ziggurat method to generate normal random samples", 2005). Exact up to
 * the 45-bit resolution of the position; the tail beyond r uses Marsaglia's exact method
 * (1964). Checked by KS and tail tests in test/sim/zigguratNormal.test.ts.
 */
import type { Random } from '../engine/random/prng.ts';

const LAYERS = 128;
const R = 3.442619855899;
const V = 9.91256303526217e-3;
const density = (x: number): number => Math.exp(-0.5 * x * x);

/** Layer edges x₀ … x₁₂₈ and their densities f(xᵢ) (computed once). */
const edges = new Float64Array(LAYERS + 1);
const heights = new Float64Array(LAYERS + 1);
edges[0] = V / density(R);
edges[1] = R;
for (let i = 1; i < LAYERS - 1; i++) edges[i + 1] = Math.sqrt(-2 * Math.log(V / edges[i] + density(edges[i])));
edges[LAYERS] = 0;
for (let i = 0; i <= LAYERS; i++) heights[i] = density(edges[i]);

/** A standard normal sampler drawing from `random` (53-bit uniforms, as `streamFor` returns). */
export function zigguratNormal(random: Random): () => number {
  return () => {
    for (;;) {
      // Top 7 bits: the layer; next bit: the sign; the remaining 45 bits: the position. All
      // exact in floating point (multiplications by powers of two, subtractions of the integer part).
      const scaled = random() * LAYERS;
      const layer = scaled | 0;
      const signed = (scaled - layer) * 2;
      const sign = signed >= 1 ? 1 : 0;
      const z = (signed - sign) * edges[layer];
      if (z < edges[layer + 1]) return sign === 0 ? z : -z;
      if (layer === 0) {
        // The tail beyond r (Marsaglia 1964): x = r + a with a = −ln(U₁)/r, accepted when
        // 2b > a² for b = −ln(U₂).
        let a: number;
        let b: number;
        do {
          a = -Math.log1p(-random()) / R;
          b = -Math.log1p(-random());
        } while (b + b < a * a);
        return sign === 0 ? R + a : -(R + a);
      }
      // The wedge: accept when a uniform height in [f(xᵢ), f(xᵢ₊₁)] falls under the curve.
      const height = heights[layer] + random() * (heights[layer + 1] - heights[layer]);
      if (height < density(z)) return sign === 0 ? z : -z;
    }
  };
}

/**
 * `mean + scale·Z` with Z drawn exactly as `zigguratNormal(random)` draws it (the same uniforms,
 * the same arithmetic, so bit for bit `mean + scale * zigguratNormal(random)()`), in one closure:
 * the per-request mode's lognormal latencies (y = μ + σZ) are its hottest call, and the extra
 * closure call per request cost about 5% of that mode's time.
 */
export function zigguratScaledNormal(random: Random, mean: number, scale: number): () => number {
  return () => {
    for (;;) {
      const scaled = random() * LAYERS;
      const layer = scaled | 0;
      const signed = (scaled - layer) * 2;
      const sign = signed >= 1 ? 1 : 0;
      const z = (signed - sign) * edges[layer];
      if (z < edges[layer + 1]) return mean + scale * (sign === 0 ? z : -z);
      if (layer === 0) {
        let a: number;
        let b: number;
        do {
          a = -Math.log1p(-random()) / R;
          b = -Math.log1p(-random());
        } while (b + b < a * a);
        return mean + scale * (sign === 0 ? R + a : -(R + a));
      }
      const height = heights[layer] + random() * (heights[layer + 1] - heights[layer]);
      if (height < density(z)) return mean + scale * (sign === 0 ? z : -z);
    }
  };
}

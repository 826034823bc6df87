/**
 * Gamma variates whose shape changes on every call, for the windowed mode's order statistics
 * (four gammas per arm per window, each with a new shape).
 *
 * The engine's `gammaSampler(random, shape)` fixes the shape when the sampler is made, the
 * d3-random way; making one per draw cost more than the draw (four closures each). This is the
 * same algorithm — Marsaglia & Tsang, "A simple method for generating gamma variables", ACM TOMS
 * 26(3), 2000, with the squeeze, and the shape < 1 boost Gamma(a) = Gamma(a + 1)·U^{1/a} — with
 * the shape as an argument and normals from the ziggurat (`zigguratNormal`). Exact; ~1 normal and ~1 uniform per draw whatever the shape; no allocation.
 * Checked against the Gamma law's moments and a KS test in test/sim/gammaVariates.test.ts.
 */
import type { Random } from '../engine/random/prng.ts';
import { zigguratNormal } from './zigguratNormal.ts';

/** A source of standard normal and Gamma(shape, 1) variates drawing from `random`. */
export class GammaVariates {
  private readonly random: Random;

  constructor(random: Random) {
    this.random = random;
    this.normal = zigguratNormal(random);
  }

  /** A standard normal variate (ziggurat). */
  readonly normal: () => number;

  /** A Gamma(shape, 1) variate, shape > 0 (trusted: callers pass positive integers here). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * (1 - this.random()) ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.random();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
    }
  }
}

import { describe, expect, it } from 'vitest';
import { streamFor } from '../../src/engine/random/streams.ts';
import { normalCdf, normalSf } from '../../src/engine/stats/distributions.ts';
import { oneSampleKsTest } from '../../src/engine/stats/kolmogorov.ts';
import { zigguratNormal } from '../../src/sim/zigguratNormal.ts';

describe('zigguratNormal', () => {
  it('draws standard normals: KS test, moments, and the tails', () => {
    const draw = zigguratNormal(streamFor('ziggurat', 0));
    const n = 400_000;
    const sample = new Array<number>(n);
    let sum = 0;
    let squares = 0;
    let beyondR = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      const z = draw();
      sample[i] = z;
      sum += z;
      squares += z * z;
      if (Math.abs(z) > 3.442619855899) beyondR++;
      if (z > 2) beyond2++;
    }
    expect(oneSampleKsTest(sample, normalCdf, 'asymp').pValue).toBeGreaterThan(0.001);
    // Mean 0 (SE 1/√n), variance 1 (SE √(2/n)); 5 SE.
    expect(Math.abs(sum / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(squares / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    // The tail beyond r (drawn by the tail method): P(|Z| > r) = 2·Φ(−r) = 5.76e-4.
    const pTail = 2 * normalSf(3.442619855899);
    expect(Math.abs(beyondR / n - pTail)).toBeLessThan(5 * Math.sqrt(pTail / n));
    const p2 = normalSf(2);
    expect(Math.abs(beyond2 / n - p2)).toBeLessThan(5 * Math.sqrt((p2 * (1 - p2)) / n));
  });
});

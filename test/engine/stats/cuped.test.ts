import { describe, expect, it } from 'vitest';
import { normalSampler } from '../../../src/engine/random/normal.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';
import { bivariateMomentsAdd, bivariateMomentsInit, bivariateMomentsOfSamples } from '../../../src/engine/stats/bivariateMoments.ts';
import { cupedTest, cupedVarianceFactor } from '../../../src/engine/stats/cuped.ts';
import { expectRelative } from '../../helpers/close.ts';
import { cupedData } from './designData.ts';

// Reference: scripts/reference/design_ratio_cuped.py on the data of designData.ts — numpy (ddof=1) and
// statsmodels 0.13.5 sm.OLS(y, [1, treatment, x]) whose treatment coefficient is the CUPED estimate.

describe('cupedTest against numpy and statsmodels OLS', () => {
  const control = bivariateMomentsOfSamples(cupedData.controlPre, cupedData.controlPost);
  const candidate = bivariateMomentsOfSamples(cupedData.candidatePre, cupedData.candidatePost);
  const result = cupedTest(control, candidate);

  it('θ = 1.270036196434894 (OLS slope on x: 1.2700361964348945)', () => {
    expectRelative(result.theta, 1.270036196434894, 1e-13);
  });

  it('estimate = 1.0969151882463704 (OLS treatment coefficient 1.096915188246375)', () => {
    expectRelative(result.estimate, 1.0969151882463704, 1e-13);
  });

  it('SE = 0.5679835465300704, z = 1.931244654792649, two-sided p = 0.05345280411207186', () => {
    expectRelative(result.standardError, 0.5679835465300704, 1e-13);
    expectRelative(result.z, 1.931244654792649, 1e-13);
    expectRelative(result.pValue, 0.05345280411207186, 1e-12);
  });

  it('variance reduction 1 − SE²/SE²_unadjusted = 0.7772762463899259', () => {
    expectRelative(result.varianceReduction, 0.7772762463899259, 1e-13);
  });

  it('the sizer factor is 1 − ρ²', () => {
    expect(cupedVarianceFactor(0.7)).toBeCloseTo(0.51, 15);
    expect(() => cupedVarianceFactor(1.2)).toThrow(/correlation must be between -1 and 1, got 1.2/);
  });

  it('rejects arms without spread in the pre-period', () => {
    const flat = bivariateMomentsOfSamples([1, 1, 1], [1, 2, 3]);
    expect(() => cupedTest(flat, flat)).toThrow(/pre-period values x do not vary/);
    expect(() => cupedTest(bivariateMomentsOfSamples([1], [1]), control)).toThrow(/control.count must be at least 2 units, got 1/);
  });
});

describe('CUPED with ρ = 0.7 removes ≈ 0.49 of the variance (seeded simulation)', () => {
  // R A/A replicates of n units per arm, (x, y) standard bivariate normal with correlation 0.7.
  // The share of variance removed, 1 − Var(Δ_cv)/Var(Δ) over replicates, should be ρ² = 0.49.
  // Monte-Carlo error: Δ_cv and Δ have correlation r = √(1 − ρ²), so ln of the ratio of their sample
  // variances has variance ≈ 4(1 − r²)/R = 4ρ²/R (bivariate normal sample variances); at R = 4000 the
  // SE of the remaining share 0.51 is 0.51·√(1.96/4000) ≈ 0.0113.
  const replicates = 4000;
  const perArm = 200;
  const rho = 0.7;
  const random = streamFor('design-cuped', 0);
  const normal = normalSampler(random);
  const adjusted: number[] = [];
  const unadjusted: number[] = [];
  let reportedReduction = 0;
  for (let r = 0; r < replicates; r++) {
    const arms = [bivariateMomentsInit(), bivariateMomentsInit()];
    for (const arm of arms) {
      for (let i = 0; i < perArm; i++) {
        const x = normal();
        bivariateMomentsAdd(arm, x, rho * x + Math.sqrt(1 - rho * rho) * normal());
      }
    }
    const test = cupedTest(arms[0], arms[1]);
    adjusted.push(test.estimate);
    unadjusted.push(test.unadjustedEstimate);
    reportedReduction += test.varianceReduction / replicates;
  }
  const variance = (values: number[]): number => {
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    return values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  };
  const observedReduction = 1 - variance(adjusted) / variance(unadjusted);

  it('observed reduction within 4 Monte-Carlo SE of 0.49', () => {
    const standardError = 0.51 * Math.sqrt((4 * rho * rho) / replicates);
    expect(Math.abs(observedReduction - 0.49)).toBeLessThan(4 * standardError);
  });

  it("the analysis's own estimate of the reduction averages ≈ ρ² (sampling error of ρ̂² at n = 400 is ≈ 0.03 per replicate)", () => {
    // SE of the mean of R values of ρ̂²: ≈ 2ρ(1 − ρ²)/√(2n − 3)/√R ≈ 0.0006; allow for the O(1/n) bias of ρ̂² too.
    expect(Math.abs(reportedReduction - 0.49)).toBeLessThan(0.005);
  });

  it('CUPED is unbiased in an A/A test: mean adjusted difference within 4 SE of 0', () => {
    const mean = adjusted.reduce((sum, value) => sum + value, 0) / replicates;
    expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(variance(adjusted) / replicates));
  });
});

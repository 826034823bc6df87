import { describe, expect, it } from 'vitest';
import {
  betaQuantile,
  chiSquareSf,
  erfc,
  incompleteBeta,
  logGamma,
  normalCdf,
  normalQuantile,
  normalSf,
  studentTCdf,
  studentTSf,
} from '../../../src/engine/stats/distributions.ts';
import { expectRelative } from '../../helpers/close.ts';

// Every expected value: scipy 1.10.1 (Debian bookworm python3-scipy), printed by
// scripts/reference/distributions.py; the scipy call is written beside each number.
describe('erfc and the normal law', () => {
  it('erfc keeps relative precision on both sides of the series/fraction switch', () => {
    expectRelative(erfc(0.3), 0.6713732405408726, 1e-14); // special.erfc(0.3)
    expectRelative(erfc(2.4), 0.0006885138966450789, 1e-12); // special.erfc(2.4)
    expectRelative(erfc(2.6), 0.000236034416529349, 1e-13); // special.erfc(2.6)
    expectRelative(erfc(10), 2.0884875837625446e-45, 1e-13); // special.erfc(10)
    expectRelative(erfc(-1.5), 1.9661051464753108, 1e-15); // special.erfc(-1.5)
  });

  it('normal CDF and upper tail match scipy.stats.norm far into the tails', () => {
    expectRelative(normalCdf(1.959963984540054), 0.975, 1e-15); // norm.cdf(1.959963984540054)
    expectRelative(normalSf(8), 6.22096057427174e-16, 1e-13); // norm.sf(8)
    expectRelative(normalCdf(-20), 2.7536241186061556e-89, 1e-12); // norm.cdf(-20)
  });

  it('normal quantile matches scipy.stats.norm.ppf', () => {
    expectRelative(normalQuantile(0.975), 1.959963984540054, 1e-15); // norm.ppf(0.975)
    expectRelative(normalQuantile(0.8), 0.8416212335729143, 1e-14); // norm.ppf(0.8)
    expectRelative(normalQuantile(0.3), -0.5244005127080409, 1e-14); // norm.ppf(0.3)
    expectRelative(normalQuantile(1e-10), -6.361340902404056, 1e-14); // norm.ppf(1e-10)
    expectRelative(normalQuantile(1e-300), -37.0470962993612, 1e-13); // norm.ppf(1e-300)
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });
});

describe('gamma and beta functions', () => {
  it('logGamma matches scipy.special.gammaln', () => {
    expectRelative(logGamma(0.1), 2.252712651734206, 1e-14); // special.gammaln(0.1)
    expectRelative(logGamma(7.5), 7.534364236758734, 1e-14); // special.gammaln(7.5)
    expectRelative(logGamma(123.4), 469.3360974421906, 1e-14); // special.gammaln(123.4)
    expectRelative(logGamma(1e6), 12815504.569147611, 1e-15); // special.gammaln(1e6)
  });

  it('incomplete beta matches scipy.special.betainc', () => {
    expectRelative(incompleteBeta(0.2, 2.5, 7), 0.36749651990402316, 1e-13); // special.betainc(2.5, 7, 0.2)
    expectRelative(incompleteBeta(0.999, 0.5, 0.5), 0.9798649583666225, 1e-13); // special.betainc(0.5, 0.5, 0.999)
    expectRelative(incompleteBeta(0.42, 200, 300), 0.8196010664172744, 1e-12); // special.betainc(200, 300, 0.42)
  });

  it('beta quantile matches scipy.stats.beta.ppf', () => {
    expectRelative(betaQuantile(0.95, 2, 5), 0.5818034092520259, 1e-12); // beta.ppf(0.95, 2, 5)
    expectRelative(betaQuantile(0.001, 0.5, 0.5), 2.4673990709169446e-6, 1e-10); // beta.ppf(0.001, 0.5, 0.5)
    expectRelative(betaQuantile(0.5, 950, 51), 0.9493498385612184, 1e-12); // beta.ppf(0.5, 950, 51)
  });
});

describe('Student t and chi-square', () => {
  it('Student t matches scipy.stats.t', () => {
    expectRelative(studentTCdf(2.1, 7.3), 0.9638766432875734, 1e-13); // t.cdf(2.1, 7.3)
    expectRelative(studentTCdf(-3.5, 2.5), 0.026172773480160158, 1e-12); // t.cdf(-3.5, 2.5)
    expectRelative(studentTSf(12, 40), 3.912085652127985e-15, 1e-10); // t.sf(12, 40)
    expectRelative(studentTCdf(0.1, 1e5), 0.5398277370466369, 1e-10); // t.cdf(0.1, 1e5)
  });

  it('chi-square upper tail matches scipy.stats.chi2.sf', () => {
    expectRelative(chiSquareSf(3.2, 2), 0.2018965179946554, 1e-14); // chi2.sf(3.2, 2)
    expectRelative(chiSquareSf(30, 3), 1.3800570312932553e-6, 1e-12); // chi2.sf(30, 3)
    expectRelative(chiSquareSf(0.5, 7), 0.9994464813904249, 1e-14); // chi2.sf(0.5, 7)
    expectRelative(chiSquareSf(400, 300), 9.678621994933555e-5, 1e-11); // chi2.sf(400, 300)
  });

  it('rejects impossible arguments with the reason', () => {
    expect(() => normalQuantile(1.5)).toThrow(/between 0 and 1, got 1.5/);
    expect(() => studentTCdf(1, 0)).toThrow(/degrees of freedom must be positive/);
    expect(() => chiSquareSf(1, -2)).toThrow(/degrees of freedom/);
    expect(() => incompleteBeta(0.5, 0, 1)).toThrow(/positive a and b/);
  });
});

import { describe, expect, it } from 'vitest';
import { daysToReachUsers, linearDaysToReachUsers, uniqueUsersAfter, userAccrualModel } from '../../../src/engine/stats/userAccrual.ts';

// Reference values: scripts/reference/design_accrual.py (scipy 1.10.1 nbinom.sf / poisson.sf, brentq;
// the line it prints is quoted beside each number).

describe('userAccrualModel from the population', () => {
  const model = userAccrualModel({ usersPerDay: 2000, population: 20000 });

  it('fits the visit rate and the returning share (k = 1)', () => {
    // from_population(D=2000, N=20000, k=1): m = 0.11111111111111101; returning share = 0.18181818181817988
    expect(model.visitsPerUserPerDay).toBeCloseTo(0.11111111111111101, 13);
    expect(model.returningShare).toBeCloseTo(0.18181818181817988, 12);
    expect(model.population).toBe(20000);
  });

  it('grows slower than the days', () => {
    // N * seen(1) = 1999.9999999999973, seen(7) = 8749.999999999996, seen(14) = 12173.913043478256, seen(28) = 15135.135135135131
    expect(uniqueUsersAfter(model, 1)).toBeCloseTo(2000, 8);
    expect(uniqueUsersAfter(model, 7)).toBeCloseTo(8749.999999999996, 8);
    expect(uniqueUsersAfter(model, 14)).toBeCloseTo(12173.913043478256, 8);
    expect(uniqueUsersAfter(model, 28)).toBeCloseTo(15135.135135135131, 8);
    expect(uniqueUsersAfter(model, 0)).toBe(0);
  });

  it('gives the days to reach a sample, against the linear count', () => {
    // days_to(15100) = 28; days_to(19100) = 191
    expect(daysToReachUsers(model, 15100)).toBe(28);
    expect(daysToReachUsers(model, 19100)).toBe(191);
    expect(linearDaysToReachUsers(15100, 2000)).toBe(8);
    // On a whole day exactly: U(d) = 20000·d/(d + 9), so U(27) = 15,000 (scipy's stepping loop lands a
    // rounding error below it and says 28; the closed form says 27).
    expect(daysToReachUsers(model, 15000)).toBe(27);
    expect(daysToReachUsers(model, 20000)).toBeNull();
    // Exactly U(7) = 8,750 users: 7 days, not 8 (rounding).
    expect(daysToReachUsers(model, 8750)).toBe(7);
  });
});

describe('userAccrualModel from the returning share', () => {
  it('k = 1, r = 0.4', () => {
    const model = userAccrualModel({ usersPerDay: 2000, returningShare: 0.4 });
    // from_returning(D=2000, r=0.4, k=1): m = 0.3333333333333337; N = 7999.999999999993; N * seen(14) = 6588.235294117642
    expect(model.visitsPerUserPerDay).toBeCloseTo(0.3333333333333337, 12);
    expect(model.population).toBeCloseTo(7999.999999999993, 8);
    expect(uniqueUsersAfter(model, 2)).toBeCloseTo(3199.999999999999, 8);
    expect(uniqueUsersAfter(model, 14)).toBeCloseTo(6588.235294117642, 8);
    // days_to(6100) = 10; days_to(10000) = None
    expect(daysToReachUsers(model, 6100)).toBe(10);
    expect(daysToReachUsers(model, 10000)).toBeNull();
  });

  it('k = 0.5, r = 0.6: a few heavy users', () => {
    const model = userAccrualModel({ usersPerDay: 5000, returningShare: 0.6, heterogeneity: 0.5 });
    // from_returning(D=5000, r=0.6, k=0.5): m = 0.6141429569918194; N = 15147.248271563476
    expect(model.visitsPerUserPerDay).toBeCloseTo(0.6141429569918194, 11);
    expect(model.population).toBeCloseTo(15147.248271563476, 7);
    // N * seen(7) = 10257.985944830185; N * seen(30) = 12685.129703190432
    expect(uniqueUsersAfter(model, 7)).toBeCloseTo(10257.985944830185, 7);
    expect(uniqueUsersAfter(model, 30)).toBeCloseTo(12685.129703190432, 7);
    // days_to(10000) = 7, days_to(12000) = 19, days_to(20000) = None
    expect(daysToReachUsers(model, 10000)).toBe(7);
    expect(daysToReachUsers(model, 12000)).toBe(19);
    expect(daysToReachUsers(model, 20000)).toBeNull();
  });

  it('homogeneous users (k = ∞)', () => {
    const model = userAccrualModel({ usersPerDay: 2000, population: 10000, heterogeneity: Infinity });
    // from_population(D=2000, N=10000, k=inf): m = 0.22314355131420968; returning share = 0.2000000000000004
    expect(model.visitsPerUserPerDay).toBeCloseTo(0.22314355131420968, 13);
    expect(model.returningShare).toBeCloseTo(0.2, 12);
    // N * seen(3) = 4880.000000000001; N * seen(10) = 8926.258176; days_to(9000) = 11
    expect(uniqueUsersAfter(model, 3)).toBeCloseTo(4880, 8);
    expect(uniqueUsersAfter(model, 10)).toBeCloseTo(8926.258176, 8);
    expect(daysToReachUsers(model, 9000)).toBe(11);
  });
});

describe('input checks', () => {
  it('names the field and the reason', () => {
    expect(() => userAccrualModel({ usersPerDay: 0, population: 10 })).toThrow('usersPerDay must be a positive number, got 0');
    expect(() => userAccrualModel({ usersPerDay: 100 })).toThrow('give either population or returningShare (exactly one)');
    expect(() => userAccrualModel({ usersPerDay: 100, population: 50 })).toThrow(
      'population must be a number above usersPerDay (100), got 50',
    );
    expect(() => userAccrualModel({ usersPerDay: 100, returningShare: 1 })).toThrow(
      'returningShare must be between 0 and 1 (exclusive), got 1',
    );
    expect(() => userAccrualModel({ usersPerDay: 100, returningShare: 0.5, heterogeneity: 0 })).toThrow(
      'heterogeneity must be a positive number (or Infinity), got 0',
    );
  });
});

/**
 * How many *distinct* users a test has seen after d days, when users come back: "2,000 users a
 * day" gives 2,000·d users only if nobody returns. A test randomised by user needs distinct users,
 * so its duration is set by this curve, which grows slower than the days.
 *
 * Model: the negative binomial (Poisson–gamma) model of repeat visits, Ehrenberg's NBD ("The
 * pattern of consumer purchases", Applied Statistics 8, 1959; "Repeat-Buying", 2nd ed. 1988,
 * ch. 4 and 7 for the growth of penetration with the length of the period): each of N eligible
 * users visits as a Poisson process whose rate varies between users as a gamma law with shape k
 * and mean m visits a day. The chance that a user has visited at least once in d days is then
 * 1 − (1 + a·d)^(−k) with a = m/k, so
 *
 *   unique users after d days  U(d) = N·(1 − (1 + a·d)^(−k)),   users on one day  D = U(1).
 *
 * k → ∞ is the homogeneous case (every user visits on a day with the same probability
 * q = 1 − e^{−m}): U(d) = N·(1 − e^{−m·d}). A small k means a few heavy users and many rare ones
 * (Ehrenberg's fitted k are mostly between 0.2 and 2); the default k = 1 gives exponentially
 * distributed visit rates.
 *
 * What a user knows: D (daily users) and either N (the eligible population) or the *returning
 * share* r — the share of a day's users who also came the day before: r = P(visit on day 1 | visit
 * on day 2) = (2·U(1) − U(2))/U(1). Given D, k and N, a solves D/N = 1 − (1 + a)^(−k) in closed
 * form; given D, k and r, a solves r = 2 − (1 − (1 + 2a)^(−k))/(1 − (1 + a)^(−k)) by bisection
 * (r increases with a from 0 to 1), then N = D/(1 − (1 + a)^(−k)).
 * Days to reach n users: the smallest whole d with U(d) ≥ n, d ≥ ((1 − n/N)^(−1/k) − 1)/a; never
 * when n ≥ N. References: scripts/reference/design_accrual.py (scipy 1.10 `nbinom`, `brentq`).
 */

/** Inputs: the daily users, and the population or the returning share (exactly one). */
export interface UserAccrualOptions {
  /** Distinct users on one day (both arms together). */
  usersPerDay: number;
  /** Eligible users in all; or give `returningShare`. */
  population?: number;
  /** Share of a day's users who also came the day before, in (0, 1); or give `population`. */
  returningShare?: number;
  /** Shape k of the gamma law of visit rates (> 0, Infinity for homogeneous users), default 1. */
  heterogeneity?: number;
}

/** The fitted model; every field is in the user's units. */
export interface UserAccrualModel {
  usersPerDay: number;
  population: number;
  returningShare: number;
  heterogeneity: number;
  /** Mean visits per user per day, m. */
  visitsPerUserPerDay: number;
}

/** Share of the population seen at least once in `days` days: 1 − (1 + a·d)^(−k), or 1 − e^{−m·d} when k = ∞. */
function reach(days: number, visits: number, heterogeneity: number): number {
  if (heterogeneity === Infinity) return -Math.expm1(-visits * days);
  return -Math.expm1(-heterogeneity * Math.log1p((visits / heterogeneity) * days));
}

function returningShareOf(visits: number, heterogeneity: number): number {
  const one = reach(1, visits, heterogeneity);
  return 2 - reach(2, visits, heterogeneity) / one;
}

/** Checks the inputs once and fits the model (module comment). O(1), or 200 bisection steps from a returning share. */
export function userAccrualModel(options: UserAccrualOptions): UserAccrualModel {
  const { usersPerDay, population, returningShare, heterogeneity = 1 } = options;
  if (!(usersPerDay > 0 && Number.isFinite(usersPerDay))) throw new RangeError(`usersPerDay must be a positive number, got ${usersPerDay}`);
  if (!(heterogeneity > 0)) throw new RangeError(`heterogeneity must be a positive number (or Infinity), got ${heterogeneity}`);
  if ((population === undefined) === (returningShare === undefined)) {
    throw new RangeError('give either population or returningShare (exactly one)');
  }
  let visits: number;
  let users: number;
  if (population !== undefined) {
    if (!(population > usersPerDay && Number.isFinite(population))) {
      throw new RangeError(`population must be a number above usersPerDay (${usersPerDay}), got ${population}`);
    }
    const daily = usersPerDay / population;
    // Invert D/N = 1 − (1 + a)^(−k) (or 1 − e^{−m}).
    visits = heterogeneity === Infinity ? -Math.log1p(-daily) : heterogeneity * Math.expm1(-Math.log1p(-daily) / heterogeneity);
    users = population;
  } else {
    const share = returningShare as number;
    if (!(share > 0 && share < 1)) throw new RangeError(`returningShare must be between 0 and 1 (exclusive), got ${share}`);
    // Bisection on log m: the returning share increases with the visit rate.
    let low = -40;
    let high = 40;
    for (let i = 0; i < 200 && high - low > 1e-14; i++) {
      const middle = 0.5 * (low + high);
      if (returningShareOf(Math.exp(middle), heterogeneity) < share) low = middle;
      else high = middle;
    }
    visits = Math.exp(0.5 * (low + high));
    users = usersPerDay / reach(1, visits, heterogeneity);
  }
  return {
    usersPerDay,
    population: users,
    returningShare: returningShareOf(visits, heterogeneity),
    heterogeneity,
    visitsPerUserPerDay: visits,
  };
}

/** U(d): the expected distinct users after `days` days (fractional days allowed). O(1). */
export function uniqueUsersAfter(model: UserAccrualModel, days: number): number {
  if (!(days >= 0 && Number.isFinite(days))) throw new RangeError(`days must be a non-negative number, got ${days}`);
  return model.population * reach(days, model.visitsPerUserPerDay, model.heterogeneity);
}

/** The smallest whole number of days with U(d) ≥ `users`; null when the population is too small ever to get there. O(1). */
export function daysToReachUsers(model: UserAccrualModel, users: number): number | null {
  if (!(users > 0 && Number.isFinite(users))) throw new RangeError(`users must be a positive number, got ${users}`);
  if (users >= model.population) return null;
  const { visitsPerUserPerDay: visits, heterogeneity } = model;
  const exact =
    heterogeneity === Infinity
      ? -Math.log1p(-users / model.population) / visits
      : Math.expm1(-Math.log1p(-users / model.population) / heterogeneity) / (visits / heterogeneity);
  // A rounding error must not add a day when U(d) lands exactly on a whole day.
  const days = Math.max(1, Math.ceil(exact - 1e-9));
  return uniqueUsersAfter(model, days) >= users * (1 - 1e-12) ? days : days + 1;
}

/** Days at `usersPerDay` new users every day (nobody returns): ⌈users / usersPerDay⌉. */
export function linearDaysToReachUsers(users: number, usersPerDay: number): number {
  if (!(users > 0 && Number.isFinite(users))) throw new RangeError(`users must be a positive number, got ${users}`);
  if (!(usersPerDay > 0 && Number.isFinite(usersPerDay))) throw new RangeError(`usersPerDay must be a positive number, got ${usersPerDay}`);
  return Math.ceil(users / usersPerDay - 1e-9);
}

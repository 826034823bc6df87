/**
 * What a user knows about their traffic, written the way they say it — `40rps`, `350ms`,
 * `errors*3` — read once, at the edge, into numbers for `auditScenario` (auditScenario.ts).
 * Each reader throws a RangeError naming the field and what it expected. Pure.
 */

/** A request rate: `40rps`, `40/s`, `2400rpm`, `2400/m`, `144000rph`, `144000/h`, or a bare number of requests per second. */
export function parseRequestRate(text: string, field = 'traffic'): number {
  const match = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(rps|rpm|rph|\/s|\/m|\/min|\/h)?\s*$/i.exec(text);
  const value = match ? Number(match[1]) : Number.NaN;
  if (!match || !(value > 0) || !Number.isFinite(value))
    throw new RangeError(`${field} must be a positive request rate like 40rps, 2400rpm or 144000rph, got '${text}'`);
  const unit = (match[2] ?? 'rps').toLowerCase();
  const perSecond =
    unit === 'rpm' || unit === '/m' || unit === '/min' ? value / 60 : unit === 'rph' || unit === '/h' ? value / 3600 : value;
  return perSecond;
}

/** A latency: `350ms`, `0.35s`, or a bare number of milliseconds. */
export function parseLatencyMs(text: string, field = 'p95'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/i.exec(text);
  const value = match ? Number(match[1]) : Number.NaN;
  if (!match || !(value > 0)) throw new RangeError(`${field} must be a positive latency like 350ms or 0.35s, got '${text}'`);
  return (match[2] ?? 'ms').toLowerCase() === 's' ? value * 1000 : value;
}

/** A rate between 0 and 1 (exclusive of 1): `0.002`, or a percentage `0.2%`. */
export function parseRate(text: string, field: string): number {
  const match = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(%)?\s*$/i.exec(text);
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!match || !(value >= 0 && value < 1)) throw new RangeError(`${field} must be a rate from 0 to 1 like 0.002 or 0.2%, got '${text}'`);
  return value;
}

/** What gets worse in the regressed candidate. */
export type RegressionMetric = 'errors' | 'p95' | 'timeouts';

/**
 * One term of the regression: the candidate's error rate, p95 latency or timeout rate multiplied
 * by `amount` (`errors*3`), or increased by it (`errors+0.01`; `p95+100ms` in milliseconds).
 */
export interface RegressionTerm {
  metric: RegressionMetric;
  operation: 'multiply' | 'add';
  amount: number;
}

/** `errors*3`, `p95*1.5`, `errors+0.01`, `timeouts*2`, `p95+100ms` → a regression term. */
export function parseRegression(text: string): RegressionTerm {
  const match = /^\s*(errors|p95|timeouts)\s*([*x×+])\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(ms|s|%)?\s*$/i.exec(text);
  const expected = `regression must be METRIC*FACTOR or METRIC+AMOUNT with METRIC errors, p95 or timeouts (e.g. errors*3, p95*1.5, errors+0.01), got '${text}'`;
  if (!match) throw new RangeError(expected);
  const metric = match[1].toLowerCase() as RegressionMetric;
  const operation = match[2] === '+' ? 'add' : 'multiply';
  let amount = Number(match[3]);
  const unit = match[4]?.toLowerCase();
  if (unit !== undefined && (operation === 'multiply' || (unit === '%') === (metric === 'p95'))) throw new RangeError(expected);
  if (unit === 's') amount *= 1000;
  if (unit === '%') amount /= 100;
  if (operation === 'multiply' && !(amount > 1))
    throw new RangeError(`regression ${text}: the factor must be greater than 1 (the regressed candidate is worse)`);
  if (operation === 'add' && !(amount > 0)) throw new RangeError(`regression ${text}: the amount must be greater than 0`);
  return { metric, operation, amount };
}

/** A regression term as the user writes it: `errors*3`, `p95+100ms`. */
export function formatRegression(term: RegressionTerm): string {
  const unit = term.metric === 'p95' && term.operation === 'add' ? 'ms' : '';
  return `${term.metric}${term.operation === 'multiply' ? '*' : '+'}${term.amount}${unit}`;
}

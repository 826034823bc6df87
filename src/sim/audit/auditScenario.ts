/**
 * The two worlds an audit measures a rollout in, built from what a team knows about its service:
 * its traffic, its error rate, timeout rate and p95 latency today, and the regression it wants
 * caught (`errors*3`, `p95*1.5`, …). The healthy world's candidate is the service as it is (every
 * rollback there is a false rollback); the regressed world's candidate is worse by the stated
 * regression from its first window (every promotion there is a missed regression).
 *
 * Written as scenario documents and read by `parseScenario` — the simulator's one way of
 * describing a world (scenario.ts) — in the shape of the Policy lab's two worlds
 * (src/ui/lab/labWorlds.ts): the models of `scenarios/identical-candidate.json` (lognormal latency
 * with its median/p95 shape, accuracy 0.9), the user's traffic and models, and the regression as a
 * candidate fault from time 0 (the scenario's `step` fault: error rate × m + extra, latency × m).
 * Or, given a scenario of their own (a daily cycle, bursts, a user population), that scenario's
 * traffic and control model, with the flags overriding its rate and rates. Pure.
 */
import { latencyModel } from '../latencyModel.ts';
import type { ModelBehaviour, Scenario } from '../scenario.ts';
import { parseScenario } from '../scenario.ts';
import type { RegressionTerm } from './auditInputs.ts';
import { formatRegression } from './auditInputs.ts';

/** What the user knows (absent fields come from `scenario`, else from the defaults named in the assumptions). */
export interface AuditWorldOptions {
  /** The user's own world, whose traffic and control model are the starting point. */
  scenario?: Scenario;
  /** Mean requests per second. */
  requestsPerSecond?: number;
  /** The service's error rate today, in [0, 1). */
  errorRate?: number;
  /** The share of requests that time out today, in [0, 1): the control's timeout is set at that latency quantile. */
  timeoutRate?: number;
  /** p95 latency today, ms. */
  p95?: number;
  /** Median latency, ms (default: the scenario library's shape, median = 0.3 × p95). */
  median?: number;
  /** Distinct users (default 10,000, uniform). */
  users?: number;
  /** The regression the rollout should catch: one or more terms (default `errors*3`, the lab's default fault). */
  regression?: RegressionTerm[];
  /** Longest simulated time, seconds (default 7 days, or the scenario's). */
  horizon?: number;
}

/** The two worlds and what was assumed to build them. */
export interface AuditWorlds {
  healthy: Scenario;
  regressed: Scenario;
  /** The regression in the user's words: `errors*3, p95*1.5`. */
  regression: string;
  /** Every value the audit filled in or derived, in a sentence each. */
  assumptions: string[];
}

/** The scenario library's latency shape (scenarios/identical-candidate.json: median 120 ms, p95 400 ms). */
const libraryMedianOverP95 = 120 / 400;
const defaultUsers = 10_000;
const defaultHorizon = 7 * 86_400;

function checkRate(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && value < 1))
    throw new RangeError(`${name} must be a rate from 0 to 1 (exclusive of 1), got ${value}`);
}

function parsed(document: Record<string, unknown>, world: string): Scenario {
  // Through JSON: a parsed scenario's absent options are `undefined` fields, which a document leaves out.
  const result = parseScenario(JSON.parse(JSON.stringify(document)));
  if (!result.ok) throw new RangeError(`the ${world} world is invalid: ${result.errors.map((error) => error.message).join('; ')}`);
  return result.scenario;
}

/**
 * The healthy and regressed worlds for `options` (module comment). Throws a RangeError naming the
 * field when an input is out of range, when the regression cannot be built (a timeout regression
 * without a timeout rate, an error rate pushed to 1 or more), or when it changes nothing the
 * simulator's truth judges (timeouts alone: the truth reads error rate and p95). O(1).
 */
export function auditScenario(options: AuditWorldOptions): AuditWorlds {
  const assumptions: string[] = [];
  const base = options.scenario;
  if (options.requestsPerSecond !== undefined && !(options.requestsPerSecond > 0 && Number.isFinite(options.requestsPerSecond)))
    throw new RangeError(`requestsPerSecond must be a positive number, got ${options.requestsPerSecond}`);
  checkRate('errorRate', options.errorRate);
  checkRate('timeoutRate', options.timeoutRate);
  if (options.p95 !== undefined && !(options.p95 > 0)) throw new RangeError(`p95 must be a positive latency in ms, got ${options.p95}`);
  if (options.median !== undefined && !(options.median > 0 && (options.p95 === undefined || options.median < options.p95)))
    throw new RangeError(`median must be a positive latency in ms below the p95, got ${options.median}`);
  if (options.users !== undefined && !(Number.isInteger(options.users) && options.users >= 1))
    throw new RangeError(`users must be a whole number of at least 1, got ${options.users}`);
  if (base === undefined && options.requestsPerSecond === undefined)
    throw new RangeError('requestsPerSecond (--traffic) is required without a scenario');
  if (base === undefined && options.errorRate === undefined)
    throw new RangeError('errorRate (--error-rate) is required without a scenario');

  // The control model: the scenario's, or the library's, with the user's numbers on top.
  let control: ModelBehaviour;
  if (base !== undefined) {
    control = { ...base.control, accuracy: { ...base.control.accuracy } };
  } else {
    control = { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0, accuracy: { all: 0.9 }, agreement: 1 };
  }
  if (options.errorRate !== undefined) control.errorRate = options.errorRate;
  if (options.p95 !== undefined || options.median !== undefined) {
    const p95 =
      options.p95 ?? (control.latency.kind === 'lognormal' && control.latency.p95 !== undefined ? control.latency.p95 : undefined);
    if (p95 === undefined) throw new RangeError('median needs a p95 (--p95) when the scenario’s latency is not a lognormal with a p95');
    const median = options.median ?? p95 * libraryMedianOverP95;
    if (options.median === undefined)
      assumptions.push(
        `latency: lognormal with p95 ${p95} ms and median ${Number(median.toFixed(1))} ms (the scenario library's shape, median = 0.3 × p95; give --median to set it)`,
      );
    control.latency = { kind: 'lognormal', median, p95 };
  } else if (base === undefined) {
    assumptions.push('latency: lognormal with median 120 ms and p95 400 ms (scenarios/identical-candidate.json; give --p95 to set it)');
  }
  const law = latencyModel(control.latency);
  if (options.timeoutRate !== undefined) {
    if (options.timeoutRate > 0) {
      control.timeout = law.quantile(1 - options.timeoutRate);
      assumptions.push(
        `timeouts: a request times out above ${Number(control.timeout.toFixed(1))} ms, the latency ${Number(((1 - options.timeoutRate) * 100).toPrecision(6))}th percentile, so ${options.timeoutRate} of requests time out`,
      );
    } else {
      delete control.timeout;
    }
  }

  // The regression: a candidate fault from time 0, and the candidate's own timeout for timeouts.
  const terms = options.regression ?? [{ metric: 'errors', operation: 'multiply', amount: 3 }];
  if (terms.length === 0) throw new RangeError('regression must have at least one term (e.g. errors*3)');
  if (options.regression === undefined)
    assumptions.push('regression: errors*3 (the Policy lab’s default fault; give --regression to set it)');
  let errorMultiplier = 1;
  let extraErrors = 0;
  let latencyMultiplier = 1;
  const p95Today = law.quantile(0.95);
  for (const term of terms) {
    if (term.metric === 'errors') {
      if (term.operation === 'multiply') errorMultiplier *= term.amount;
      else extraErrors += term.amount;
    }
    if (term.metric === 'p95') latencyMultiplier *= term.operation === 'multiply' ? term.amount : (p95Today + term.amount) / p95Today;
  }
  const regressedErrorRate = control.errorRate * errorMultiplier + extraErrors;
  if (!(regressedErrorRate < 1)) throw new RangeError(`regression: the regressed error rate would be ${regressedErrorRate}, not below 1`);
  if (errorMultiplier > 1 && control.errorRate === 0 && extraErrors === 0)
    throw new RangeError('regression: errors*k of an error rate of 0 is still 0; give --error-rate or write errors+AMOUNT');
  const candidate: ModelBehaviour = { ...control, accuracy: { ...control.accuracy } };
  for (const term of terms.filter((t) => t.metric === 'timeouts')) {
    if (options.timeoutRate === undefined && control.timeout === undefined)
      throw new RangeError(`regression ${formatRegression(term)}: needs the service's timeout rate (--timeout-rate)`);
    const today = control.timeout === undefined ? 0 : 1 - law.cdf(control.timeout);
    const worse = term.operation === 'multiply' ? today * term.amount : today + term.amount;
    if (!(worse > today && worse < 1))
      throw new RangeError(`regression ${formatRegression(term)}: the timeout rate would be ${worse}, not between today's ${today} and 1`);
    // The candidate times out at the quantile that makes `worse` of its (scaled) latencies time out.
    candidate.timeout = latencyMultiplier * law.quantile(1 - worse);
  }
  if (errorMultiplier === 1 && extraErrors === 0 && latencyMultiplier === 1)
    throw new RangeError(
      `regression ${terms.map(formatRegression).join(', ')}: the simulator judges a candidate worse by its error rate or p95 latency; add an errors or p95 term`,
    );

  const traffic = base?.traffic ?? {
    requestsPerSecond: options.requestsPerSecond as number,
    bursts: [],
    arrivals: { kind: 'poisson' },
    users: { count: options.users ?? defaultUsers, zipfExponent: 0 },
    segments: { all: 1 },
  };
  const trafficDocument = {
    ...traffic,
    ...(options.requestsPerSecond !== undefined ? { requestsPerSecond: options.requestsPerSecond } : {}),
    users: { ...traffic.users, ...(options.users !== undefined ? { count: options.users } : {}) },
  };
  if (base === undefined && options.users === undefined)
    assumptions.push(`users: ${defaultUsers.toLocaleString('en-US')}, each equally likely to send a request (give --users to set it)`);
  const shared = (base?.faults ?? []).filter((fault) => fault.kind === 'outage');
  const common = {
    version: 1,
    horizon: options.horizon ?? base?.horizon ?? defaultHorizon,
    traffic: trafficDocument,
    control,
    ...(base?.drift ? { drift: base.drift } : {}),
    ...(base?.seed !== undefined ? { seed: base.seed } : {}),
  };
  const regression = terms.map(formatRegression).join(', ');
  const healthy = parsed(
    {
      ...common,
      name: 'audit: healthy candidate',
      description: 'The candidate is the service as it is today: every rollback is a false rollback.',
      candidate: { ...control },
      faults: shared,
      ...(base ? { truth: base.truth } : {}),
    },
    'healthy',
  );
  const regressed = parsed(
    {
      ...common,
      name: `audit: regressed candidate (${regression})`,
      description: `The candidate is worse from its first window (${regression}): every promotion is a missed regression.`,
      candidate,
      faults: [
        { kind: 'step', at: 0, effect: { errorRateMultiplier: errorMultiplier, extraErrorRate: extraErrors, latencyMultiplier } },
        ...shared,
      ],
      // Any regression counts as worse: the audit asks whether THIS regression is caught.
      truth: { errorRateRatio: 1, p95Ratio: 1 },
    },
    'regressed',
  );
  return { healthy, regressed, regression, assumptions };
}

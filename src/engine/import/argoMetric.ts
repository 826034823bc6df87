/**
 * One metric of an Argo Rollouts AnalysisTemplate, read for the importer: its counts and timing
 * (argo-rollouts `pkg/apis/rollouts/v1alpha1/analysis_types.go` `Metric`), which Rollout Lab
 * health metric it measures, the rule its conditions express, and what a measurement without data
 * is (argoAnalysisSemantics.ts `argoMeasurementPhase`, the controller's own rule).
 *
 * Which health metric (in this order; every guess is an assumption in the report):
 * 1. `--map NAME=metric` (ImportOptions.map);
 * 2. our exporter's names, `<metric>-ratio` / `<metric>-max` (`error-rate-ratio`, `latency-p95-max`);
 * 3. a Prometheus `histogram_quantile(q, …)` query: latency p50 / p95 / p99;
 * 4. `timeout` in the name or query: timeout rate; `error`, `success`, or a 5xx status matcher
 *    (`5..`, `5.*`, `5xx`): error rate.
 * Request-count checks (our `enough-requests` / `baseline-requests`, or an `increase(…)` count
 * compared from below) are read as `minRequests`.
 *
 * The rule (conditionExpression.ts): the success condition's limit, else the failure condition's.
 * - a limit from above (`result[0] <= k`; failure `result[0] > k`) → `max` k, or `maxRatio` k when
 *   the limit is `k * {{args.reference}}` or the query divides the canary by the stable
 *   (it mentions both `canary` and `stable`/`primary`) — a candidate-to-control ratio;
 * - `{{args.x}}` (or `k * {{args.x}}`) where the analysis or the template gives x a literal number
 *   is that number (times k): a fixed limit, written back to the argument's value;
 * - a limit from below on an error-rate metric (`result[0] >= 0.95`) is a success rate:
 *   `max` = 1 − k (1 − k/100 when k > 1, a percent);
 * - a latency limit on a `histogram_quantile` query not multiplied by 1000 is in seconds (the
 *   Prometheus convention): `max` = 1000 k ms.
 */
import type { ArgoMeasurementPhase } from '../export/argoAnalysisSemantics.ts';
import { argoMeasurementPhase } from '../export/argoAnalysisSemantics.ts';
import { metricSlug } from '../export/promQueries.ts';
import type { HealthMetric } from '../policy/policy.ts';
import { goDurationSeconds } from './argoDurations.ts';
import type { ConditionNode, ConditionThreshold } from './conditionExpression.ts';
import { conditionThreshold, evaluateCondition, parseCondition, replaceLimit } from './conditionExpression.ts';
import type { ImportAssumption, MetricMapping, SourceLocation } from './importTypes.ts';
import { ImportError } from './importTypes.ts';

const healthMetrics: HealthMetric[] = ['errorRate', 'timeoutRate', 'latencyP50', 'latencyP95', 'latencyP99'];

/** A health rule read from a metric's conditions. */
export interface ReadRule {
  type: 'ratio' | 'absolute';
  metric: HealthMetric;
  /** maxRatio or max, in the policy's units. */
  value: number;
  /** Where the limit is written (a condition, or the argument whose value it is), the text there and the conversion back. */
  conditions: { source: SourceLocation; text: string; toSource: (value: unknown) => unknown }[];
  /** Why the value is what it is, in one line. */
  note: string;
}

/** A metric as the importer uses it. */
export interface ReadMetric {
  location: SourceLocation;
  name: string;
  intervalSeconds?: number;
  initialDelaySeconds?: number;
  count?: number;
  /** Argo's failureLimit (tolerated failures; default 0, −1 disables it). */
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveSuccessLimit: number;
  consecutiveErrorLimit?: number;
  role: 'health' | 'requests' | 'unread';
  rule?: ReadRule;
  /** Requests the check needs: the condition's limit (requests metric) or the query's `and on() … >= n` guard. */
  minRequests?: number;
  /** Why an unread metric was not read. */
  unreadReason?: string;
  /** The phase of a measurement with an empty result and with a NaN (0/0) result; the one the query gives at zero traffic. */
  noData: { empty: ArgoMeasurementPhase; nan: ArgoMeasurementPhase; atZeroTraffic: 'empty' | 'nan' };
  query?: string;
  provider: string;
  assumptions: ImportAssumption[];
}

function healthFromName(name: string): HealthMetric | undefined {
  const base = name.replace(/-(ratio|max)$/, '');
  return healthMetrics.find((metric) => metricSlug(metric) === base);
}

function guessHealth(name: string, query: string | undefined): { metric: HealthMetric; why: string } | undefined {
  const quantile = query !== undefined ? /histogram_quantile\(\s*(0?\.\d+|1(?:\.0*)?)\s*,/.exec(query) : null;
  if (quantile) {
    const q = Number(quantile[1]);
    const metric = q === 0.5 ? 'latencyP50' : q === 0.95 ? 'latencyP95' : q === 0.99 ? 'latencyP99' : undefined;
    if (metric !== undefined) return { metric, why: `its query is histogram_quantile(${quantile[1]}, …)` };
  }
  const text = `${name} ${query ?? ''}`.toLowerCase();
  if (text.includes('timeout')) return { metric: 'timeoutRate', why: "its name or query mentions 'timeout'" };
  if (/error|success|5\.\.|5\.\*|5xx/.test(text))
    return { metric: 'errorRate', why: 'its name or query mentions errors, success or 5xx responses' };
  return undefined;
}

function parseField(location: SourceLocation, field: string, text: unknown): { node: ConditionNode; text: string } | undefined {
  if (text === undefined || text === '') return undefined;
  const where = { ...location, path: [...location.path, field] };
  if (typeof text !== 'string') throw new ImportError(where, 'must be a condition (text)');
  try {
    return { node: parseCondition(text), text };
  } catch (error) {
    throw new ImportError(where, `cannot read the condition ${JSON.stringify(text)}: ${(error as Error).message}`);
  }
}

function thresholdOf(location: SourceLocation, field: string, parsed: { node: ConditionNode } | undefined): ConditionThreshold | undefined {
  if (parsed === undefined) return undefined;
  try {
    return conditionThreshold(parsed.node);
  } catch (error) {
    throw new ImportError({ ...location, path: [...location.path, field] }, `cannot read the condition: ${(error as Error).message}`);
  }
}

/** Pass when `value OP limit`: the success condition's operator, or the negation of the failure condition's. */
const negation: Record<string, string> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<', '==': '!=', '!=': '==' };

function integerField(location: SourceLocation, value: Record<string, unknown>, field: string, fallback: number): number {
  const raw = value[field];
  if (raw === undefined) return fallback;
  // Argo accepts an int or an IntOrString template like "{{args.count}}"; only numbers are read.
  const number = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof number !== 'number' || !Number.isInteger(number)) {
    throw new ImportError({ ...location, path: [...location.path, field] }, `must be a whole number, got ${JSON.stringify(raw)}`);
  }
  return number;
}

/** An argument's literal value and where it is written (the analysis's `args`, else the template's default). */
export type ArgumentValues = Record<string, { value: string; location: SourceLocation }>;

/**
 * Reads metric `value` at `location` (a template's `spec.metrics[i]`); `args` are the literal
 * argument values the analysis passes (a limit written `{{args.max-error-rate}}` with a number
 * there is that number, written back to the argument). Throws ImportError naming the field it cannot read.
 */
export function readArgoMetric(
  location: SourceLocation,
  value: Record<string, unknown>,
  map: MetricMapping = {},
  args: ArgumentValues = {},
): ReadMetric {
  const name = typeof value.name === 'string' ? value.name : '';
  const at = (field: string): SourceLocation => ({ ...location, path: [...location.path, field] });
  const duration = (field: string): number | undefined => {
    if (value[field] === undefined) return undefined;
    const seconds = goDurationSeconds(value[field]);
    if (seconds === undefined)
      throw new ImportError(at(field), `must be a Go duration like 5m or 1h30m, got ${JSON.stringify(value[field])}`);
    return seconds;
  };
  const provider = typeof value.provider === 'object' && value.provider !== null ? (Object.keys(value.provider)[0] ?? '') : '';
  const providerValue = provider !== '' ? (value.provider as Record<string, unknown>)[provider] : undefined;
  const query =
    typeof providerValue === 'object' && providerValue !== null && typeof (providerValue as { query?: unknown }).query === 'string'
      ? ((providerValue as { query: string }).query as string)
      : undefined;
  const success = parseField(location, 'successCondition', value.successCondition);
  const failure = parseField(location, 'failureCondition', value.failureCondition);
  const phaseFor = (result: number[]) =>
    argoMeasurementPhase(
      success === undefined ? undefined : evaluateCondition(success.node, result),
      failure === undefined ? undefined : evaluateCondition(failure.node, result),
    );
  const guard = query !== undefined ? /and\s+on\s*\(\s*\)\s*sum\s*\(\s*increase\([\s\S]*?\)\s*\)\s*>=\s*(\d+)/.exec(query) : null;
  const read: ReadMetric = {
    location,
    name,
    intervalSeconds: duration('interval'),
    initialDelaySeconds: duration('initialDelay'),
    count: value.count === undefined ? undefined : integerField(location, value, 'count', 0),
    failureLimit: integerField(location, value, 'failureLimit', 0),
    inconclusiveLimit: integerField(location, value, 'inconclusiveLimit', 0),
    consecutiveSuccessLimit: integerField(location, value, 'consecutiveSuccessLimit', 0),
    consecutiveErrorLimit:
      value.consecutiveErrorLimit === undefined ? undefined : integerField(location, value, 'consecutiveErrorLimit', 4),
    role: 'unread',
    minRequests: guard ? Number(guard[1]) : undefined,
    noData: {
      empty: phaseFor([]),
      nan: phaseFor([Number.NaN]),
      // A guarded query (`and on() … >= n`) or a plain sum returns nothing without traffic; a ratio of rates over existing series is 0/0.
      atZeroTraffic: query !== undefined && guard === null && query.includes('/') ? 'nan' : 'empty',
    },
    query,
    provider,
    assumptions: [],
  };

  const successThreshold = thresholdOf(location, 'successCondition', success);
  const failureThreshold = thresholdOf(location, 'failureCondition', failure);
  const isRequestCount =
    name === 'enough-requests' ||
    name === 'baseline-requests' ||
    (map[name] === undefined &&
      query !== undefined &&
      /increase\(/.test(query) &&
      !query.includes('/') &&
      successThreshold?.operator.startsWith('>') === true);
  if (isRequestCount) {
    const threshold = successThreshold ?? failureThreshold;
    if (threshold === undefined || threshold.reference !== undefined) {
      throw new ImportError(at('successCondition'), 'a request-count check needs a condition like result[0] >= 100');
    }
    read.role = 'requests';
    read.minRequests = Math.ceil(threshold.limit - (threshold.operator === '>' ? -1e-9 : 1e-9));
    return read;
  }

  const mapped = map[name];
  let health: HealthMetric | undefined = mapped ?? healthFromName(name);
  if (health === undefined) {
    const guess = guessHealth(name, query);
    if (guess !== undefined) {
      health = guess.metric;
      read.assumptions.push({
        source: location,
        text: `metric '${name}' is read as ${guess.metric} because ${guess.why} (name it with --map ${name}=METRIC)`,
      });
    }
  }
  if (provider === 'web' && mapped === undefined) {
    read.unreadReason = `a web provider's verdict (${JSON.stringify((providerValue as { url?: unknown })?.url ?? '')}) is not a measurement Rollout Lab can simulate`;
    return read;
  }
  if (health === undefined) {
    read.unreadReason = `Rollout Lab cannot tell which health metric '${name}' measures; name it with --map ${name}=errorRate (or timeoutRate, latencyP50, latencyP95, latencyP99)`;
    return read;
  }
  const written = successThreshold ?? failureThreshold;
  const field = successThreshold !== undefined ? 'successCondition' : 'failureCondition';
  // `k * {{args.x}}` with a number passed for x is a fixed limit k·x, written in the argument.
  const argument = written?.reference !== undefined ? args[written.reference] : undefined;
  const argumentValue =
    argument !== undefined && /^\s*-?[0-9.]+(e[+-]?[0-9]+)?\s*$/i.test(argument.value) ? Number(argument.value) : undefined;
  const threshold =
    written !== undefined && argumentValue !== undefined
      ? { ...written, limit: Number((written.limit * argumentValue).toPrecision(12)), reference: undefined }
      : written;
  if (threshold === undefined) {
    throw new ImportError(at(field), 'no limit on the value to read: a condition like result[0] <= 0.01 is needed');
  }
  // The pass region: `value passOperator limit`.
  const passOperator = field === 'successCondition' ? threshold.operator : negation[threshold.operator];
  if (passOperator === '==' || passOperator === '!=') {
    throw new ImportError(at(field), `an equality (${threshold.operator}) is not a limit a rule can express`);
  }
  const fromBelow = passOperator === '>' || passOperator === '>=';
  const rate = health === 'errorRate' || health === 'timeoutRate';
  const ratio = threshold.reference !== undefined || (query !== undefined && /canary/i.test(query) && /stable|primary/i.test(query));
  let toPolicy: (limit: number) => number = (limit) => limit;
  let fromPolicy: (value: number) => number = (policyValue) => policyValue;
  let note = ratio
    ? threshold.reference !== undefined
      ? `limit ${threshold.limit} × {{args.${threshold.reference}}}: a ratio to the reference value`
      : 'the query divides the canary by the stable: a candidate-to-control ratio'
    : 'a fixed limit on the candidate';
  if (fromBelow) {
    if (!rate || ratio)
      throw new ImportError(at(field), `a lower limit on ${health} is not a rule Rollout Lab has (rules are upper limits)`);
    const percent = threshold.limit > 1;
    toPolicy = (limit) => Number((1 - (percent ? limit / 100 : limit)).toPrecision(12));
    fromPolicy = (policyValue) => Number(((1 - policyValue) * (percent ? 100 : 1)).toPrecision(12));
    note = `a success rate at least ${threshold.limit}${percent ? '%' : ''}: error rate at most ${toPolicy(threshold.limit)}`;
  } else if (!rate && !ratio && query !== undefined && /histogram_quantile/.test(query) && !/1000\s*\*/.test(query)) {
    toPolicy = (limit) => Number((limit * 1000).toPrecision(12));
    fromPolicy = (policyValue) => Number((policyValue / 1000).toPrecision(12));
    note = 'a histogram_quantile in seconds (Prometheus convention): the limit × 1000 ms';
    read.assumptions.push({
      source: at(field),
      text: `metric '${name}': the histogram is in seconds, so ${threshold.limit} is ${toPolicy(threshold.limit)} ms`,
    });
  }
  if (passOperator === '<' || passOperator === '>')
    note += '; strict in Argo, the policy fails only above the limit (they differ only at equality)';
  if (threshold.everyElement) note += '; all(result, …) read as the single series the policy measures';
  const conditions: ReadRule['conditions'] = [];
  if (argument !== undefined && argumentValue !== undefined && written !== undefined) {
    const factor = written.limit;
    conditions.push({
      source: argument.location,
      text: argument.value,
      toSource: (policyValue) => String(Number((fromPolicy(Number(policyValue)) / factor).toPrecision(12))),
    });
    note += ` (the limit is the argument ${written.reference} = ${argument.value}${factor !== 1 ? ` × ${factor}` : ''})`;
  }
  for (const [conditionField, parsed, conditionThresholdValue] of [
    ['successCondition', success, successThreshold],
    ['failureCondition', failure, failureThreshold],
  ] as const) {
    if (parsed === undefined || conditionThresholdValue === undefined || argumentValue !== undefined) continue;
    if (conditionThresholdValue.limit !== threshold.limit || conditionThresholdValue.reference !== threshold.reference) {
      read.assumptions.push({
        source: at(conditionField),
        text: `metric '${name}': the success and failure limits differ (${successThreshold?.limit} and ${failureThreshold?.limit}); between them Argo's measurement is Inconclusive — the policy uses the ${field === 'successCondition' ? 'success' : 'failure'} limit`,
      });
      continue;
    }
    const span = conditionThresholdValue.span;
    if (span === undefined) continue;
    conditions.push({
      source: at(conditionField),
      text: parsed.text,
      toSource: (policyValue) => replaceLimit(parsed.text, span, fromPolicy(Number(policyValue))),
    });
  }
  read.role = 'health';
  read.rule = { type: ratio ? 'ratio' : 'absolute', metric: health, value: toPolicy(threshold.limit), conditions, note };
  return read;
}

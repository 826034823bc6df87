/**
 * The policy lab's exact answer, as plain functions (no DOM, no workers): the curve of error-rate
 * thresholds it asks for, the request for the exact operating characteristic
 * (`exactOperatingCurve`, src/sim/exact/exactOperatingCurve.ts) and its answer in the lab's terms
 * — the current setting's `OperatingPoint` (what `labVerdict` reads) and the curve of points.
 * The lab accepts bounded answers (`labBoundedUpTo`): a setting the evaluator refuses for its
 * numerical tolerance alone is shown with its rates "bounded within ±X points", never as exact.
 */
import type { ExactCurveRequest, ExactCurveResult } from '../../sim/exact/exactOperatingCurve.ts';
import type { ExactSummary } from '../../sim/exact/exactTally.ts';
import type { RateEstimate } from '../../sim/summary.ts';
import type { OperatingPoint } from './labModel.ts';
import { labPolicy } from './labPolicy.ts';
import type { LabSettings } from './labSettings.ts';
import { labScenarios } from './labWorlds.ts';

/** Thresholds of the exact curve besides the current one (issue 16: "for example 50 thresholds"). */
export const exactCurveSettings = 50;

/**
 * Largest neglected probability mass at which the lab shows the evaluator's answer as bounded
 * (`ExactCurveRequest.boundedUpTo`) rather than fall back to Monte-Carlo alone: ±1 point on each
 * rate. Why 0.01: the Monte-Carlo answer the lab falls back to (200 replicates) has a 95% interval
 * of ±3–5 points at the rates the verdict turns on, so a bound of at most 1 point is still three
 * to five times tighter — worth showing, labelled for what it is. The lab's first visit neglects
 * 3.5e-6 (the historical error rate's discretisation at its 256-node cap: evaluateExact.ts; the
 * latency references are exact since they are the pooled percentiles), ±0.00036 points.
 */
export const labBoundedUpTo = 0.01;

/** Smallest and largest error-rate threshold of the curve (× the reference). */
export const exactCurveRange: readonly [number, number] = [1.1, 10];

/**
 * The error-rate thresholds of the exact curve: `count` thresholds evenly spaced on a log scale
 * over `exactCurveRange` (rounded to 3 significant digits, as a user would type them), plus the
 * current one; ascending, without duplicates. O(count).
 */
export function exactThresholds(current: number, count = exactCurveSettings): number[] {
  const [low, high] = exactCurveRange;
  const ladder = Array.from({ length: count }, (_, i) => Number((low * (high / low) ** (i / (count - 1))).toPrecision(3)));
  return [...new Set([...ladder, current])].sort((a, b) => a - b);
}

/**
 * The exact operating characteristic the lab asks for: the lab's two worlds and, for the current
 * `errorRate.maxRatio` first and then every other threshold of `thresholds`, the lab's policy with
 * that threshold. Throws a RangeError when the settings are invalid (as `labPolicy`, `labScenarios`).
 */
export function labExactRequest(
  settings: LabSettings,
  thresholds: readonly number[] = exactThresholds(settings['errorRate.maxRatio']),
): ExactCurveRequest {
  const { healthy, regressed } = labScenarios(settings);
  const current = settings['errorRate.maxRatio'];
  const ordered = [current, ...thresholds.filter((threshold) => threshold !== current)];
  return {
    healthy,
    regressed,
    settings: ordered.map((value) => ({ value, policy: labPolicy({ ...settings, 'errorRate.maxRatio': value }) })),
    boundedUpTo: labBoundedUpTo,
  };
}

/**
 * The lab's exact answer: the current setting and the curve (`curveComplete` false while only the
 * current setting is in), or the features that need simulation.
 */
export type LabExactAnswer =
  | {
      supported: true;
      current: OperatingPoint;
      curve: OperatingPoint[];
      curveComplete: boolean;
      /** Why the curve is left out (slower than the lab's budget), when it is. */
      curveOmitted?: string;
      /**
       * What the answer rests on besides exact sums, as the evaluator names them
       * (`ExactResult.approximations`, e.g. an A/B test by the normal law of its z statistic); empty
       * when there is none. The panel shows every one: an approximation is never silent.
       */
      approximations: string[];
      /**
       * The current setting's neglected probability mass, the larger of its two worlds'
       * (`ExactSummary.neglectedMass`): every exact rate shown is within it.
       */
      neglectedMass: number;
      /**
       * Set when the current setting's answer is bounded, not exact (`current.bound` is then its
       * neglected mass): the evaluator's refusal, in its words, that made it bounded. Any point of the
       * curve may be bounded too (its `bound`).
       */
      boundedBecause?: string[];
      /**
       * Nodes of the historical baseline's law behind the current setting's answer
       * (`ExactCurvePoint.baselineNodes`), when the evaluator said.
       */
      baselineNodes?: number;
    }
  | {
      supported: false;
      features: string[];
      /**
       * True while the exact evaluation of the current setting goes on past the lab's budget
       * (`LabExactBudget.currentMs`): the lab shows Monte-Carlo meanwhile, and the exact answer —
       * or the evaluator's own refusal — replaces this one when it is in.
       */
      stillComputing?: boolean;
    };

/**
 * The curve's answer in the lab's terms: the first setting is the current one (as
 * `labExactRequest` orders them); the curve ascends in threshold. O(settings · log).
 */
export function labExactAnswer(result: ExactCurveResult): LabExactAnswer {
  if (!result.supported) return { supported: false, features: result.features };
  const points = result.points.map(
    (point, index): OperatingPoint =>
      point.bounded && point.neglectedMass !== undefined
        ? boundedPoint(point.value, index === 0, point.healthy, point.regressed, point.neglectedMass)
        : { errorRatio: point.value, current: index === 0, healthy: point.healthy, regressed: point.regressed },
  );
  if (points.length === 0) throw new RangeError('the exact curve has no settings: the request must list at least the current one');
  const first = result.points[0];
  return {
    supported: true,
    current: points[0],
    curve: [...points].sort((a, b) => a.errorRatio - b.errorRatio),
    curveComplete: true,
    approximations: result.approximations ?? [],
    neglectedMass: Math.max(first.healthy.neglectedMass, first.regressed.neglectedMass),
    ...(first.baselineNodes !== undefined ? { baselineNodes: first.baselineNodes } : {}),
    ...(first.bounded ? { boundedBecause: result.boundedBecause ?? [] } : {}),
  };
}

/**
 * A bounded point in the lab's terms: `bound` set, and the two rates the lab shows given the
 * interval [rate − bound, rate + bound] (within [0, 1]) instead of an exact rate's zero width, so
 * that no formatter can call them exact. O(1).
 */
function boundedPoint(errorRatio: number, current: boolean, healthy: ExactSummary, regressed: ExactSummary, bound: number): OperatingPoint {
  const widen = (estimate: RateEstimate): RateEstimate =>
    estimate.rate === null
      ? estimate
      : { ...estimate, lower: Math.max(0, estimate.rate - bound), upper: Math.min(1, estimate.rate + bound) };
  return {
    errorRatio,
    current,
    healthy: { ...healthy, falseRollbackRate: widen(healthy.falseRollbackRate) },
    regressed: { ...regressed, missedRegressionRate: widen(regressed.missedRegressionRate) },
    bound,
  };
}

/** Evaluates an exact curve request (the browser: `labExactInWorker`; tests: the endpoint in-process). */
export type ExactCurveRunner = (
  request: ExactCurveRequest,
  context: { signal: AbortSignal; reportProgress?: (fraction: number) => void },
) => Promise<ExactCurveResult>;

/**
 * How long the lab waits for the exact evaluator. A scenario whose every window is a new law (a
 * daily cycle under a historical baseline) can take seconds per setting, more on a busy machine.
 * After `currentMs` without the current setting's answer the lab shows the Monte-Carlo answer and
 * says the exact one is still being computed; it keeps computing up to `currentLimitMs` (so a busy
 * machine delays the exact answer or the evaluator's refusal, it does not change it), then gives
 * up and says so. The curve gets as many thresholds as fit in `curveMs` at the current setting's
 * measured cost (all of them when they fit; `curveThresholdsWithin`).
 */
export interface LabExactBudget {
  currentMs: number;
  currentLimitMs: number;
  curveMs: number;
  /** Milliseconds on a monotonic clock (`performance.now` in the app). */
  now: () => number;
}

export const labExactBudget: Omit<LabExactBudget, 'now'> = { currentMs: 3000, currentLimitMs: 60000, curveMs: 15000 };

/** The fewest thresholds that still make a curve; below this the lab leaves the curve out and says why. */
const fewestCurveSettings = 6;

/**
 * What one more threshold adds to a curve request, as a fraction of the current setting's own
 * cost. The curve is one request and one vector chain run per world (exactOperatingCurve.ts): the
 * worlds, the baseline's law and the shadow gates are paid once, each threshold adds only its own
 * check laws. Measured (Node, CPU, 2026-12-04): the lab's default policy at 100 req/s without
 * the daily cycle, 1 / 8 / 20 / 51 thresholds 1.39 / 3.69 / 7.17 / 10.96 s (0.14 of the first
 * per threshold); its canary-and-full part on the lab's first-visit worlds, 1 / 20 / 51
 * thresholds 2.85 / 19.3 / 32.8 s (0.21). 0.25 leaves a margin; a linear extrapolation (1)
 * asked 10 thresholds where 51 fitted.
 */
export const curveCostPerThreshold = 0.25;

/**
 * The thresholds a curve request can hold within `curveMs` when one setting alone took
 * `currentMs`: cost(n) ≈ currentMs · (1 + curveCostPerThreshold · (n − 1)). O(1).
 */
export function curveThresholdsWithin(curveMs: number, currentMs: number): number {
  return Math.floor(1 + (curveMs / currentMs - 1) / curveCostPerThreshold);
}

/** The predicted cost (ms) of a curve request of `count` thresholds (`curveThresholdsWithin`'s model). */
function predictedCurveMs(currentMs: number, count: number): number {
  return currentMs * (1 + curveCostPerThreshold * (count - 1));
}

class BudgetExceeded extends Error {}

/** `evaluate` with an abort at `ms` (besides the caller's own signal); resolves null when the budget ran out. */
async function withinBudget(
  evaluate: ExactCurveRunner,
  request: ExactCurveRequest,
  context: { signal: AbortSignal; reportProgress?: (fraction: number) => void },
  ms: number,
): Promise<ExactCurveResult | null> {
  const limit = new AbortController();
  const follow = () => limit.abort(context.signal.reason);
  if (context.signal.aborted) follow();
  context.signal.addEventListener('abort', follow, { once: true });
  const timer = setTimeout(() => limit.abort(new BudgetExceeded()), ms);
  try {
    return await evaluate(request, { signal: limit.signal, reportProgress: context.reportProgress });
  } catch (error) {
    if (!context.signal.aborted && limit.signal.reason instanceof BudgetExceeded) return null;
    throw error;
  } finally {
    clearTimeout(timer);
    context.signal.removeEventListener('abort', follow);
  }
}

/**
 * The curve of the other thresholds with the current setting's answer put first (as
 * `labExactRequest` orders them): its point, and the approximations and refusals of both
 * answers, each once. A refused curve stays refused. O(settings).
 */
function withCurrent(current: ExactCurveResult & { supported: true }, others: ExactCurveResult): ExactCurveResult {
  if (!others.supported) return others;
  const union = (a: string[] | undefined, b: string[] | undefined) => [...new Set([...(a ?? []), ...(b ?? [])])];
  const boundedBecause = union(current.boundedBecause, others.boundedBecause);
  return {
    supported: true,
    points: [current.points[0], ...others.points],
    approximations: union(current.approximations, others.approximations),
    ...(boundedBecause.length > 0 ? { boundedBecause } : {}),
  };
}

/** Resolves after `ms` with `late`, unless `signal` aborts first; the timer is cleared either way. */
function lateAfter<T>(ms: number, late: T, signal: AbortSignal): { promise: Promise<T>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late), ms);
  });
  const cancel = () => {
    clearTimeout(timer);
    signal.removeEventListener('abort', cancel);
  };
  signal.addEventListener('abort', cancel, { once: true });
  return { promise, cancel };
}

/**
 * Answers the lab exactly in two steps, so the verdict does not wait for the curve: the current
 * setting alone (`onPartial` gets it, `curveComplete` false), then the thresholds of the curve
 * that fit the budget. When the current setting takes longer than `budget.currentMs`, `onPartial`
 * first gets a refusal marked `stillComputing` (the lab shows Monte-Carlo meanwhile) and the
 * evaluation goes on up to `budget.currentLimitMs`. Resolves with the full answer, or with the
 * features at the first step when there is no exact form or it is slower than the limit; rejects
 * with the runner's AbortError when `signal` aborts (a newer edit superseded it).
 */
export async function runLabExact(
  settings: LabSettings,
  evaluate: ExactCurveRunner,
  onPartial: (answer: LabExactAnswer) => void,
  context: { signal: AbortSignal; reportProgress?: (fraction: number) => void },
  budget: LabExactBudget = { ...labExactBudget, now: () => performance.now() },
): Promise<LabExactAnswer> {
  const request = labExactRequest(settings);
  const started = budget.now();
  const evaluation = withinBudget(
    evaluate,
    { ...request, settings: request.settings.slice(0, 1) },
    { signal: context.signal },
    budget.currentLimitMs,
  );
  const late = lateAfter(budget.currentMs, 'late' as const, context.signal);
  try {
    if ((await Promise.race([evaluation, late.promise])) === 'late' && !context.signal.aborted) {
      onPartial({
        supported: false,
        stillComputing: true,
        features: [
          `speed: the exact evaluation of this setting takes longer than the lab's ${budget.currentMs / 1000} s budget ` +
            `(every window of this scenario is a new law); the lab keeps computing it, up to ${budget.currentLimitMs / 1000} s`,
        ],
      });
    }
  } finally {
    late.cancel();
  }
  const firstResult = await evaluation;
  if (firstResult === null) {
    return {
      supported: false,
      features: [
        `speed: the exact evaluation of this setting takes longer than the lab's ${budget.currentLimitMs / 1000} s limit ` +
          '(every window of this scenario is a new law); `rollout-lab simulate --mode exact` waits for it',
      ],
    };
  }
  const first = labExactAnswer(firstResult);
  if (!first.supported || !firstResult.supported) return first;
  onPartial({ ...first, curveComplete: false });
  const perSetting = Math.max(budget.now() - started, 1e-3);
  const fitting = curveThresholdsWithin(budget.curveMs, perSetting);
  const omitted = `the exact curve would take about ${Math.round(predictedCurveMs(perSetting, exactCurveSettings) / 1000)} s at this setting's cost; the lab leaves it out`;
  if (fitting < fewestCurveSettings) return { ...first, curveComplete: true, curveOmitted: omitted };
  // The curve's other thresholds only: the current one is answered (recomputing it cost the
  // curve its refinement again, ~170 ms of the first visit's in Node), and joins them below.
  const curveRequest =
    fitting >= exactCurveSettings ? request : labExactRequest(settings, exactThresholds(settings['errorRate.maxRatio'], fitting));
  const others = await withinBudget(evaluate, { ...curveRequest, settings: curveRequest.settings.slice(1) }, context, 2 * budget.curveMs);
  const curve = others === null ? null : withCurrent(firstResult, others);
  if (curve === null) return { ...first, curveComplete: true, curveOmitted: omitted };
  // A curve with a refused threshold is refused whole (exactOperatingCurve.ts); the current
  // setting's exact answer stands, and the curve's absence is explained.
  if (!curve.supported) {
    return {
      ...first,
      curveComplete: true,
      curveOmitted: `the exact curve is left out: at another threshold the evaluator has no exact answer (${curve.features.join('; ')})`,
    };
  }
  // The current setting's own refusal says why it is bounded (the curve's lists every threshold's).
  const answer = labExactAnswer(curve);
  return answer.supported && first.boundedBecause !== undefined ? { ...answer, boundedBecause: first.boundedBecause } : answer;
}

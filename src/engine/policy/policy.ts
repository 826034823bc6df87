/**
 * The rollout policy document: what a rollout does, stage by stage, and which rules decide it.
 *
 * A policy is plain, versioned JSON (`"version": 1`) validated by `parsePolicy` and published as a
 * JSON Schema in `scenarios/policy.schema.json`. Like Observable Plot options, every part is a
 * small value, and the helpers in `stages.ts` and `healthRules.ts` return new values, so policies
 * compose: `{ ...defaultPolicy(), stages: [...] }`.
 *
 * Durations are written as strings (`"24h"`, `"5m"`, `"90s"`, `"1h30m"`) or as a number of seconds;
 * they are parsed once, when the policy is compiled for the controller (`compilePolicy`).
 */

/** A duration: seconds, or a string of number+unit parts with units s, m, h, d, w (e.g. `"1h30m"`). */
export type Duration = string | number;

/** The kinds of stage, in the only order they may appear. */
export type StageKind = 'baseline' | 'shadow' | 'canary' | 'ab' | 'full' | 'promote';

/** The order of stage kinds: a policy's stages are sorted by this rank. */
export const stageKindOrder: readonly StageKind[] = ['baseline', 'shadow', 'canary', 'ab', 'full', 'promote'];

/** Health metrics read from a window's arm: `errors/requests`, `timeouts/requests`, latency percentiles (ms). */
export type HealthMetric = 'errorRate' | 'timeoutRate' | 'latencyP50' | 'latencyP95' | 'latencyP99';

/** The percentile level q each latency metric reads (a sketch's `quantile(q)`). */
export const latencyLevels: Readonly<Partial<Record<HealthMetric, number>>> = { latencyP50: 0.5, latencyP95: 0.95, latencyP99: 0.99 };

/** The metrics a statistical rule can test: rates with a binomial count. */
export type RateMetric = 'errorRate' | 'timeoutRate';

/**
 * Ratio to baseline — the framework's practice: the candidate fails the check when
 * `candidate metric > maxRatio × reference metric`, where the reference is the historical baseline
 * or the control arm of the same window (`Policy.baseline.mode`).
 */
export interface RatioRule {
  type: 'ratio';
  metric: HealthMetric;
  /** Largest allowed candidate/reference ratio, > 0 (framework: error 2, p95 1.5, p50 1.2, timeout 2). */
  maxRatio: number;
}

/** An absolute limit: the candidate fails when its metric is above `max` (rates 0–1, latency in ms). */
export interface AbsoluteRule {
  type: 'absolute';
  metric: HealthMetric;
  max: number;
}

/**
 * A one-sided statistical test that the candidate's rate is worse than the reference's by more
 * than `minimumEffect` (H0: p_candidate − p_reference ≤ minimumEffect), on the counts accumulated
 * since the stage began, so that noise at low traffic does not fire it.
 * Repeated looks are corrected with Lan–DeMets alpha spending over the stage's planned looks
 * (`'alphaSpending'`) or with an always-valid mixture-SPRT p-value (`'alwaysValid'`).
 */
export interface StatisticalRule {
  type: 'statistical';
  metric: RateMetric;
  /** Absolute difference of rates that matters, ≥ 0 and < 1 (e.g. 0.005 = half a percentage point). */
  minimumEffect: number;
  /** One-sided false-alarm probability over the whole stage, between 0 and 1 (default 0.05). */
  alpha?: number;
  /** How repeated looks are corrected. */
  method: 'alphaSpending' | 'alwaysValid';
  /** Spending function for `'alphaSpending'` (default `'obrienFleming'`). */
  spending?: SpendingFunction;
}

/** Lan–DeMets spending functions: O'Brien–Fleming-type or Pocock-type. */
export type SpendingFunction = 'obrienFleming' | 'pocock';

/** A health rule: evaluated on every check window of the stages that list it. */
export type HealthRule = RatioRule | AbsoluteRule | StatisticalRule;

/** Guards that decide when rules may fire at all. */
export interface Guards {
  /**
   * Minimum requests per arm (candidate, and control when it is the reference) in a window
   * before any rule may fire; a window below it holds (default 100).
   */
  minRequests?: number;
  /**
   * Roll back when the COUNT of failing checks reaches this (default 1: the first failure), the
   * count being the one `failureCounting` names. Argo Rollouts' `failureLimit` counts tolerated
   * failures (a metric fails when `failed > failureLimit`, argo-rollouts `analysis/analysis.go`
   * `assessMetricFailureInconclusiveOrError`), so Argo `failureLimit: n` is our `n + 1` with
   * `failureCounting: 'total'`; Flagger's `threshold` rolls back when `failedChecks >= threshold`
   * (flagger `pkg/controller/scheduler.go`), so Flagger `threshold: n` is our `n` with 'total'
   * and `failureScope: 'rollout'` (src/engine/export/failureCountingExport.ts has the table).
   */
  failureLimit?: number;
  /**
   * How failing checks are counted (default `'consecutive'`):
   * - `'consecutive'`: a passing check resets the count (the engine's original behaviour);
   * - `'total'`: every failing check counts and passes never reset it (Argo's `failureLimit`,
   *   Flagger's `threshold` / `status.failedChecks`);
   * - `'mOfN'`: roll back when `failureLimit` of the last `failureWindow` evaluated checks (passing
   *   or failing; held and inconclusive checks are not evaluated) failed — "M of the last N".
   */
  failureCounting?: 'consecutive' | 'total' | 'mOfN';
  /** N of `'mOfN'`: the most recent evaluated checks looked at; an integer ≥ `failureLimit`, at most 30. Required for, and only allowed with, `'mOfN'`. */
  failureWindow?: number;
  /**
   * Where the counts start again: at every stage (default `'stage'`), or only once per rollout
   * (`'rollout'`: the counts carry into a stage whose scope is 'rollout' — Argo background
   * analysis spanning steps, Flagger's `failedChecks` over the whole analysis).
   */
  failureScope?: 'stage' | 'rollout';
  /**
   * A check window with too little data (candidate, or the concurrent reference, below
   * `minRequests` — zero traffic included — or a rule's metric missing): `'hold'` (default: the
   * check neither counts nor resets), `'fail'` (a failing check; Flagger's "no values found" halts
   * and counts a failed check) or `'inconclusive'` (counts toward `inconclusiveLimit`, like an
   * Argo measurement that meets neither condition).
   */
  onNoData?: 'hold' | 'fail' | 'inconclusive';
  /**
   * Inconclusive checks (in total, same scope as the failures) at which the stage pauses: it stops
   * evaluating and advancing and waits for its `maxDuration` / `onMaxDuration` (Argo: an
   * Inconclusive AnalysisRun pauses the Rollout; Argo's `inconclusiveLimit: n` is our `n + 1`).
   * Default: no limit.
   */
  inconclusiveLimit?: number;
}

/** What a stage does when it reaches its maximum duration without a conclusion. */
export type MaxDurationAction = 'rollback' | 'hold';

/** Fields every stage may carry. */
export interface StageCommon {
  /** A label for reports (defaults to the kind and share, e.g. `canary 5%`). */
  name?: string;
  /** Time the stage must spend in passing checks before it may advance. */
  minDuration?: Duration;
  /** Longest the stage may run; then `onMaxDuration` applies. */
  maxDuration?: Duration;
  /** Expected length of a check window (documentation for producers; also sets the planned looks). Default 5m. */
  checkInterval?: Duration;
  /** Overrides `Policy.onMaxDuration` for this stage. */
  onMaxDuration?: MaxDurationAction;
  /** Overrides `Policy.guards` for this stage. */
  guards?: Guards;
}

/** Collect control metrics before anything changes (the historical baseline). */
export interface BaselineStage extends StageCommon {
  kind: 'baseline';
  minDuration: Duration;
  /** Control requests the baseline must hold before it counts as established. */
  minRequests: number;
}

/** How a shadow stage compares candidate and control answers (the function lives in the analysis engine). */
export type ShadowComparison =
  | { method: 'exact' }
  | { method: 'numericTolerance' /** Largest absolute difference counted as agreement. */; tolerance: number }
  | { method: 'tokenOverlap' /** Smallest token-overlap similarity (0–1) counted as agreement. */; threshold: number };

/** Gates a shadow stage must pass before the candidate may serve users. */
export interface ShadowGates {
  /** Agreement rate must be above this (framework: 0.85). */
  minAgreement: number;
  /** Candidate p95 latency must be below this multiple of control's (framework: 1.5). */
  maxLatencyRatio: number;
  /** Candidate error rate must be below this multiple of control's (framework: 2). */
  maxErrorRatio: number;
  /** Comparisons needed before the gates are judged (framework: 1,000). */
  minComparisons: number;
}

/** The candidate sees mirrored traffic and serves nobody. */
export interface ShadowStage extends StageCommon {
  kind: 'shadow';
  minDuration: Duration;
  /** Share of traffic mirrored to the candidate, in (0, 1] (default 1). */
  traffic?: number;
  comparison: ShadowComparison;
  gates: ShadowGates;
}

/** The candidate serves a share of traffic, watched by health rules. */
export interface CanaryStage extends StageCommon {
  kind: 'canary';
  /** Candidate share, strictly between 0 and 1. */
  traffic: number;
  minDuration: Duration;
  /** At least one rule: a canary without metrics is impossible. */
  rules: HealthRule[];
}

/** The A/B test's design: how often it may look and how it corrects for looking. */
export type AbDesign =
  | { type: 'fixed' }
  | { type: 'groupSequential' /** Planned analyses, ≥ 2. */; looks: number; spending: SpendingFunction }
  | { type: 'alwaysValid' };

/**
 * One metric of an A/B test decided by several metrics (`AbTest.metrics`), with its role in the
 * decision rule of Schultzberg, Ankargren & Frånberg 2024 (stats/multiMetricDecision.ts): the
 * candidate ships only when a success metric improved (superiority, one-sided, the success family
 * Bonferroni-corrected α/S) and every guardrail is non-inferior (one-sided at α with its margin,
 * α not split across guardrails); a metric significantly worse (one-sided at α) rolls back.
 */
export interface AbMetric {
  /** The key in the windows' `ArmWindow.values`, or `'successRate'` for the arms' `successes / outcomes` counts. Unique in the list. */
  name: string;
  /**
   * - `'proportion'`: a rate; `'successRate'` reads the counts, another name reads `values` with x = 1 or 0 per unit;
   * - `'mean'`: the mean of x per unit (y the pre-period covariate, for `cuped`);
   * - `'ratio'`: Σx/Σy over units (x numerator, y denominator), its variance by the delta method (Deng, Knoblich & Lu 2018).
   */
  kind: 'proportion' | 'mean' | 'ratio';
  /** `'success'` (must improve for the candidate to ship) or `'guardrail'` (must be shown non-inferior). */
  role: 'success' | 'guardrail';
  /** Which way is good. Default `'higher-is-better'` for a success metric and `'lower-is-better'` for a guardrail (latency, cost, errors). */
  direction?: 'higher-is-better' | 'lower-is-better';
  /** Success metrics (required): the planned improvement, absolute, in the metric's units (> 0). */
  minimumEffect?: number;
  /** Guardrails (required): how much worse the candidate may be — absolute, or relative to the control's value (0.05 = 5 %). */
  margin?: { absolute: number } | { relative: number };
  /** Mean metrics only: adjust with the pre-period y (CUPED; Deng, Xu, Kohavi & Walker 2013). Default false. */
  cuped?: boolean;
}

/** The A/B test on the success metric. */
export interface AbTest {
  /** The success metric: `successes / outcomes` of each arm (the single-metric test, when `metrics` is absent). */
  metric: 'successRate';
  /** Two-sided significance level (default 0.05). */
  alpha?: number;
  /** Power to detect `minimumEffect`, greater than alpha (default 0.8). */
  power?: number;
  /** Smallest absolute difference in success rate worth acting on, in (0, 0.5). */
  minimumEffect: number;
  design: AbDesign;
  /** Control success rate used to plan the sample size; estimated from the baseline or control data when absent. */
  baselineRate?: number;
  /**
   * Planned outcomes per arm; overrides the computed sample size. With `metrics`: the planned
   * units per arm of every metric (outcomes for `'successRate'`, value units for the others).
   */
  sampleSize?: number;
  /**
   * What the stage does when the test ENDS without showing a difference (default `'hold'`): `'hold'`
   * (the stage holds until its `maxDuration`, then `onMaxDuration`), `'advance'` or `'rollback'`.
   * The same for every design — the test ends at its planned maximum information: the fixed
   * design at the planned sample size, the group-sequential design at its final look, the
   * always-valid design when the planned sample size (the fixed design's) is reached, taken as its
   * maximum. "Without showing a difference" includes a fixed-design TIE (an equivalence
   * interval within ±minimumEffect, reported as such) and, with `metrics`, a test that ends without
   * the ship conclusion and without a significantly worse metric.
   */
  onInconclusive?: 'hold' | 'advance' | 'rollback';
  /**
   * Decide on several metrics with roles instead of the success rate alone (Schultzberg et al.
   * 2024; `AbMetric`): at least one success metric; names unique. The planned sample is, per
   * metric, what it needs at its level with power 1 − β/(G + 1) (G guardrails), estimated from the
   * control's data once each metric has `guards.minRequests` units (stats/multiMetricDecision.ts
   * `multiMetricSampleSize`), and the test's information is the smallest share of its plan any
   * metric has reached. Each one-sided test runs at `alpha`/2 (one side of the two-sided level the
   * single success-rate test uses; the success family at `alpha`/2/S). `metric` and
   * `minimumEffect` above then only describe `'successRate'` when it is listed without its own
   * `minimumEffect`.
   */
  metrics?: AbMetric[];
}

/** A/B test: the candidate serves `traffic`, and the test decides; guardrails roll back mid-test. */
export interface AbStage extends StageCommon {
  kind: 'ab';
  /** Candidate share, strictly between 0 and 1. */
  traffic: number;
  minDuration: Duration;
  test: AbTest;
  /** Health rules checked every window; at least one. */
  guardrails: HealthRule[];
  /**
   * Segment keys to report the test by: the windows' `segments` breakdown is tallied and, when the
   * test concludes, analysed per key (rates, z-tests, Simpson's paradox, routing per segment) in a
   * `segments` reason. Reported, never decisive (controller/segmentReport.ts).
   */
  segmentKeys?: string[];
}

/** The candidate serves everyone; control is kept warm. */
export interface FullStage extends StageCommon {
  kind: 'full';
  /** Always 1. */
  traffic?: 1;
  rules: HealthRule[];
}

/** The candidate becomes control; the flag is retired after `flag.retireAfter` at 100%. */
export interface PromoteStage {
  kind: 'promote';
  name?: string;
}

/** Any stage. */
export type Stage = BaselineStage | ShadowStage | CanaryStage | AbStage | FullStage | PromoteStage;

/** One step of the flag's percentage schedule, relative to the rollout's start. */
export interface PolicyScheduleStep {
  after: Duration;
  /** 0–100. */
  percentage: number;
}

/** The feature flag that routes traffic (evaluated by the routing engine). */
export interface PolicyFlag {
  name: string;
  /** Bucketing group (Unleash `groupId`), default the name. */
  group?: string;
  /** The context field that makes users sticky (default `userId`). */
  stickiness?: string;
  /** Percentages over time, non-decreasing; by default the stages' shares. */
  schedule?: PolicyScheduleStep[];
  /** When non-empty, only these segments may get the candidate. */
  segments?: string[];
  allow?: string[];
  deny?: string[];
  /** When true everyone is served control: the controller rolls back at the next step. */
  killSwitch?: boolean;
  /** Time at 100% after which the flag should be removed from the code (flagged by the controller). */
  retireAfter?: Duration;
}

/** The only way to go from shadow straight to A/B or full, with the reason on record. */
export interface SkipCanary {
  reason: string;
}

/** A rollout policy, version 1. */
export interface Policy {
  $schema?: string;
  version: 1;
  name?: string;
  description?: string;
  /** Where the reference metrics come from. */
  baseline: { mode: 'historical' | 'concurrent' };
  /** Default guards for every stage. */
  guards?: Guards;
  /** Default action at a stage's maximum duration (default `'rollback'`). */
  onMaxDuration?: MaxDurationAction;
  skipCanary?: SkipCanary;
  flag?: PolicyFlag;
  stages: Stage[];
}

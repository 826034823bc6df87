/**
 * The sizer's experiment design, as plain functions of its form (no DOM): a success metric of
 * kind proportion, mean or ratio, guardrails with non-inferiority margins, CUPED, several arms and
 * the z- or t-test — sized by the engine's `designExperiment`, the function the CLI's
 * `size --guardrail` calls, so the page and `rollout-lab size` agree for the same inputs (the page
 * shows that command). The days come from the users per day, linear and with returning users
 * (`userAccrual`).
 */
import type { ExperimentDesignOptions, ExperimentDesignResult } from '../../engine/stats/experimentDesign.ts';
import { designExperiment, experimentPowerAt } from '../../engine/stats/experimentDesign.ts';
import type { MetricDesign } from '../../engine/stats/multiMetricDecision.ts';
import { ratioMetricSummary } from '../../engine/stats/ratioMetric.ts';
import type { UserAccrualModel, UserAccrualOptions } from '../../engine/stats/userAccrual.ts';
import { daysToReachUsers, linearDaysToReachUsers, uniqueUsersAfter, userAccrualModel } from '../../engine/stats/userAccrual.ts';
import { readNumber } from '../state/readNumber.ts';
import type { PowerPoint } from './sizerModel.ts';
import type { SizerState } from './sizerState.ts';

/** One guardrail as the form edits it (text as typed). */
export interface GuardrailRow {
  kind: 'proportion' | 'mean' | 'ratio';
  baseline: string;
  /** The margin: absolute, or with `relative` a percentage of the baseline (1 = 1 %). */
  margin: string;
  relative: boolean;
  /** Standard deviation per unit (mean and ratio guardrails). */
  sd: string;
  lowerIsBetter: boolean;
}

/** The row "Add guardrail" appends: an error rate of 2 % that may rise by at most 0.2 points. */
export const newGuardrailRow: GuardrailRow = {
  kind: 'proportion',
  baseline: '0.02',
  margin: '0.002',
  relative: false,
  sd: '',
  lowerIsBetter: true,
};

const KINDS = ['proportion', 'mean', 'ratio'] as const;

/**
 * Reads the `guardrails` field: rows separated by `;`, each as the CLI's
 * `KIND:BASELINE:MARGIN[%][:SD][:lower]`. Unknown kinds read as proportion (the form only offers the three).
 */
export function parseGuardrailRows(text: string): GuardrailRow[] {
  if (text.trim() === '') return [];
  return text.split(';').map((row) => {
    const parts = row.split(':');
    const lowerIsBetter = parts[parts.length - 1] === 'lower';
    if (lowerIsBetter) parts.pop();
    const [kind = '', baseline = '', margin = '', sd = ''] = parts;
    const relative = margin.endsWith('%');
    return {
      kind: (KINDS as readonly string[]).includes(kind) ? (kind as GuardrailRow['kind']) : 'proportion',
      baseline,
      margin: relative ? margin.slice(0, -1) : margin,
      relative,
      sd,
      lowerIsBetter,
    };
  });
}

/** One row in the CLI's `--guardrail` syntax (no SD for a rate). */
export function formatGuardrailRow(row: GuardrailRow): string {
  const parts = [row.kind, row.baseline, `${row.margin}${row.relative ? '%' : ''}`];
  if (row.kind !== 'proportion') parts.push(row.sd);
  if (row.lowerIsBetter) parts.push('lower');
  return parts.join(':');
}

/** Writes the rows back into the `guardrails` field. */
export function formatGuardrailRows(rows: readonly GuardrailRow[]): string {
  return rows.map(formatGuardrailRow).join(';');
}

/** Everything the design needs, read and checked from the form. */
export interface ExperimentSizerInputs {
  options: ExperimentDesignOptions;
  usersPerDay: number;
  /** Null: every user is new (linear accrual). */
  accrual: UserAccrualOptions | null;
  /** The success metric's per-unit standard deviation (a ratio's by the delta method); null for a rate. */
  standardDeviation: number | null;
  /** The same design as a `rollout-lab size` command line. */
  cliArgs: string[];
}

function openUnit(value: number, field: string): number {
  if (!(value > 0 && value < 1)) throw new RangeError(`${field} must be between 0 and 1 (exclusive), got ${value}`);
  return value;
}

function positive(value: number, field: string): number {
  if (!(value > 0)) throw new RangeError(`${field} must be a positive number, got ${value}`);
  return value;
}

/** The success metric's baseline and per-unit standard deviation, by its kind. */
function readSuccessMetric(state: SizerState): { baseline: number; standardDeviation: number | null } {
  if (state.metricKind === 'proportion')
    return { baseline: openUnit(readNumber(state.baseline, 'baseline'), 'baseline'), standardDeviation: null };
  if (state.metricKind === 'mean') {
    const spread = positive(
      readNumber(state.spread, state.spreadKind === 'sd' ? 'SD per unit' : 'variance per unit'),
      state.spreadKind === 'sd' ? 'SD per unit' : 'variance per unit',
    );
    return {
      baseline: readNumber(state.baseline, 'control mean'),
      standardDeviation: state.spreadKind === 'sd' ? spread : Math.sqrt(spread),
    };
  }
  // Ratio: the delta method on per-user moments (Deng, Knoblich & Lu 2018), through the engine's
  // ratioMetricSummary — a two-unit state whose (n − 1) moments are the given variances.
  const meanY = readNumber(state.numeratorMean, 'numerator mean per user');
  const meanX = positive(readNumber(state.denominatorMean, 'denominator mean per user'), 'denominator mean per user');
  const varianceY = readNumber(state.numeratorVariance, 'numerator variance per user');
  const varianceX = readNumber(state.denominatorVariance, 'denominator variance per user');
  const covariance = readNumber(state.covariance, 'covariance per user');
  if (!(varianceY >= 0)) throw new RangeError(`numerator variance per user must be ≥ 0, got ${varianceY}`);
  if (!(varianceX >= 0)) throw new RangeError(`denominator variance per user must be ≥ 0, got ${varianceX}`);
  if (covariance * covariance > varianceX * varianceY * (1 + 1e-12)) {
    throw new RangeError(
      `covariance per user must be at most √(variance x · variance y) = ${Math.sqrt(varianceX * varianceY)} in size, got ${covariance}`,
    );
  }
  const summary = ratioMetricSummary({ count: 2, meanX, meanY, m2X: varianceX, m2Y: varianceY, coMoment: covariance }, 'ratio');
  if (!(summary.perUnitVariance > 0)) throw new RangeError('the ratio has no variance per user: check the variances and the covariance');
  return { baseline: summary.ratio, standardDeviation: Math.sqrt(summary.perUnitVariance) };
}

function readGuardrail(row: GuardrailRow, index: number): MetricDesign {
  const label = `guardrail ${index + 1}`;
  const baseline = readNumber(row.baseline, `${label} baseline`);
  if (row.kind === 'proportion') openUnit(baseline, `${label} baseline`);
  const margin = positive(readNumber(row.margin, `${label} margin`), `${label} margin`);
  return {
    name: label,
    role: 'guardrail',
    kind: row.kind,
    baseline,
    margin: row.relative ? margin / 100 : margin,
    relative: row.relative,
    direction: row.lowerIsBetter ? 'lower-is-better' : 'higher-is-better',
    ...(row.kind === 'proportion' ? {} : { standardDeviation: positive(readNumber(row.sd, `${label} SD`), `${label} SD`) }),
  };
}

/**
 * Reads the form into a design, checking each field once with a message that names it. The
 * effect is resolved as the CLI resolves `--target`/`--lift` (target = baseline + effect or
 * baseline·(1 + lift), effect = |target − baseline|), so both compute with the same numbers.
 */
export function readExperimentInputs(state: SizerState): ExperimentSizerInputs {
  const { baseline, standardDeviation } = readSuccessMetric(state);
  const effect = readNumber(state.effect, 'minimum detectable effect');
  if (effect === 0) throw new RangeError('minimum detectable effect must be a non-zero number, got 0');
  const target = state.effectKind === 'relative' ? baseline * (1 + effect) : baseline + effect;
  if (state.metricKind === 'proportion') openUnit(target, 'target rate (baseline + effect)');
  const alpha = openUnit(readNumber(state.alpha, 'alpha'), 'alpha');
  const power = openUnit(readNumber(state.power, 'power'), 'power');
  const cupedCorrelation = readNumber(state.cupedR, 'CUPED correlation ρ');
  if (!(cupedCorrelation > -1 && cupedCorrelation < 1)) {
    throw new RangeError(`CUPED correlation ρ must be between -1 and 1 (exclusive), got ${cupedCorrelation}`);
  }
  const arms = readNumber(state.arms, 'number of arms');
  if (!(Number.isInteger(arms) && arms >= 2 && arms <= 10))
    throw new RangeError(`number of arms must be a whole number from 2 to 10, got ${state.arms}`);
  const guardrails = parseGuardrailRows(state.guardrails).map(readGuardrail);
  // The decision rule tests one-sided; without guardrails the form's choice holds.
  const sides = guardrails.length > 0 ? 1 : state.sides === '1' ? 1 : 2;
  const split =
    arms === 2 ? openUnit(readNumber(state.split, 'share of traffic to the candidate'), 'share of traffic to the candidate') : 0.5;
  const ratio = arms === 2 ? split / (1 - split) : undefined;
  const test = state.metricKind === 'proportion' ? 'z' : state.test;
  const success: MetricDesign = {
    name: 'success',
    role: 'success',
    kind: state.metricKind,
    baseline,
    minimumEffect: Math.abs(target - baseline),
    direction: target > baseline ? 'higher-is-better' : 'lower-is-better',
    cupedCorrelation,
    ...(standardDeviation === null ? {} : { standardDeviation }),
  };
  const usersPerDay = positive(readNumber(state.trafficPerDay, 'users per day'), 'users per day');
  let accrual: UserAccrualOptions | null = null;
  const heterogeneity = positive(readNumber(state.heterogeneity, 'heterogeneity k'), 'heterogeneity k');
  if (state.accrual === 'population') {
    const population = readNumber(state.population, 'population');
    if (!(population > usersPerDay)) throw new RangeError(`population must be above the users per day (${usersPerDay}), got ${population}`);
    accrual = { usersPerDay, population, heterogeneity };
  } else if (state.accrual === 'returning') {
    accrual = {
      usersPerDay,
      returningShare: openUnit(readNumber(state.returningShare, 'returning share'), 'returning share'),
      heterogeneity,
    };
  }
  const cliArgs = ['--metric', state.metricKind, '--baseline', String(baseline), '--target', String(target)];
  if (standardDeviation !== null) cliArgs.push('--sd', String(standardDeviation));
  // A plain rate design without guardrails would otherwise take the CLI's pooled-variance path.
  if (state.metricKind === 'proportion' && guardrails.length === 0) cliArgs.push('--method', 'normal');
  if (cupedCorrelation !== 0) cliArgs.push('--cuped-r', String(cupedCorrelation));
  if (test === 't') cliArgs.push('--t');
  if (arms > 2) cliArgs.push('--arms', String(arms));
  if (ratio !== undefined && ratio !== 1) cliArgs.push('--ratio', String(ratio));
  if (guardrails.length === 0 && sides === 1) cliArgs.push('--sides', '1');
  if (alpha !== 0.05) cliArgs.push('--alpha', String(alpha));
  if (power !== 0.8) cliArgs.push('--power', String(power));
  for (const row of parseGuardrailRows(state.guardrails)) cliArgs.push('--guardrail', formatGuardrailRow(row));
  cliArgs.push('--users-per-day', String(usersPerDay));
  if (accrual?.population !== undefined) cliArgs.push('--population', String(accrual.population));
  if (accrual?.returningShare !== undefined) cliArgs.push('--returning', String(accrual.returningShare));
  if (accrual !== null && heterogeneity !== 1) cliArgs.push('--heterogeneity', String(heterogeneity));
  return {
    options: { metrics: [success, ...guardrails], arms, alpha, power, sides, ...(ratio === undefined ? {} : { ratio }), test },
    usersPerDay,
    accrual,
    standardDeviation,
    cliArgs,
  };
}

/** The design's answer. */
export interface ExperimentSizing {
  design: ExperimentDesignResult;
  /** ⌈nTotal / users per day⌉: every user new. */
  linearDays: number;
  accrual: UserAccrualModel | null;
  /** With returning users; null when the population never reaches the sample. */
  accrualDays: number | null;
}

/** Sizes the design and its duration. Throws a `RangeError` naming the input when the engine refuses one. */
export function sizeExperiment(inputs: ExperimentSizerInputs): ExperimentSizing {
  const design = designExperiment(inputs.options);
  const accrual = inputs.accrual && userAccrualModel(inputs.accrual);
  return {
    design,
    linearDays: linearDaysToReachUsers(design.nTotal, inputs.usersPerDay),
    accrual,
    accrualDays: accrual && daysToReachUsers(accrual, design.nTotal),
  };
}

/** Users in the whole test after `days` days: U(d) with returning users, else users per day × d. */
function usersAfter(inputs: ExperimentSizerInputs, sizing: ExperimentSizing, days: number): number {
  return sizing.accrual ? uniqueUsersAfter(sizing.accrual, days) : inputs.usersPerDay * days;
}

/**
 * Each metric's power against the users in the whole test (control share × users in control), from
 * 1/`points` of twice the need to twice the need. `experimentPowerAt`, O(points × metrics).
 */
export function metricPowerAgainstUsers(inputs: ExperimentSizerInputs, sizing: ExperimentSizing, points = 40): PowerPoint[] {
  const top = 2 * sizing.design.nTotal;
  const curve: PowerPoint[] = [];
  for (let k = 1; k <= points; k++) {
    const users = (top * k) / points;
    for (const { name, power } of experimentPowerAt(inputs.options, users * sizing.design.shares[0]))
      curve.push({ method: name, x: users, power });
  }
  return curve;
}

/** The days the plots span: twice the need (with returning users when modelled), at least 14. */
export function plottedDays(sizing: ExperimentSizing): number {
  const need = sizing.accrual ? (sizing.accrualDays ?? 4 * sizing.linearDays) : sizing.linearDays;
  return Math.max(14, 2 * need);
}

/** Each metric's power against the days of the test, the users after d days from the accrual. O(points × metrics). */
export function metricPowerAgainstDays(inputs: ExperimentSizerInputs, sizing: ExperimentSizing, points = 60): PowerPoint[] {
  const longest = plottedDays(sizing);
  const step = Math.max(1, Math.ceil(longest / points));
  const curve: PowerPoint[] = [];
  for (let day = step; day <= longest; day += step) {
    const users = usersAfter(inputs, sizing, day);
    for (const { name, power } of experimentPowerAt(inputs.options, users * sizing.design.shares[0]))
      curve.push({ method: name, x: day, power });
  }
  return curve;
}

/** One point of the accrual chart. */
export interface AccrualPoint {
  day: number;
  users: number;
  model: string;
}

/** Labels of the accrual chart's two curves. */
export const accrualModelNames = { returning: 'Distinct users (returning users)', linear: 'Users per day × days (every user new)' };

/**
 * Distinct users against the days (and the linear count beside it), day 0 to `plottedDays`; the
 * linear count stops once past twice the need (or the population), so that it does not flatten the
 * curve that matters. O(days).
 */
export function accrualCurve(inputs: ExperimentSizerInputs, sizing: ExperimentSizing): AccrualPoint[] {
  const longest = plottedDays(sizing);
  const step = Math.max(1, Math.ceil(longest / 80));
  const ceiling = 2 * Math.max(sizing.design.nTotal, sizing.accrual?.population ?? 0);
  const points: AccrualPoint[] = [];
  for (let day = 0; day <= longest; day += step) {
    if (sizing.accrual) points.push({ day, users: uniqueUsersAfter(sizing.accrual, day), model: accrualModelNames.returning });
    const linear = inputs.usersPerDay * day;
    if (linear <= ceiling) points.push({ day, users: linear, model: accrualModelNames.linear });
  }
  return points;
}

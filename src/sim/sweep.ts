/**
 * Parameter sweeps: the operating characteristics of a policy family. For each setting of one
 * or two policy parameters (for example error-ratio threshold × check interval) the policy is
 * simulated on one or more scenarios with common random numbers (the same seed, so every
 * setting sees the same streams), and the summaries of the scenarios are merged: a healthy
 * scenario contributes the false-rollback rate, a regression scenario the missed-regression rate,
 * so one row shows the trade-off (DESIGN.md §4).
 */

import { durationSeconds } from '../engine/policy/duration.ts';
import { formatPolicyError, parsePolicy } from '../engine/policy/parsePolicy.ts';
import type { Duration, Policy } from '../engine/policy/policy.ts';
import type { PolicyKnob } from '../engine/policy/policyKnobs.ts';
import { isPolicyKnob, knobChoices, knobKind, knobValue, policyKnobs, ruleKnobTarget, withKnob } from '../engine/policy/policyKnobs.ts';
import type { ProgressCallback } from './runner.ts';
import { prepareSimulation, runReplicates } from './runner.ts';
import type { Scenario } from './scenario.ts';
import type { SimulationSummary, SummaryState } from './summary.ts';
import { initSummary, mergeSummaries, summaryValue } from './summary.ts';
import type { FidelityMode } from './windowRequest.ts';

/**
 * The sweep's own parameter names — what `rollout-lab sweep --param NAME=…` takes and the keys of
 * its rows' `setting` — and the policy knob (`PolicyKnob`, the engine's one vocabulary) each
 * turns. The names are kept because they are the CLI's published interface and JSON; a sweep
 * also takes any knob by its own name (`latencyP99.maxRatio`, `errorRate.max`, `ab.traffic`, …).
 */
export const sweepParameterKnobs = {
  errorRatio: 'errorRate.maxRatio',
  p95Ratio: 'latencyP95.maxRatio',
  p50Ratio: 'latencyP50.maxRatio',
  timeoutRatio: 'timeoutRate.maxRatio',
  checkInterval: 'checkInterval',
  failureLimit: 'guards.failureLimit',
  minRequests: 'guards.minRequests',
  canaryDuration: 'canary.minDuration',
  alpha: 'alpha',
} as const satisfies Record<string, PolicyKnob>;

/** A sweep's parameter name (see `sweepParameterKnobs`). */
export type SweepParameter = keyof typeof sweepParameterKnobs;

/** The sweep's parameter names, in the order the CLI lists them. */
export const sweepParameters = Object.keys(sweepParameterKnobs) as SweepParameter[];

/** One swept parameter and the values it takes (numbers; durations may be strings like "5m"). */
export interface ParameterRange {
  /** A sweep parameter name, or a policy knob's own name. */
  name: SweepParameter | PolicyKnob;
  values: (number | string)[];
}

/** One row of the operating-characteristics table. */
export interface SweepRow {
  /** The setting: parameter name → value. */
  setting: Record<string, number | string>;
  /** The merged summary state of the setting (mergeable with other shards' states). */
  state: SummaryState;
  summary: SimulationSummary;
}

/** The knob a sweep parameter or knob name turns; undefined for an unknown name. */
export function sweepKnob(name: string): PolicyKnob | undefined {
  if (Object.hasOwn(sweepParameterKnobs, name)) return sweepParameterKnobs[name as SweepParameter];
  return isPolicyKnob(name) ? name : undefined;
}

function numeric(name: string, value: number | string): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) throw new RangeError(`${name} must be a number, got ${JSON.stringify(value)}`);
  return number;
}

function duration(name: string, value: number | string): Duration {
  if (durationSeconds(value) === undefined)
    throw new RangeError(`${name} must be seconds or a duration like "5m", got ${JSON.stringify(value)}`);
  return value;
}

function choice(name: string, value: number | string, choices: readonly string[]): string {
  if (typeof value !== 'string' || !choices.includes(value))
    throw new RangeError(`${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

/** What must be in the policy for `knob` to vary anything, in words; null when nothing is needed. */
function missingCarrier(knob: PolicyKnob): string | null {
  const target = ruleKnobTarget(knob);
  if (target !== null) return `${target.type} rule on ${target.metric} to vary`;
  if (knob === 'canary.minDuration') return 'canary stage';
  if (knob.startsWith('ab.')) return 'A/B stage';
  if (knob === 'guards.failureWindow') return "failureCounting 'mOfN' whose window";
  return null;
}

/**
 * A copy of `policy` with parameter `name` (a sweep name or a knob's own name, see
 * `sweepParameterKnobs`) set to `value` everywhere it applies (`withKnob`): e.g. errorRatio →
 * `maxRatio` of every ratio rule on the error rate (canary and full rules, A/B guardrails);
 * checkInterval → every stage's check interval; failureLimit / minRequests → the policy's guards
 * (and every stage's own guards), as do the counting knobs (`guards.failureCounting` takes
 * 'consecutive', 'total' or 'mOfN', `guards.failureWindow` an mOfN policy's N); canaryDuration → every canary stage's minimum duration (its
 * maximum raised to match if needed); alpha → every statistical rule's α and every A/B test's α.
 * RangeError when the value is not a number (or duration, or one of a choice knob's words), when the policy has nothing the
 * parameter turns, or when the result is invalid (`parsePolicy`'s problems listed). O(policy).
 */
export function withParameter(policy: Policy, name: SweepParameter | PolicyKnob, value: number | string): Policy {
  const knob = sweepKnob(name);
  if (knob === undefined) {
    throw new RangeError(
      `unknown sweep parameter '${String(name)}' (one of ${sweepParameters.join(', ')}, or a policy knob: ${policyKnobs.join(', ')})`,
    );
  }
  const kind = knobKind(knob);
  const checked =
    kind === 'duration' ? duration(name, value) : kind === 'choice' ? choice(name, value, knobChoices(knob)) : numeric(name, value);
  const needs = missingCarrier(knob);
  if (needs !== null && knobValue(policy, knob) === undefined) throw new RangeError(`${name}: the policy has no ${needs}`);
  const parsed = parsePolicy(withKnob(policy, knob, checked));
  if (!parsed.ok) throw new RangeError(`${name} = ${value} makes the policy invalid: ${parsed.errors.map(formatPolicyError).join('; ')}`);
  return parsed.policy;
}

/** Options of `sweep`. */
export interface SweepOptions {
  replicates: number;
  seed: number | string;
  mode?: FidelityMode;
  /** Called after each (setting, scenario) run with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Per-replicate progress inside one run. */
  onReplicates?: ProgressCallback;
  /** Run only replicates [from, to) of every (setting, scenario) — one shard (default all). */
  from?: number;
  to?: number;
}

/** One simulation of a sweep: a setting's policy on one scenario, replicates [from, to). */
export interface SweepCell {
  scenario: Scenario;
  policy: Policy;
  mode: FidelityMode;
  seed: number | string;
  from: number;
  to: number;
}

/**
 * Simulates every setting of one or two parameters (their cartesian product, first parameter
 * outermost) on every scenario, with the same seed (common random numbers), merging the
 * scenarios' summaries per setting, in this thread. Cost: settings × scenarios × replicates replicates.
 */
export function sweep(
  scenarios: readonly Scenario[],
  policy: Policy,
  ranges: readonly ParameterRange[],
  options: SweepOptions,
): SweepRow[] {
  const { settings, cells } = sweepCells(scenarios, policy, ranges, options);
  let done = 0;
  const states = cells.map((row) =>
    row.map((cell) => {
      const state = runReplicates(
        prepareSimulation(cell.scenario, cell.policy, cell.mode, cell.seed),
        cell.from,
        cell.to,
        options.onReplicates,
      );
      options.onProgress?.(++done, cells.length * row.length);
      return state;
    }),
  );
  return sweepRows(settings, states);
}

/**
 * `sweep` with each cell simulated by `run` (e.g. on the CLI's worker threads), one cell after
 * another: the same rows as `sweep` when `run` returns `runReplicates`' state for the cell.
 */
export async function sweepWith(
  scenarios: readonly Scenario[],
  policy: Policy,
  ranges: readonly ParameterRange[],
  options: SweepOptions,
  run: (cell: SweepCell) => Promise<SummaryState>,
): Promise<SweepRow[]> {
  const { settings, cells } = sweepCells(scenarios, policy, ranges, options);
  let done = 0;
  const states: SummaryState[][] = [];
  for (const row of cells) {
    const rowStates: SummaryState[] = [];
    for (const cell of row) {
      rowStates.push(await run(cell));
      options.onProgress?.(++done, cells.length * row.length);
    }
    states.push(rowStates);
  }
  return sweepRows(settings, states);
}

/** Per setting, the scenarios' states merged in scenario order, and the summary. */
function sweepRows(settings: Record<string, number | string>[], states: SummaryState[][]): SweepRow[] {
  return settings.map((setting, i) => {
    const state = initSummary();
    for (const cell of states[i]) mergeSummaries(state, cell);
    return { setting, state, summary: summaryValue(state) };
  });
}

/** The settings of a sweep and, per setting, one cell per scenario (checks the inputs; builds every policy first). */
export function sweepCells(
  scenarios: readonly Scenario[],
  policy: Policy,
  ranges: readonly ParameterRange[],
  options: SweepOptions,
): { settings: Record<string, number | string>[]; cells: SweepCell[][] } {
  if (scenarios.length === 0) throw new RangeError('scenarios must hold at least one scenario');
  if (ranges.length < 1 || ranges.length > 2) throw new RangeError(`a sweep varies one or two parameters, got ${ranges.length}`);
  ranges.forEach((range, i) => {
    if (range.values.length === 0) throw new RangeError(`parameters[${i}] (${range.name}) must have at least one value`);
  });
  if (ranges.length === 2 && ranges[0].name === ranges[1].name)
    throw new RangeError(`the two swept parameters must differ, got ${ranges[0].name} twice`);
  const settings: Record<string, number | string>[] = [];
  for (const first of ranges[0].values) {
    if (ranges.length === 1) settings.push({ [ranges[0].name]: first });
    else for (const second of ranges[1].values) settings.push({ [ranges[0].name]: first, [ranges[1].name]: second });
  }
  // Build every policy first, so that an invalid setting fails before any simulation runs.
  const policies = settings.map((setting) =>
    Object.entries(setting).reduce((current, [name, value]) => withParameter(current, name as SweepParameter | PolicyKnob, value), policy),
  );
  const from = options.from ?? 0;
  const to = options.to ?? options.replicates;
  const mode = options.mode ?? 'window';
  return {
    settings,
    cells: policies.map((cellPolicy) =>
      scenarios.map((scenario) => ({ scenario, policy: cellPolicy, mode, seed: options.seed, from, to })),
    ),
  };
}

/**
 * Parameter sweeps: the operating characteristics of a policy family. For each setting of one
 * or two policy parameters (for example error-ratio threshold × check interval) the policy is
 * simulated on one or more scenarios with common random numbers (the same seed, so every
 * setting sees the same streams), and the summaries of the scenarios are merged: a healthy
 * scenario contributes the false-rollback rate, a regression scenario the missed-regression rate,
 * so one row shows the trade-off (DESIGN.md §4).
 */
import type { Duration, HealthMetric, HealthRule, Policy, Stage } from '../engine/policy/policy.ts';
import { parsePolicy, formatPolicyError } from '../engine/policy/parsePolicy.ts';
import { durationSeconds } from '../engine/policy/duration.ts';
import type { Scenario } from './scenario.ts';
import { prepareSimulation, runReplicates } from './runner.ts';
import type { ProgressCallback } from './runner.ts';
import { initSummary, mergeSummaries, summaryValue } from './summary.ts';
import type { SimulationSummary, SummaryState } from './summary.ts';
import type { FidelityMode } from './windowRequest.ts';

/** The policy parameters a sweep can vary, in the user's words. */
export const sweepParameters = [
  'errorRatio',
  'p95Ratio',
  'p50Ratio',
  'timeoutRatio',
  'checkInterval',
  'failureLimit',
  'minRequests',
  'canaryDuration',
  'alpha',
] as const;

/** A sweepable parameter name. */
export type SweepParameter = (typeof sweepParameters)[number];

/** One swept parameter and the values it takes (numbers; durations may be strings like "5m"). */
export interface ParameterRange {
  name: SweepParameter;
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

const ratioMetric: Partial<Record<SweepParameter, HealthMetric>> = {
  errorRatio: 'errorRate',
  p95Ratio: 'latencyP95',
  p50Ratio: 'latencyP50',
  timeoutRatio: 'timeoutRate',
};

function numeric(name: string, value: number | string): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) throw new RangeError(`${name} must be a number, got ${JSON.stringify(value)}`);
  return number;
}

function duration(name: string, value: number | string): Duration {
  if (durationSeconds(value) === undefined) throw new RangeError(`${name} must be seconds or a duration like "5m", got ${JSON.stringify(value)}`);
  return value;
}

function mapRules(rules: HealthRule[], change: (rule: HealthRule) => HealthRule): HealthRule[] {
  return rules.map(change);
}

/**
 * A copy of `policy` with parameter `name` set to `value` everywhere it applies:
 * errorRatio/p95Ratio/p50Ratio/timeoutRatio → `maxRatio` of every ratio rule on that metric
 * (canary and full rules, A/B guardrails); checkInterval → every stage's check interval;
 * failureLimit / minRequests → the policy's guards (and every stage's own guards);
 * canaryDuration → every canary stage's minimum duration (its maximum raised to match if needed);
 * alpha → every statistical rule's α and every A/B test's α. The result is checked with
 * `parsePolicy` (RangeError listing the problems if the setting makes it invalid). O(policy).
 */
export function withParameter(policy: Policy, name: SweepParameter, value: number | string): Policy {
  const copy = JSON.parse(JSON.stringify(policy)) as Policy;
  const metric = ratioMetric[name];
  const eachStage = (change: (stage: Stage) => void) => copy.stages.forEach(change);
  if (metric !== undefined) {
    const maxRatio = numeric(name, value);
    let found = false;
    const change = (rule: HealthRule): HealthRule => {
      if (rule.type === 'ratio' && rule.metric === metric) {
        found = true;
        return { ...rule, maxRatio };
      }
      return rule;
    };
    eachStage((stage) => {
      if (stage.kind === 'canary' || stage.kind === 'full') stage.rules = mapRules(stage.rules, change);
      if (stage.kind === 'ab') stage.guardrails = mapRules(stage.guardrails, change);
    });
    if (!found) throw new RangeError(`${name}: the policy has no ratio rule on ${metric} to vary`);
  } else if (name === 'checkInterval') {
    const interval = duration(name, value);
    eachStage((stage) => {
      if (stage.kind !== 'promote') stage.checkInterval = interval;
    });
  } else if (name === 'failureLimit' || name === 'minRequests') {
    const number = numeric(name, value);
    copy.guards = { ...copy.guards, [name]: number };
    eachStage((stage) => {
      if (stage.kind !== 'promote' && stage.guards) stage.guards = { ...stage.guards, [name]: number };
    });
  } else if (name === 'canaryDuration') {
    const minDuration = duration(name, value);
    let found = false;
    eachStage((stage) => {
      if (stage.kind !== 'canary') return;
      found = true;
      stage.minDuration = minDuration;
      const max = stage.maxDuration === undefined ? undefined : durationSeconds(stage.maxDuration);
      if (max !== undefined && max < (durationSeconds(minDuration) as number)) stage.maxDuration = minDuration;
    });
    if (!found) throw new RangeError('canaryDuration: the policy has no canary stage');
  } else if (name === 'alpha') {
    const alpha = numeric(name, value);
    eachStage((stage) => {
      const change = (rule: HealthRule): HealthRule => (rule.type === 'statistical' ? { ...rule, alpha } : rule);
      if (stage.kind === 'canary' || stage.kind === 'full') stage.rules = mapRules(stage.rules, change);
      if (stage.kind === 'ab') {
        stage.guardrails = mapRules(stage.guardrails, change);
        stage.test = { ...stage.test, alpha };
      }
    });
  } else {
    throw new RangeError(`unknown sweep parameter '${String(name)}' (one of ${sweepParameters.join(', ')})`);
  }
  const parsed = parsePolicy(copy);
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
export function sweep(scenarios: readonly Scenario[], policy: Policy, ranges: readonly ParameterRange[], options: SweepOptions): SweepRow[] {
  const { settings, cells } = sweepCells(scenarios, policy, ranges, options);
  let done = 0;
  const states = cells.map((row) =>
    row.map((cell) => {
      const state = runReplicates(prepareSimulation(cell.scenario, cell.policy, cell.mode, cell.seed), cell.from, cell.to, options.onReplicates);
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
function sweepCells(
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
  if (ranges.length === 2 && ranges[0].name === ranges[1].name) throw new RangeError(`the two swept parameters must differ, got ${ranges[0].name} twice`);
  const settings: Record<string, number | string>[] = [];
  for (const first of ranges[0].values) {
    if (ranges.length === 1) settings.push({ [ranges[0].name]: first });
    else for (const second of ranges[1].values) settings.push({ [ranges[0].name]: first, [ranges[1].name]: second });
  }
  // Build every policy first, so that an invalid setting fails before any simulation runs.
  const policies = settings.map((setting) =>
    Object.entries(setting).reduce((current, [name, value]) => withParameter(current, name as SweepParameter, value), policy),
  );
  const from = options.from ?? 0;
  const to = options.to ?? options.replicates;
  const mode = options.mode ?? 'window';
  return { settings, cells: policies.map((cellPolicy) => scenarios.map((scenario) => ({ scenario, policy: cellPolicy, mode, seed: options.seed, from, to }))) };
}

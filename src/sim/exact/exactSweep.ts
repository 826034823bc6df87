/**
 * A sweep answered exactly: for every setting of one or two policy parameters (the settings and
 * policies of `sweep`, src/sim/sweep.ts), each scenario evaluated by `evaluateExact` and the
 * scenarios' tallies merged per setting — as the Monte-Carlo sweep merges its scenarios' summary
 * states with equal replicates, so a healthy and a regressed scenario give one row with both the
 * false-rollback and the missed-regression rate. When any (setting, scenario) has no exact form,
 * the whole sweep is refused with the features, for the caller to simulate it instead (a table
 * half exact and half sampled would read as one kind of number).
 */
import type { Policy } from '../../engine/policy/policy.ts';
import type { Scenario } from '../scenario.ts';
import type { ParameterRange } from '../sweep.ts';
import { sweepCells } from '../sweep.ts';
import type { ExactOptions } from './evaluateExact.ts';
import { evaluateExactSettings } from './evaluateExact.ts';
import type { ExactSummary, ExactTally } from './exactTally.ts';
import { emptyTally, exactSummary, mergeTally } from './exactTally.ts';

/** One exact row: the setting, its merged tally and summary. */
export interface ExactSweepRow {
  setting: Record<string, number | string>;
  tally: ExactTally;
  summary: ExactSummary;
  /** The most nodes of a historical baseline's law any of its scenarios' answers used (`ExactResult.baselineNodes`). */
  baselineNodes: number;
}

/**
 * The rows (with the approximations any evaluation made, `ExactResult.approximations`, without
 * repeats), or the features that need simulation (with the setting that met them first).
 */
export type ExactSweepResult =
  | { supported: true; rows: ExactSweepRow[]; approximations: string[] }
  | { supported: false; features: string[] };

/**
 * Evaluates every setting × scenario exactly (module comment). Throws a RangeError when a setting
 * makes the policy invalid (as `sweep`). Cost: per scenario one vector chain run over the settings
 * that share the chain's structure (`evaluateExactSettings`: a threshold sweep is one run per
 * scenario); the refusal reported is the first in (setting, scenario) order, as if evaluated one by one.
 */
export function exactSweep(
  scenarios: readonly Scenario[],
  policy: Policy,
  ranges: readonly ParameterRange[],
  options: ExactOptions = {},
): ExactSweepResult {
  const { settings, cells } = sweepCells(scenarios, policy, ranges, { replicates: 1, seed: 0 });
  // Per scenario, every setting at once (cells[i][j] is setting i in scenario j).
  const answers = scenarios.map((_, j) =>
    evaluateExactSettings(
      cells[0][j].scenario,
      cells.map((row) => row[j].policy),
      options,
    ),
  );
  const rows: ExactSweepRow[] = [];
  const approximations = new Set<string>();
  for (let i = 0; i < settings.length; i++) {
    const tally = emptyTally();
    let baselineNodes = 1;
    for (let j = 0; j < scenarios.length; j++) {
      const result = answers[j][i];
      if (!result.supported) return { supported: false, features: result.features };
      for (const note of result.approximations) approximations.add(note);
      mergeTally(tally, result.tally);
      baselineNodes = Math.max(baselineNodes, result.baselineNodes);
    }
    rows.push({ setting: settings[i], tally, summary: exactSummary(tally), baselineNodes });
  }
  return { supported: true, rows, approximations: [...approximations] };
}

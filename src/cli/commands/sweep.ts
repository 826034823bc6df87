/**
 * `rollout-lab sweep SCENARIO.json [MORE.json …] --param NAME=V1,V2,… [--param NAME=…]
 * [--policy POLICY.json] [--replicates N] [--seed S] [--mode window|request] [--workers N] [--json]`:
 * the operating-characteristics table of a policy family — false-rollback against
 * missed-regression rate for every setting of one or two parameters, simulated with common
 * random numbers. Give a healthy and a regression scenario to see both rates in each row.
 * Each (setting, scenario) runs on worker threads (`--workers`, default the machine's
 * parallelism when the sweep simulates at least 2,000 replicates), with the same result as in
 * one thread.
 * With `--mode exact` every (setting, scenario) is evaluated exactly (src/sim/exact/exactSweep.ts):
 * the same rows, `"mode": "exact"`, `"fallback": []`, the `"approximations"` any row made (also
 * printed under the table); when a setting has no exact form the whole
 * sweep falls back to the windowed mode and says which features forced it.
 */

import { createNodeSimulationPool } from '../../../workers/nodePool.ts';
import { incompleteRunError } from '../../../workers/pool.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import type { PolicyKnob } from '../../engine/policy/policyKnobs.ts';
import { exactSweep } from '../../sim/exact/exactSweep.ts';
import type { Scenario } from '../../sim/scenario.ts';
import type { ParameterRange, SweepParameter } from '../../sim/sweep.ts';
import { sweep, sweepKnob, sweepParameters, sweepWith } from '../../sim/sweep.ts';
import type { FidelityMode } from '../../sim/windowRequest.ts';
import { choiceOption, numberOption, parseCommandArgs, seedOption, UsageError } from '../args.ts';
import { exactSweepTableText } from '../exactSummaryText.ts';
import { InvalidFileError, loadPolicy, loadScenario, reportInvalidFile } from '../files.ts';
import type { CliIo, Command } from '../io.ts';
import { writeJson } from '../io.ts';
import { contentHash, partialResult, shardOptions, shardRange, writePartialResult } from '../shard.ts';
import { sweepTableText } from '../summaryText.ts';
import { workersOption } from '../workersOption.ts';

/** Parses `NAME=V1,V2,…` into a parameter range (numbers stay numbers, durations strings). */
export function parseParameter(text: string): ParameterRange {
  const match = /^([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)?)=(.+)$/.exec(text.trim());
  if (!match) throw new UsageError(`--param must look like NAME=V1,V2 (e.g. errorRatio=1.5,2,3), got '${text}'`);
  const [, name, list] = match;
  if (sweepKnob(name) === undefined) {
    throw new UsageError(
      `--param ${name}: unknown parameter (one of ${sweepParameters.join(', ')}, or a policy knob such as latencyP99.maxRatio)`,
    );
  }
  const values = list.split(',').map((value) => value.trim());
  if (values.some((value) => value === '')) throw new UsageError(`--param ${name}: empty value in '${list}'`);
  return {
    name: name as SweepParameter | PolicyKnob,
    values: values.map((value) => (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(value) ? Number(value) : value)),
  };
}

/** `rollout-lab sweep`. */
export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'operating characteristics: false-rollback vs missed-regression rate over one or two policy parameters',
  usage: `sweep SCENARIO.json [MORE.json …] --param NAME=V1,V2 [--param NAME=…] [--policy POLICY.json] [--replicates N] [--seed S] [--mode window|request|exact] [--workers N] [--progress] [--json] [--shard k/N --out PART.json]   (NAME: ${sweepParameters.join(', ')})`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseCommandArgs(
      argv,
      {
        param: { type: 'string', multiple: true },
        policy: { type: 'string' },
        replicates: { type: 'string' },
        seed: { type: 'string' },
        mode: { type: 'string' },
        progress: { type: 'boolean' },
        shard: { type: 'string' },
        out: { type: 'string' },
        workers: { type: 'string' },
      },
      16,
    );
    const shard = shardOptions(args.values.shard as string | undefined, args.values.out as string | undefined);
    const files = args.positionals;
    if (files.length === 0) throw new UsageError('at least one scenario file is required');
    const rawParams = (args.values.param as string[] | undefined) ?? [];
    if (rawParams.length === 0) throw new UsageError('--param is required (e.g. --param errorRatio=1.5,2,3)');
    if (rawParams.length > 2) throw new UsageError(`--param may be given once or twice, got ${rawParams.length} times`);
    const ranges = rawParams.map(parseParameter);
    if (ranges.length === 2 && ranges[0].name === ranges[1].name) throw new UsageError(`--param ${ranges[0].name} is given twice`);
    const replicates = numberOption(args, 'replicates', { default: 1000, min: 1, max: 1e9, integer: true });
    const seed = seedOption(args) ?? 1;
    const requestedMode = choiceOption<FidelityMode | 'exact'>(args, 'mode', ['window', 'request', 'exact'], 'window');
    if (requestedMode === 'exact' && shard)
      throw new UsageError('--mode exact samples nothing: there are no replicates to split with --shard');
    const mode: FidelityMode = requestedMode === 'exact' ? 'window' : requestedMode;
    let scenarios: Scenario[];
    let policy: Policy;
    try {
      scenarios = files.map(loadScenario);
      policy = loadPolicy(args.values.policy as string | undefined, scenarios[0], files[0]);
    } catch (error) {
      if (error instanceof InvalidFileError) return reportInvalidFile(io, 'sweep', error);
      throw error;
    }
    // --mode exact: every row exact, or the features that send the sweep back to Monte-Carlo.
    let fallback: { fallback: string[] } | Record<string, never> = {};
    if (requestedMode === 'exact') {
      let exact;
      try {
        exact = exactSweep(scenarios, policy, ranges);
      } catch (error) {
        if (error instanceof RangeError) throw new UsageError(error.message);
        throw error;
      }
      if (exact.supported) {
        const heading = {
          scenarios: scenarios.map((scenario) => scenario.name),
          policy: policy.name ?? null,
          parameters: ranges.map((parameter) => parameter.name),
        };
        if (args.values.json)
          writeJson(io, {
            ...heading,
            mode: 'exact',
            fallback: [],
            approximations: exact.approximations,
            rows: exact.rows.map((row) => ({ ...row.setting, ...row.summary, baselineNodes: row.baselineNodes })),
          });
        else io.stdout.write(exactSweepTableText(heading, exact.rows, exact.approximations));
        return 0;
      }
      fallback = { fallback: exact.features };
      io.stderr.write(`rollout-lab sweep: no exact answer (${exact.features.join('; ')}): falling back to the windowed Monte-Carlo mode\n`);
    }
    const showProgress = args.values.progress === true || (io.stderr as { isTTY?: boolean }).isTTY === true;
    const range = shard ? shardRange(replicates, shard.shard) : { from: 0, to: replicates };
    const settingCount = ranges.reduce((product, parameter) => product * parameter.values.length, 1);
    const planned = settingCount * scenarios.length * (range.to - range.from);
    const workers = workersOption(args, planned);
    const pool = workers > 1 ? createNodeSimulationPool(workers) : null;
    let rows;
    try {
      const options = {
        replicates,
        seed,
        mode,
        from: range.from,
        to: range.to,
        onProgress: showProgress
          ? (done: number, total: number) => io.stderr.write(`\r${done}/${total} simulations${done === total ? '\n' : ''}`)
          : undefined,
      };
      rows = pool
        ? await sweepWith(scenarios, policy, ranges, options, async (cell) => {
            const result = await pool.run(
              { scenario: cell.scenario, policy: cell.policy, mode: cell.mode, seed: cell.seed, firstReplicate: cell.from },
              { replicates: cell.to - cell.from },
            );
            if (result.status !== 'complete') throw incompleteRunError(result);
            return result.merged;
          })
        : sweep(scenarios, policy, ranges, options);
    } catch (error) {
      // A setting the policy cannot take (no such rule, an invalid value) is a usage problem.
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    } finally {
      pool?.terminate();
    }
    const output = {
      scenarios: scenarios.map((scenario) => scenario.name),
      policy: policy.name ?? null,
      parameters: ranges.map((parameter) => parameter.name),
      mode,
      seed,
      replicates,
    };
    if (shard) {
      const request = {
        parameters: rawParams,
        mode,
        seed,
        replicates,
        scenariosPerCell: scenarios.length,
        scenarioHashes: scenarios.map(contentHash),
        policyHash: contentHash(policy),
      };
      const cells = rows.map((row) => ({
        key: Object.entries(row.setting)
          .map(([name, value]) => `${name}=${value}`)
          .join(','),
        label: row.setting,
        state: row.state,
      }));
      writePartialResult(shard.out, partialResult('sweep', request, output, shard.shard, cells));
      io.stdout.write(
        `shard ${shard.shard.index}/${shard.shard.count}: replicates [${range.from}, ${range.to}) of ${replicates} for ${rows.length} settings → ${shard.out}\n`,
      );
      return 0;
    }
    if (args.values.json) {
      writeJson(io, { ...output, ...fallback, rows: rows.map((row) => ({ ...row.setting, ...row.summary })) });
      return 0;
    }
    io.stdout.write(sweepTableText(output, rows));
    return 0;
  },
};

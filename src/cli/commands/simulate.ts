/**
 * `rollout-lab simulate SCENARIO.json [--policy POLICY.json] --replicates N --seed S
 * [--mode request|window] [--json] [--progress] [--shard k/N --out PART.json]`: how often a policy rolls back a healthy
 * candidate, promotes a worse one, and how fast it catches a regression, by Monte-Carlo
 * simulation of the scenario with the real engine (src/sim). With `--shard k/N --out PART.json`
 * it runs only its share of the replicates and writes a partial result (src/cli/shard.ts) that
 * `rollout-lab merge` combines into exactly the unsharded result.
 * With `--mode exact` the same record is computed without sampling (src/sim/exact/): exact rates,
 * no seed, `"mode": "exact"`, `"fallback": []` and the `"approximations"` it made (printed under
 * the text form too: the A/B test's normal law, abTestLaw.ts) in --json; when the scenario or policy uses a
 * feature with no exact form, the command says which on stderr and falls back to the windowed
 * Monte-Carlo mode (`"mode": "window"`, `"fallback": [the features]`).
 * Scenario and policy files are read by src/cli/files.ts: every problem is listed by JSON path
 * and the command exits with code 2.
 */

import { runSimulationInWorkers } from '../../../workers/nodePool.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { evaluateExact } from '../../sim/exact/evaluateExact.ts';
import { prepareSimulation, runReplicates } from '../../sim/runner.ts';
import type { Scenario } from '../../sim/scenario.ts';
import type { SimulationSummary } from '../../sim/summary.ts';
import { summaryValue } from '../../sim/summary.ts';
import type { FidelityMode } from '../../sim/windowRequest.ts';
import { choiceOption, numberOption, parseCommandArgs, seedOption, UsageError } from '../args.ts';
import { exactSummaryText } from '../exactSummaryText.ts';
import { InvalidFileError, loadPolicy, loadScenario, reportInvalidFile } from '../files.ts';
import type { CliIo, Command } from '../io.ts';
import { writeJson } from '../io.ts';
import { progressBar } from '../progressBar.ts';
import { contentHash, partialResult, shardOptions, shardRange, writePartialResult } from '../shard.ts';
import { simulationSummaryText } from '../summaryText.ts';
import { workersOption } from '../workersOption.ts';

/** `rollout-lab simulate`. */
export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Monte-Carlo simulation of a rollout policy on a scenario: false-rollback and missed-regression rates with intervals',
  usage:
    'simulate SCENARIO.json [--policy POLICY.json] [--replicates N] [--seed S] [--mode window|request|exact] [--workers N] [--progress] [--json] [--shard k/N --out PART.json]',
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseCommandArgs(
      argv,
      {
        policy: { type: 'string' },
        replicates: { type: 'string' },
        seed: { type: 'string' },
        mode: { type: 'string' },
        progress: { type: 'boolean' },
        workers: { type: 'string' },
        shard: { type: 'string' },
        out: { type: 'string' },
      },
      1,
    );
    const shard = shardOptions(args.values.shard as string | undefined, args.values.out as string | undefined);
    const file = args.positionals[0];
    if (file === undefined) throw new UsageError('a scenario file is required (e.g. scenarios/identical-candidate.json)');
    const replicates = numberOption(args, 'replicates', { default: 1000, min: 1, max: 1e9, integer: true });
    const givenSeed = seedOption(args);
    const requestedMode = choiceOption<FidelityMode | 'exact'>(args, 'mode', ['window', 'request', 'exact'], 'window');
    if (requestedMode === 'exact' && shard)
      throw new UsageError('--mode exact samples nothing: there are no replicates to split with --shard');
    let scenario: Scenario;
    let policy: Policy;
    try {
      scenario = loadScenario(file);
      policy = loadPolicy(args.values.policy as string | undefined, scenario, file);
    } catch (error) {
      if (error instanceof InvalidFileError) return reportInvalidFile(io, 'simulate', error);
      throw error;
    }
    // --seed, else the scenario's own seed, else 1.
    const seed = givenSeed ?? scenario.seed ?? 1;
    const showProgress = args.values.progress === true || (io.stderr as { isTTY?: boolean }).isTTY === true;
    const policyName = policy.name ?? (args.values.policy as string | undefined) ?? 'policy';
    // --mode exact: the exact evaluator, or the features that send it back to Monte-Carlo.
    let fallback: { fallback: string[] } | Record<string, never> = {};
    if (requestedMode === 'exact') {
      const exact = evaluateExact(scenario, policy);
      if (exact.supported) {
        if (args.values.json)
          writeJson(io, {
            scenario: scenario.name,
            policy: policyName,
            ...exact.summary,
            fallback: [],
            approximations: exact.approximations,
            baselineNodes: exact.baselineNodes,
          });
        else
          io.stdout.write(
            exactSummaryText(
              { scenario: scenario.name, policy: policyName, baselineNodes: exact.baselineNodes },
              exact.summary,
              exact.approximations,
            ),
          );
        return 0;
      }
      fallback = { fallback: exact.features };
      io.stderr.write(
        `rollout-lab simulate: no exact answer (${exact.features.join('; ')}): falling back to the windowed Monte-Carlo mode\n`,
      );
    }
    const mode: FidelityMode = requestedMode === 'exact' ? 'window' : requestedMode;
    const simulation = prepareSimulation(scenario, policy, mode, seed);
    const output = { scenario: scenario.name, policy: policyName, mode, seed };
    if (shard) {
      // One shard of a larger run: write the partial state for `rollout-lab merge`.
      const { from, to } = shardRange(replicates, shard.shard);
      const state = runReplicates(simulation, from, to, progressBar(io, showProgress));
      // Identified by content, not by path: shards may run on machines with different checkouts.
      const request = { mode, seed, replicates, scenarioHashes: [contentHash(scenario)], policyHash: contentHash(policy) };
      writePartialResult(shard.out, partialResult('simulate', request, output, shard.shard, [{ key: '', label: {}, state }]));
      io.stdout.write(`shard ${shard.shard.index}/${shard.shard.count}: replicates [${from}, ${to}) of ${replicates} → ${shard.out}\n`);
      return 0;
    }
    // Large runs use every core through worker_threads (the same pool as the browser's Web
    // Workers); results are identical whatever the number of workers, so the default only
    // changes the wall time.
    const workers = workersOption(args, replicates);
    let summary: SimulationSummary;
    if (workers > 1) {
      const bar = progressBar(io, showProgress);
      const cancel = new AbortController();
      const onInterrupt = () => cancel.abort();
      process.once('SIGINT', onInterrupt);
      try {
        const result = await runSimulationInWorkers(
          { scenario, policy, mode, seed, replicates },
          { workers, signal: cancel.signal, ...(bar ? { onProgress: (p) => bar(p.replicatesDone, p.replicates) } : {}) },
        );
        if (result.status !== 'complete') {
          const failures = result.failedShards.map((f) => `replicates [${f.range.from}, ${f.range.to}): ${f.error.message}`);
          io.stderr.write(
            `rollout-lab simulate: run ${result.status}: ${result.replicatesCompleted} of ${replicates} replicates completed${failures.length ? `; failed: ${failures.join('; ')}` : ''}\n`,
          );
          return 1;
        }
        summary = result.summary;
      } finally {
        process.removeListener('SIGINT', onInterrupt);
      }
    } else {
      summary = summaryValue(runReplicates(simulation, 0, replicates, progressBar(io, showProgress)));
    }
    if (args.values.json) {
      writeJson(io, { ...output, ...summary, ...fallback });
    } else {
      io.stdout.write(simulationSummaryText({ ...output, replicates }, summary));
    }
    return 0;
  },
};

/**
 * `rollout-lab simulate SCENARIO.json [--policy POLICY.json] --replicates N --seed S
 * [--mode request|window] [--json] [--progress] [--shard k/N --out PART.json]`: how often a policy rolls back a healthy
 * candidate, promotes a worse one, and how fast it catches a regression, by Monte-Carlo
 * simulation of the scenario with the real engine (src/sim). With `--shard k/N --out PART.json`
 * it runs only its share of the replicates and writes a partial result (src/cli/shard.ts) that
 * `rollout-lab merge` combines into exactly the unsharded result.
 *
 * Also exports the file loading shared with `sweep`: scenario and policy files are read, parsed
 * and checked here; every problem is listed by JSON path and the command exits with code 2.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError, choiceOption, numberOption, parseCommandArgs, stringOption } from '../args.ts';
import { writeJson } from '../io.ts';
import type { CliIo, Command } from '../io.ts';
import { parseScenario } from '../../sim/scenario.ts';
import type { Scenario } from '../../sim/scenario.ts';
import { parsePolicy, formatPolicyError } from '../../engine/policy/parsePolicy.ts';
import { defaultPolicy } from '../../engine/policy/defaultPolicy.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { prepareSimulation, runReplicates } from '../../sim/runner.ts';
import type { ProgressCallback } from '../../sim/runner.ts';
import { summaryValue } from '../../sim/summary.ts';
import type { SimulationSummary } from '../../sim/summary.ts';
import type { FidelityMode } from '../../sim/windowRequest.ts';
import { contentHash, parseShard, partialResult, shardRange, writePartialResult } from '../shard.ts';
import { checkOutputFile } from '../outputFile.ts';
import { simulationSummaryText } from '../summaryText.ts';
import { prepareJsonText, stripByteOrderMark } from '../jsonText.ts';
import type { Shard } from '../shard.ts';
import { arrivalTimesFromCsv } from '../../sim/arrivalTrace.ts';
import { availableParallelism } from 'node:os';
import { runSimulationInWorkers } from '../../../workers/nodePool.ts';

/** A file whose content is invalid: the problems, each `path: reason`, for exit code 2. */
export class InvalidFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not valid: ${problems.join('; ')}`);
  }
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} file '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  text = prepareJsonText(text, `${what} file '${file}'`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} file '${file}' is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Reads and checks a scenario file. A replay arrival process may name a CSV `file` (relative
 * to the scenario): its times are loaded into `times`. Throws `InvalidFileError` listing every
 * problem by path, or `UsageError` when the file cannot be read or is not JSON.
 */
export function loadScenario(file: string): Scenario {
  const json = readJson(file, 'scenario') as Record<string, any>;
  const arrivals = json?.traffic?.arrivals;
  if (arrivals && typeof arrivals === 'object' && arrivals.kind === 'replay' && typeof arrivals.file === 'string' && arrivals.times === undefined) {
    const trace = resolve(dirname(file), arrivals.file);
    let text: string;
    try {
      text = readFileSync(trace, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read arrival file '${trace}' (traffic.arrivals.file of ${file}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    arrivals.times = arrivalTimesFromCsv(stripByteOrderMark(text), trace);
    delete arrivals.file;
  }
  const parsed = parseScenario(json);
  if (!parsed.ok) throw new InvalidFileError(file, parsed.errors.map((problem) => `${problem.path || '(root)'}: ${problem.message}`));
  return parsed.scenario;
}

/** The policy to simulate: `--policy FILE`, else the scenario's own `policy`, else the default. */
export function loadPolicy(file: string | undefined, scenario: Scenario, scenarioFile: string): Policy {
  const [json, source] =
    file !== undefined ? [readJson(file, 'policy'), file] : scenario.policy !== undefined ? [scenario.policy, `${scenarioFile} (policy)`] : [defaultPolicy(), 'default policy'];
  const parsed = parsePolicy(json);
  if (!parsed.ok) throw new InvalidFileError(source, parsed.errors.map((error) => (file === undefined ? `policy.${formatPolicyError(error)}` : formatPolicyError(error))));
  return parsed.policy;
}

/** Writes the problems of an invalid file and returns exit code 2. */
export function reportInvalidFile(io: CliIo, command: string, error: InvalidFileError): number {
  io.stderr.write(`rollout-lab ${command}: ${error.file} is not valid (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}):\n`);
  for (const problem of error.problems) io.stderr.write(`  ${problem}\n`);
  return 2;
}

/** A progress bar on stderr, or nothing when stderr is not a terminal and --progress is absent. */
export function progressBar(io: CliIo, enabled: boolean): ProgressCallback | undefined {
  if (!enabled) return undefined;
  return (done, total) => {
    const width = 30;
    const filled = Math.round((width * done) / total);
    io.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} replicates${done === total ? '\n' : ''}`);
  };
}

// The text forms moved to summaryText.ts (one formatter for simulate and merge); re-exported for the commands that import them from here.
export { formatRate, formatSeconds } from '../summaryText.ts';

/** `--shard k/N` and `--out FILE`, which go together; undefined for an unsharded run. */
export function shardOptions(shardText: string | undefined, out: string | undefined): { shard: Shard; out: string } | undefined {
  if (shardText === undefined) {
    if (out !== undefined) throw new UsageError('--out writes a partial result and needs --shard k/N');
    return undefined;
  }
  if (out === undefined || out.trim() === '') throw new UsageError('--shard needs --out PART.json (the partial result to merge with rollout-lab merge)');
  const shard = parseShard(shardText);
  checkOutputFile(out);
  return { shard, out };
}

/** Runs with at least this many replicates use worker threads unless --workers says otherwise. */
const WORKER_THRESHOLD = 2000;

/**
 * `--workers` of a command whose run simulates up to `plannedReplicates` replicates: the
 * machine's parallelism for large runs (results do not depend on it, only the wall time does),
 * one thread for small ones, where starting workers costs more than it saves.
 */
export function workersOption(args: Parameters<typeof numberOption>[0], plannedReplicates: number): number {
  return numberOption(args, 'workers', { default: plannedReplicates >= WORKER_THRESHOLD ? availableParallelism() : 1, min: 1, max: 256, integer: true });
}

/** `rollout-lab simulate`. */
export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Monte-Carlo simulation of a rollout policy on a scenario: false-rollback and missed-regression rates with intervals',
  usage: 'simulate SCENARIO.json [--policy POLICY.json] [--replicates N] [--seed S] [--mode window|request] [--workers N] [--progress] [--json] [--shard k/N --out PART.json]',
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
    const seedText = stringOption(args, 'seed', '1');
    const seed = /^-?\d+$/.test(seedText) && Number.isSafeInteger(Number(seedText)) ? Number(seedText) : seedText;
    const mode = choiceOption<FidelityMode>(args, 'mode', ['window', 'request'], 'window');
    let scenario: Scenario;
    let policy: Policy;
    try {
      scenario = loadScenario(file);
      policy = loadPolicy(args.values.policy as string | undefined, scenario, file);
    } catch (error) {
      if (error instanceof InvalidFileError) return reportInvalidFile(io, 'simulate', error);
      throw error;
    }
    const showProgress = args.values.progress === true || (io.stderr as { isTTY?: boolean }).isTTY === true;
    const simulation = prepareSimulation(scenario, policy, mode, seed);
    const policyName = policy.name ?? (args.values.policy as string | undefined) ?? 'policy';
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
          io.stderr.write(`rollout-lab simulate: run ${result.status}: ${result.replicatesCompleted} of ${replicates} replicates completed${failures.length ? `; failed: ${failures.join('; ')}` : ''}\n`);
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
      writeJson(io, { ...output, ...summary });
    } else {
      io.stdout.write(simulationSummaryText({ ...output, replicates }, summary));
    }
    return 0;
  },
};

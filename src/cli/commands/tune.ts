/**
 * `rollout-lab tune --healthy SCENARIO.json --regressed SCENARIO.json [--policy BASE.json]
 * --max-false-rollback A --min-detection B --within C [--replicates N] [--confirm-replicates M]
 * [--max-evaluations K] [--prefer detection|exposure] [--no-statistical] [--seed S]
 * [--mode exact|window|request] [--workers N] [--out POLICY.json] [--progress] [--json]`:
 * auto-tunes a policy's thresholds, check interval and guards by simulation (src/sim/tune.ts)
 * and prints the Pareto front and the recommended policy — or says plainly that no policy meets
 * the targets, with the closest ones (exit code 1). `--out` writes the recommended policy
 * atomically, as a bare policy document that `simulate --policy` reads, its description
 * recording the evidence (targets, seed, replicates, confirmed rates). The simulations run on
 * worker threads (`--workers`, default the machine's parallelism when the run may simulate at
 * least 2,000 replicates): every value of a coordinate, and every finalist, at once — the same
 * result as in one thread (`tuneWith`).
 *
 * `--mode exact` searches on the exact evaluator (src/sim/exactTuningEvaluation.ts: exact rates,
 * printed without intervals) and confirms the finalists in the windowed Monte-Carlo mode, with
 * their intervals; when the base policy has no exact form the search is simulated and stderr
 * names the features; a candidate the evaluator refuses mid-search is simulated alone, and the
 * output names it. `--json` says `"search": "exact" | "window" | "request"` and `"fallback"`.
 * The default stays `window`: the exact search (each round one vector chain run per chain
 * structure, exactTuningEvaluation.ts `evaluateAll`) still costs more CPU than the windowed search
 * at 200 replicates — identical-candidate + error-regression, CLI defaults, one worker, re-measured
 * 2026-12-04 22:00 after the historical laws were shared across windows (BENCHMARKS.md): one
 * concurrent canary 3.9–4.8 s against 1.8 s (4.9–5.8 s against 1.3–1.6 s with --no-statistical);
 * the framework default without its shadow and A/B stages 26–29 s against 20–23 s (17–25 s against
 * 20–25 s with --no-statistical, about even) — its gain is a search without sampling noise, not
 * speed. With statistical rules (the CLI default) most candidates are refused and simulated anyway.
 */

import { createNodeTuningEvaluator } from '../../../workers/nodePool.ts';
import { durationSeconds } from '../../engine/policy/duration.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { formatElapsed } from '../../engine/text/format.ts';
import type { Scenario } from '../../sim/scenario.ts';
import type { RateEstimate } from '../../sim/summary.ts';
import type { TunedCandidate, TuneResult } from '../../sim/tune.ts';
import { tune, tuneWith } from '../../sim/tune.ts';
import type { TuningEvaluation } from '../../sim/tuningEvaluation.ts';
import { defaultTuningSpace } from '../../sim/tuningSpace.ts';
import type { FidelityMode } from '../../sim/windowRequest.ts';
import { choiceOption, numberOption, parseCommandArgs, seedOption, stringOption, UsageError } from '../args.ts';
import { writeFileAtomic } from '../atomicWrite.ts';
import { InvalidFileError, loadPolicy, loadScenario, reportInvalidFile } from '../files.ts';
import type { CliIo, Command } from '../io.ts';
import { formatNumber, writeJson } from '../io.ts';
import { checkOutputFile } from '../outputFile.ts';
import { workersOption } from '../workersOption.ts';

function rateCell(rate: RateEstimate): string {
  if (rate.rate === null) return '—';
  // An exact rate (an interval of zero width; a Wilson interval never has one) needs no interval.
  if (rate.lower === rate.upper) return `${formatNumber(rate.rate, 4)} (exact)`;
  // Wilson's lower bound of 0/n can come out as ~1e-18 from rounding: show it as the 0 it is.
  const lower = (rate.lower as number) < 1e-12 ? 0 : (rate.lower as number);
  return `${formatNumber(rate.rate, 3)} [${formatNumber(lower, 3)}, ${formatNumber(rate.upper as number, 3)}]`;
}

/** The recommended policy with the tuning evidence in its description. */
export function tunedPolicyDocument(
  result: TuneResult,
  candidate: TunedCandidate,
  scenarios: { healthy: string; regressed: string },
): Policy {
  const confirmation = candidate.confirmation as TuningEvaluation;
  const evidence =
    `Auto-tuned by rollout-lab tune (${candidate.label}) against '${scenarios.healthy}' and '${scenarios.regressed}', ` +
    `${result.search === 'exact' ? `searched exactly, confirmed in ${result.mode} mode` : `${result.mode} mode`}, seed ${result.seed}; confirmed on replicates [${confirmation.from}, ${confirmation.to}) per scenario: ` +
    `false-rollback rate ${rateCell(confirmation.falseRollbackRate)} (target ≤ ${result.targets.maxFalseRollbackRate}), ` +
    `regression rolled back within ${formatElapsed(result.targets.detectWithin)} of first serving ${rateCell(confirmation.detectionRate)} ` +
    `(target ≥ ${result.targets.minDetectionRate}); 95% Wilson intervals.`;
  return { ...candidate.policy, name: `${candidate.policy.name ?? 'policy'}, auto-tuned`, description: evidence };
}

function candidateJson(candidate: TunedCandidate) {
  return {
    id: candidate.id,
    label: candidate.label,
    setting: candidate.setting,
    pareto: candidate.pareto,
    meetsTargets: candidate.meetsTargets,
    shortfall: candidate.shortfall,
    searchedBy: candidate.searchedBy,
    searchFallback: candidate.searchFallback,
    search: candidate.search,
    confirmation: candidate.confirmation,
  };
}

/** `rollout-lab tune`. */
export const tuneCommand: Command = {
  name: 'tune',
  summary: 'Auto-tune thresholds, check interval and guards for a false-rollback and a detection target',
  usage:
    'tune --healthy SCENARIO.json --regressed SCENARIO.json [--policy BASE.json] --max-false-rollback A --min-detection B --within DURATION ' +
    '[--replicates N] [--confirm-replicates M] [--max-evaluations K] [--prefer detection|exposure] [--no-statistical] [--seed S] [--mode exact|window|request] ' +
    '[--workers N] [--out POLICY.json] [--progress] [--json]',
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseCommandArgs(argv, {
      healthy: { type: 'string' },
      regressed: { type: 'string' },
      policy: { type: 'string' },
      'max-false-rollback': { type: 'string' },
      'min-detection': { type: 'string' },
      within: { type: 'string' },
      replicates: { type: 'string' },
      'confirm-replicates': { type: 'string' },
      'max-evaluations': { type: 'string' },
      prefer: { type: 'string' },
      'no-statistical': { type: 'boolean' },
      seed: { type: 'string' },
      mode: { type: 'string' },
      out: { type: 'string' },
      progress: { type: 'boolean' },
      workers: { type: 'string' },
    });
    if (args.values.out !== undefined) checkOutputFile(String(args.values.out));
    const healthyFile = stringOption(args, 'healthy');
    const regressedFile = stringOption(args, 'regressed');
    const maxFalseRollbackRate = numberOption(args, 'max-false-rollback', { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
    const minDetectionRate = numberOption(args, 'min-detection', { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
    const withinText = stringOption(args, 'within');
    const detectWithin = durationSeconds(/^\d+(\.\d+)?$/.test(withinText) ? Number(withinText) : withinText);
    if (detectWithin === undefined || detectWithin <= 0)
      throw new UsageError(`--within must be a positive duration like 30m or 1h (or seconds), got '${withinText}'`);
    const searchReplicates = numberOption(args, 'replicates', { default: 200, min: 10, max: 1e7, integer: true });
    const confirmReplicates = numberOption(args, 'confirm-replicates', { default: 5 * searchReplicates, min: 10, max: 1e8, integer: true });
    const maxEvaluations = numberOption(args, 'max-evaluations', { default: 40, min: 1, max: 10_000, integer: true });
    const prefer = choiceOption(args, 'prefer', ['detection', 'exposure'] as const, 'detection');
    const requestedMode = choiceOption<FidelityMode | 'exact'>(args, 'mode', ['exact', 'window', 'request'], 'window');
    // Exact search, Monte-Carlo confirmation (and fallback) in the windowed mode.
    const mode: FidelityMode = requestedMode === 'exact' ? 'window' : requestedMode;
    // At most 2 · (K · N + 4 · M) replicates (4 finalists): worker threads when that is large.
    const plannedReplicates = 2 * (maxEvaluations * searchReplicates + 4 * confirmReplicates);
    const workers = workersOption(args, plannedReplicates);
    const seed = seedOption(args) ?? 1;
    let healthy: Scenario;
    let regressed: Scenario;
    let policy: Policy;
    try {
      healthy = loadScenario(healthyFile);
      regressed = loadScenario(regressedFile);
      policy = loadPolicy(args.values.policy as string | undefined, healthy, healthyFile);
    } catch (error) {
      if (error instanceof InvalidFileError) return reportInvalidFile(io, 'tune', error);
      throw error;
    }
    const showProgress = args.values.progress === true || (io.stderr as { isTTY?: boolean }).isTTY === true;
    let result: TuneResult;
    const evaluator = workers > 1 ? createNodeTuningEvaluator(workers) : null;
    try {
      const options: Parameters<typeof tune>[3] = {
        targets: { maxFalseRollbackRate, minDetectionRate, detectWithin },
        seed,
        mode,
        search: requestedMode === 'exact' ? 'exact' : 'simulation',
        searchReplicates,
        confirmReplicates,
        maxEvaluations,
        prefer,
        space: defaultTuningSpace(policy, healthy, { allowStatistical: args.values['no-statistical'] !== true }),
        onProgress: showProgress
          ? (progress) =>
              io.stderr.write(
                `\r${progress.phase === 'search' ? 'searching' : 'confirming'}: ${progress.evaluations} candidate(s), ${progress.replicatesDone} replicates   `,
              )
          : undefined,
      };
      result = evaluator
        ? await tuneWith(policy, healthy, regressed, options, (batch) => evaluator.evaluate(batch))
        : tune(policy, healthy, regressed, options);
    } catch (error) {
      // Worlds that cannot measure what they should, or a base policy the space cannot tune.
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    } finally {
      evaluator?.terminate();
    }
    if (showProgress) io.stderr.write('\n');
    if (result.fallback.length > 0) {
      io.stderr.write(
        `rollout-lab tune: no exact answer for the base policy (${result.fallback.join('; ')}): searching by the windowed Monte-Carlo mode\n`,
      );
    }
    const recommendedPolicy = result.recommended
      ? tunedPolicyDocument(result, result.recommended, { healthy: healthy.name, regressed: regressed.name })
      : null;
    if (recommendedPolicy && args.values.out !== undefined) {
      try {
        writeFileAtomic(String(args.values.out), JSON.stringify(recommendedPolicy, null, 2) + '\n');
      } catch (error) {
        throw new UsageError(
          `cannot write '${String(args.values.out)}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
    }
    const exitCode = result.recommended ? 0 : 1;
    if (args.values.json) {
      writeJson(io, {
        healthy: healthy.name,
        regressed: regressed.name,
        basePolicy: policy.name ?? null,
        targets: result.targets,
        seed: result.seed,
        mode: result.mode,
        search: result.search,
        fallback: result.fallback,
        searchReplicates: result.searchReplicates,
        confirmReplicates: result.confirmReplicates,
        replicatesRun: result.replicatesRun,
        meetsTargets: result.recommended !== null,
        message: result.message,
        recommended: result.recommended ? candidateJson(result.recommended) : null,
        recommendedPolicy,
        paretoFront: result.paretoFront.map((id) => candidateJson(result.candidates[id])),
        finalists: result.finalists.map(candidateJson),
        candidates: result.candidates.length,
        out: recommendedPolicy && args.values.out !== undefined ? String(args.values.out) : null,
      });
      return exitCode;
    }
    const within = formatElapsed(detectWithin);
    // An exact search shows its exact numbers beside the confirmation's (with intervals); a
    // simulated one shows the confirmation's numbers when confirmed, else the search's.
    const exactSearch = result.search === 'exact';
    const header = exactSearch
      ? [
          'id',
          'setting',
          'false rollback (search)',
          `caught ≤ ${within} (search)`,
          'confirmed false rollback [95% CI]',
          `confirmed caught ≤ ${within} [95% CI]`,
          'median time to detect',
          'confirmed',
        ]
      : ['id', 'setting', 'false rollback [95% CI]', `caught ≤ ${within} [95% CI]`, 'median time to detect', 'confirmed'];
    const row = (candidate: TunedCandidate): string[] => {
      const numbers = candidate.confirmation ?? candidate.search;
      const mark =
        candidate.confirmation === null
          ? ''
          : candidate.meetsTargets
            ? `yes (${numbers.replicates} fresh) ✓ meets`
            : `yes (${numbers.replicates} fresh) ✗ misses`;
      const rates = exactSearch
        ? [
            rateCell(candidate.search.falseRollbackRate),
            rateCell(candidate.search.detectionRate),
            candidate.confirmation === null ? '' : rateCell(candidate.confirmation.falseRollbackRate),
            candidate.confirmation === null ? '' : rateCell(candidate.confirmation.detectionRate),
          ]
        : [rateCell(numbers.falseRollbackRate), rateCell(numbers.detectionRate)];
      return [
        String(candidate.id) + (candidate === result.recommended ? '*' : '') + (candidate.searchFallback.length > 0 ? '†' : ''),
        candidate.label,
        ...rates,
        numbers.timeToDetect.median === null ? '—' : formatElapsed(numbers.timeToDetect.median),
        mark,
      ];
    };
    const table = result.paretoFront.map((id) => row(result.candidates[id]));
    const extra = result.finalists.filter((finalist) => !finalist.pareto).map(row);
    const widths = header.map((cell, i) => Math.max(cell.length, ...[...table, ...extra].map((cells) => cells[i].length)));
    const line = (cells: string[]) =>
      cells
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd();
    const simulatedSearches = result.candidates.filter((candidate) => candidate.searchedBy !== 'exact').length;
    const searchLine = exactSearch
      ? `${result.candidates.length} candidates searched exactly (no sampling)` +
        (simulatedSearches > 0
          ? `, ${simulatedSearches} of them (†) by ${mode} mode on ${searchReplicates} replicates per scenario instead`
          : '') +
        `; finalists confirmed in ${mode} mode on ${confirmReplicates} fresh replicates\n`
      : `${result.candidates.length} candidates × ${searchReplicates} replicates per scenario (common random numbers); finalists confirmed on ${confirmReplicates} fresh replicates\n`;
    let text =
      `auto-tune: '${healthy.name}' (healthy) + '${regressed.name}' (regressed), base policy '${policy.name ?? 'policy'}', ${exactSearch ? `exact search, ${mode} mode confirmation` : `${mode} mode`}, seed ${seed}\n` +
      `targets: false-rollback rate ≤ ${maxFalseRollbackRate}, regression rolled back within ${within} of first serving in ≥ ${minDetectionRate}, judged on 95% Wilson bounds\n` +
      searchLine +
      (result.fallback.length > 0 ? `exact search refused (${result.fallback.join('; ')}): searched by ${mode} mode\n` : '') +
      `\nPareto front (${exactSearch ? 'exact search numbers, and the confirmation where confirmed' : 'numbers from the confirmation when confirmed, else from the search'}):\n${line(header)}\n${table.map(line).join('\n')}\n`;
    if (extra.length > 0) text += `other finalists:\n${extra.map(line).join('\n')}\n`;
    const refused = [
      ...result.paretoFront.map((id) => result.candidates[id]),
      ...result.finalists.filter((finalist) => !finalist.pareto),
    ].filter((candidate) => candidate.searchFallback.length > 0);
    for (const candidate of refused) text += `† ${candidate.id}: simulated, no exact answer (${candidate.searchFallback.join('; ')})\n`;
    text += `\n${result.message}\n`;
    if (recommendedPolicy) {
      text +=
        args.values.out !== undefined
          ? `recommended policy written to ${String(args.values.out)}\n`
          : `\nrecommended policy:\n${JSON.stringify(recommendedPolicy, null, 2)}\n`;
    }
    io.stdout.write(text);
    return exitCode;
  },
};

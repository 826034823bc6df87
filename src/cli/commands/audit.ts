/**
 * `rollout-lab audit FILE.yaml… [--from argo|flagger] [--map METRIC=NAME,…]
 * (--scenario S.json | --traffic 40rps --error-rate 0.002 [--timeout-rate R] [--p95 350ms] [--median MS] [--users N])
 * [--regression errors*3,…] [--max-false-rollback A] [--min-detection B] [--within D]
 * [--replicates N] [--seed S] [--workers N] [--out tuned.yaml | --out DIR] [--json]`:
 * the rollout a team runs today (an Argo Rollouts Rollout with its AnalysisTemplates, or a Flagger
 * Canary with its MetricTemplates), measured at their traffic and tuned for their targets (issue 14).
 *
 * Steps: import the files (src/engine/import, `policy import`'s report); build the healthy and
 * the regressed world from what the user knows (src/sim/audit/auditScenario.ts); audit the
 * original stage by stage — exact where the evaluator covers it, else Monte-Carlo with Wilson
 * intervals, saying which (auditRollout.ts); tune it for the targets within what the files can
 * express (auditTuning.ts: `tune` from the imported setting, every candidate written back and
 * kept only when the write-back carries it all); audit the tuned policy the same way; show the
 * tuned policy as a unified diff of the user's own files (auditTuneFiles.ts: writeBack.ts, unifiedDiff.ts) and, with
 * `--out`, write them.
 *
 * `--out`: with one input file, the tuned file's path (or an existing folder to write it into,
 * under the input's file name); with several, a folder (created when missing) that receives every
 * input file under its own base name, edited or not, so that the folder imports as the original
 * files did. Nothing is written when no policy meets the targets.
 *
 * `--replicates N` (default 1,000) is the Monte-Carlo size: the audit's replicates per world when
 * it cannot be exact, and the tuner's confirmation replicates; the tuner's search uses N/5 (at
 * least 10). Exit codes: 0 a tuned policy meets the targets, 1 none does (the closest is shown), 2
 * bad input (one line naming the file, document and field, or the option).
 *
 * `--json` keys: `source`, `files`, `report` (the import report, `policy import --json`'s),
 * `worlds` {healthy, regressed (their names), requestsPerSecond, errorRate (today's), regression, assumptions}, `targets` {maxFalseRollbackRate,
 * minDetectionRate, detectWithin (s)}, `targetsDefaulted` (names of the targets not given),
 * `original` {policy, audit}, `tuning` {meetsTargets, message, seed, searchReplicates,
 * confirmReplicates, candidates, excluded}, `tuned` {label, policy, audit, changes,
 * unrepresentable, diff} (the recommended policy, else null), `closest` (the same for the best
 * finalist when none meets the targets, else null), `out` (paths written, or null). Every audit
 * is `RolloutAudit` (src/sim/audit/auditRollout.ts): method, fallback, replicates, seed,
 * neglectedMass, detectWithin, stages[], falseRollbackRate, missedRegressionRate, detectionRate,
 * undecidedHealthy, undecidedRegressed, timeToDetect {mean, median, p90}, exposure.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createNodeTuningEvaluator } from '../../../workers/nodePool.ts';
import { importReportJson, importReportLines } from '../../engine/import/importReportText.ts';
import type { ImportInput, ImportResult, ImportSource } from '../../engine/import/importTypes.ts';
import { ImportError } from '../../engine/import/importTypes.ts';
import { importRollout } from '../../engine/import/index.ts';
import type { WriteBackResult } from '../../engine/import/writeBack.ts';
import { durationSeconds } from '../../engine/policy/duration.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { formatCount, formatElapsed, formatPercentSignificant } from '../../engine/text/format.ts';
import type { RegressionTerm } from '../../sim/audit/auditInputs.ts';
import { parseLatencyMs, parseRate, parseRegression, parseRequestRate } from '../../sim/audit/auditInputs.ts';
import type { RolloutAudit } from '../../sim/audit/auditRollout.ts';
import { auditRollout } from '../../sim/audit/auditRollout.ts';
import type { AuditWorlds } from '../../sim/audit/auditScenario.ts';
import { auditScenario } from '../../sim/audit/auditScenario.ts';
import type { AuditTuneFilesResult } from '../../sim/audit/auditTuneFiles.ts';
import { auditTuneFiles } from '../../sim/audit/auditTuneFiles.ts';
import { defaultAuditTargets } from '../../sim/audit/auditTuning.ts';
import type { Scenario } from '../../sim/scenario.ts';
import type { RateEstimate } from '../../sim/summary.ts';
import { tuneWith } from '../../sim/tune.ts';
import type { TuningTargets } from '../../sim/tuningTargets.ts';
import { choiceOption, numberOption, parseCommandArgs, seedOption, UsageError } from '../args.ts';
import { writeFileAtomic } from '../atomicWrite.ts';
import { InvalidFileError, loadScenario, readTextFile, reportInvalidFile } from '../files.ts';
import type { CliIo, Command } from '../io.ts';
import { writeJson } from '../io.ts';
import { checkOutputFile } from '../outputFile.ts';
import { workersOption } from '../workersOption.ts';
import { parseMetricMap } from './policyImport.ts';

/**
 * A rate for the tables: exact as a percent (`≈ 0%` when below the evaluation's neglected
 * probability, which bounds its error), Monte-Carlo with its Wilson 95% interval.
 */
function rateText(rate: RateEstimate, exact: boolean, neglected = 0): string {
  if (rate.rate === null) return '—';
  if (exact && rate.rate <= neglected) return '≈ 0%';
  const value = formatPercentSignificant(rate.rate, 3);
  if (exact) return value;
  return `${value} [${formatPercentSignificant(Math.max(0, rate.lower as number), 2)}, ${formatPercentSignificant(rate.upper as number, 2)}]`;
}

/** The audit of one policy as a table, stage by stage, then the overall numbers. */
export function auditTableText(audit: RolloutAudit): string {
  const exact = audit.method === 'exact';
  const rate = (estimate: RateEstimate) => rateText(estimate, exact, audit.neglectedMass ?? 0);
  const header = [
    'stage',
    'reached (healthy)',
    'false rollback here',
    'regression caught here',
    'time to detect (mean / median)',
    'requests served while worse',
  ];
  const rows = audit.stages.map((stage) => [
    stage.name,
    rate(stage.reachedHealthy),
    rate(stage.falseRollback),
    rate(stage.regressionRollback),
    stage.timeToDetect.mean === null ? '—' : `${formatElapsed(stage.timeToDetect.mean)} / ${formatElapsed(stage.timeToDetect.median)}`,
    formatCount(Math.round(stage.requestsServedWhileWorse)),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const method = exact
    ? `exact (neglected probability ≤ ${(audit.neglectedMass ?? 0).toExponential(1)})`
    : `Monte-Carlo, ${formatCount(audit.replicates as number)} replicates per world, seed ${audit.seed}, 95% Wilson intervals${audit.fallback.length > 0 ? ` — no exact form: ${audit.fallback.join('; ')}` : ''}`;
  return [
    `  ${method}`,
    `  ${line(header)}`,
    ...rows.map((row) => `  ${line(row)}`),
    `  false rollback ${rate(audit.falseRollbackRate)}; missed regression ${rate(audit.missedRegressionRate)}; ` +
      `caught within ${formatElapsed(audit.detectWithin)} ${rate(audit.detectionRate)}; ` +
      `time to detect mean ${formatElapsed(audit.timeToDetect.mean)}, median ${formatElapsed(audit.timeToDetect.median)}; ` +
      `served while worse ${formatCount(Math.round(audit.exposure.requestsServedWhileWorse))} requests, ${formatCount(Math.round(audit.exposure.usersServedWhileWorse))} users`,
  ].join('\n');
}

/** `--regression errors*3,p95*1.5` (or the option repeated). */
function regressionTerms(values: string[] | undefined): RegressionTerm[] | undefined {
  if (values === undefined) return undefined;
  return values
    .flatMap((value) => value.split(','))
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .map((text) => parseRegression(text));
}

function usage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

/** Where `--out` writes each file (module comment): path per input name. */
function outputPaths(out: string, inputs: ImportInput[]): Map<string, string> {
  const isFolder = existsSync(out) && statSync(out).isDirectory();
  if (inputs.length === 1 && !isFolder) {
    checkOutputFile(out);
    return new Map([[inputs[0].name, out]]);
  }
  const names = inputs.map((input) => basename(input.name));
  if (new Set(names).size !== names.length)
    throw new UsageError(`--out ${out}: the input files share a base name (${names.join(', ')}); they cannot go into one folder`);
  if (!isFolder && existsSync(out)) throw new UsageError(`--out '${out}' must be a folder when auditing several files`);
  return new Map(inputs.map((input, i) => [input.name, join(out, names[i])]));
}

/** A tuned (or closest) policy with its audit, write-back and diff, as `--json` gives it. */
function tunedJson(policy: Policy, label: string, audit: RolloutAudit | null, back: WriteBackResult, diff: string) {
  return {
    label,
    policy,
    audit,
    changes: back.changes.map((change) => ({ ...change, source: { ...change.source, path: [...change.source.path] } })),
    unrepresentable: back.unrepresentable,
    diff,
  };
}

/** `rollout-lab audit`. */
export const auditCommand: Command = {
  name: 'audit',
  summary:
    'Measure the Argo Rollouts or Flagger rollout you run at your traffic (false rollbacks, missed regressions, time to detect, stage by stage) and tune it into your own YAML',
  usage:
    'audit FILE.yaml... [--from argo|flagger] [--map METRIC=NAME,...] (--scenario S.json | --traffic 40rps --error-rate 0.002 [--timeout-rate R] [--p95 350ms] [--median MS] [--users N]) ' +
    '[--regression errors*3,...] [--max-false-rollback 0.05] [--min-detection 0.9] [--within 2h] [--replicates N] [--seed S] [--workers N] [--out tuned.yaml|DIR] [--json]',
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseCommandArgs(
      argv,
      {
        from: { type: 'string' },
        map: { type: 'string' },
        scenario: { type: 'string' },
        traffic: { type: 'string' },
        'error-rate': { type: 'string' },
        'timeout-rate': { type: 'string' },
        p95: { type: 'string' },
        median: { type: 'string' },
        users: { type: 'string' },
        regression: { type: 'string', multiple: true },
        'max-false-rollback': { type: 'string' },
        'min-detection': { type: 'string' },
        within: { type: 'string' },
        replicates: { type: 'string' },
        seed: { type: 'string' },
        workers: { type: 'string' },
        out: { type: 'string' },
      },
      Number.POSITIVE_INFINITY,
    );
    if (args.positionals.length === 0)
      throw new UsageError('FILE.yaml is required (the Rollout or Canary, and the templates it references)');
    const from = args.values.from === undefined ? undefined : choiceOption<ImportSource>(args, 'from', ['argo', 'flagger'], 'argo');
    const map = args.values.map === undefined ? undefined : parseMetricMap(args.values.map as string);
    const text = (name: string) => args.values[name] as string | undefined;
    const scenarioFile = text('scenario');
    if (scenarioFile === undefined && text('traffic') === undefined)
      throw new UsageError('give your traffic: --traffic 40rps --error-rate 0.002 [--p95 350ms], or --scenario S.json');
    if (scenarioFile === undefined && text('error-rate') === undefined)
      throw new UsageError('--error-rate is required with --traffic (the error rate your service has today, e.g. 0.002)');
    const given = {
      requestsPerSecond: text('traffic') === undefined ? undefined : usage(() => parseRequestRate(text('traffic') as string, '--traffic')),
      errorRate: text('error-rate') === undefined ? undefined : usage(() => parseRate(text('error-rate') as string, '--error-rate')),
      timeoutRate:
        text('timeout-rate') === undefined ? undefined : usage(() => parseRate(text('timeout-rate') as string, '--timeout-rate')),
      p95: text('p95') === undefined ? undefined : usage(() => parseLatencyMs(text('p95') as string, '--p95')),
      median: text('median') === undefined ? undefined : usage(() => parseLatencyMs(text('median') as string, '--median')),
      users: text('users') === undefined ? undefined : numberOption(args, 'users', { min: 1, max: 1e8, integer: true }),
      regression: usage(() => regressionTerms(args.values.regression as string[] | undefined)),
    };
    const defaulted: string[] = [];
    const target = (name: string, fallback: number) => {
      if (args.values[name] === undefined) defaulted.push(name);
      return numberOption(args, name, { default: fallback, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
    };
    const maxFalseRollbackRate = target('max-false-rollback', defaultAuditTargets.maxFalseRollbackRate);
    const minDetectionRate = target('min-detection', defaultAuditTargets.minDetectionRate);
    let detectWithin = defaultAuditTargets.detectWithin;
    if (text('within') === undefined) defaulted.push('within');
    else {
      const withinText = text('within') as string;
      const seconds = durationSeconds(/^\d+(\.\d+)?$/.test(withinText) ? Number(withinText) : withinText);
      if (seconds === undefined || seconds <= 0)
        throw new UsageError(`--within must be a positive duration like 30m or 2h (or seconds), got '${withinText}'`);
      detectWithin = seconds;
    }
    const targets: TuningTargets = { maxFalseRollbackRate, minDetectionRate, detectWithin };
    const replicates = numberOption(args, 'replicates', { default: 1000, min: 10, max: 1e7, integer: true });
    const searchReplicates = Math.max(10, Math.round(replicates / 5));
    const seed = seedOption(args) ?? 1;
    const workers = workersOption(args, 2 * (40 * searchReplicates + 4 * replicates));
    const inputs: ImportInput[] = args.positionals.map((file) => ({ name: file, text: readTextFile(file, `file '${file}'`) }));
    const out = text('out');
    const paths = out === undefined ? null : outputPaths(out, inputs);

    let imported: ImportResult;
    try {
      imported = importRollout(inputs, { from, map });
    } catch (error) {
      if (error instanceof ImportError) throw new UsageError(error.message);
      throw error;
    }
    let base: Scenario | undefined;
    try {
      base = scenarioFile === undefined ? undefined : loadScenario(scenarioFile);
    } catch (error) {
      if (error instanceof InvalidFileError) return reportInvalidFile(io, 'audit', error);
      throw error;
    }
    const worlds: AuditWorlds = usage(() => auditScenario({ ...given, scenario: base }));
    const original = usage(() => auditRollout(imported.policy, worlds.healthy, worlds.regressed, { replicates, seed, detectWithin }));

    // Tuning: only policies the user's files can carry, and the answer written into them (auditTuneFiles.ts).
    const evaluator = workers > 1 ? createNodeTuningEvaluator(workers) : null;
    let tuned: AuditTuneFilesResult;
    try {
      tuned = await auditTuneFiles(inputs, imported, { from, map }, worlds.healthy, worlds.regressed, {
        targets,
        seed,
        searchReplicates,
        confirmReplicates: replicates,
        audit: { replicates, seed, detectWithin },
        ...(evaluator
          ? {
              run: (policy, healthy, regressed, options) =>
                tuneWith(policy, healthy, regressed, options, (batch) => evaluator.evaluate(batch)),
            }
          : {}),
      });
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    } finally {
      evaluator?.terminate();
    }
    const chosen = tuned.recommended ?? tuned.closest;
    const label = tuned.label ?? '';
    const back = tuned.written;
    const diff = tuned.diff;

    let written: string[] | null = null;
    if (paths !== null && tuned.recommended !== null && back !== null) {
      written = [];
      if (inputs.length > 1 || (out !== undefined && existsSync(out) && statSync(out).isDirectory()))
        mkdirSync(out as string, { recursive: true });
      for (const file of back.files) {
        const path = paths.get(file.name) as string;
        try {
          writeFileAtomic(path, file.text);
        } catch (error) {
          throw new UsageError(`cannot write '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        written.push(path);
      }
    }
    const meets = tuned.recommended !== null;
    if (args.values.json) {
      const tunedEntry = back && chosen ? tunedJson(chosen, label, tuned.audit, back, diff) : null;
      writeJson(io, {
        source: imported.report.source,
        files: inputs.map((input) => input.name),
        report: importReportJson(imported.report),
        worlds: {
          healthy: worlds.healthy.name,
          regressed: worlds.regressed.name,
          requestsPerSecond: worlds.healthy.traffic.requestsPerSecond,
          errorRate: worlds.healthy.control.errorRate,
          regression: worlds.regression,
          assumptions: worlds.assumptions,
        },
        targets,
        targetsDefaulted: defaulted,
        original: { policy: imported.policy, audit: original },
        tuning: {
          meetsTargets: meets,
          message: tuned.tune.message,
          seed,
          searchReplicates: tuned.tune.searchReplicates,
          confirmReplicates: tuned.tune.confirmReplicates,
          candidates: tuned.tune.candidates.length,
          excluded: tuned.excluded,
        },
        tuned: meets ? tunedEntry : null,
        closest: meets ? null : tunedEntry,
        out: written,
      });
      return meets ? 0 : 1;
    }
    const system = imported.report.source === 'argo' ? 'Argo Rollouts' : 'Flagger';
    const report = importReportLines(imported.report);
    const counts = `${imported.report.mapped.length} fields mapped, ${imported.report.unrepresented.length} not represented, ${imported.report.assumptions.length} assumptions`;
    const lines: string[] = [
      `audit of the ${system} rollout in ${inputs.map((input) => input.name).join(', ')} (${counts}; \`rollout-lab policy import\` shows every field)`,
      // The summary keeps what the numbers rest on: what was not represented, the assumptions, zero traffic.
      ...report.slice(report.findIndex((line) => line.startsWith('not represented'))).map((line) => `  ${line}`),
      '',
      `worlds: ${worlds.healthy.traffic.requestsPerSecond} requests/s, error rate ${worlds.healthy.control.errorRate}; the regression to catch: ${worlds.regression}`,
      ...worlds.assumptions.map((assumption) => `  assumed ${assumption}`),
      `targets: false rollback ≤ ${maxFalseRollbackRate}, regression caught within ${formatElapsed(detectWithin)} in ≥ ${minDetectionRate}` +
        (defaulted.length > 0 ? ` (defaults for --${defaulted.join(', --')}: 0.05, 0.9 within 2h)` : ''),
      '',
      `your rollout ('${imported.policy.name ?? 'imported'}'):`,
      auditTableText(original),
      '',
    ];
    const excluded = tuned.excluded.map(
      (entry) =>
        `  not searched: ${entry.coordinate} ${entry.values.map((value) => (typeof value === 'object' ? JSON.stringify(value) : String(value))).join(', ')} — ${entry.reason}`,
    );
    lines.push(`tuning: ${tuned.tune.message}`, ...excluded);
    if (chosen !== null && tuned.audit !== null && back !== null) {
      lines.push(
        '',
        meets ? `tuned rollout (${label}):` : `closest rollout, which does NOT meet the targets (${label}):`,
        auditTableText(tuned.audit),
        '',
        diff === '' ? 'no change to your files' : `what to change in your files:\n${diff.trimEnd()}`,
      );
      if (back.unrepresentable.length > 0) lines.push('not expressible in your files:', ...back.unrepresentable.map((line) => `  ${line}`));
    }
    if (written !== null) lines.push('', `wrote the tuned files: ${written.join(', ')}`);
    else if (out !== undefined) lines.push('', `nothing written to ${out}: no policy meets the targets`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return meets ? 0 : 1;
  },
};

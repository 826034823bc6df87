/**
 * `rollout-lab replay LOG --map … [--policy P] [--inject SPEC] [--replicates N] [--seed S]`:
 * the production log becomes the control model's world (empirical latencies and error rate,
 * block-bootstrapped real arrivals), regressions are injected into the candidate, and the policy
 * is simulated against this traffic: its false-rollback rate and detection power, with Wilson
 * intervals. A log holding two model versions replays as an A/B comparison of the two.
 */
import { readFileSync } from 'node:fs';
import { UsageError, choiceOption, numberOption, parseCommandArgs, stringOption } from '../args.ts';
import { formatNumber, writeJson } from '../io.ts';
import type { CliIo, Command } from '../io.ts';
import { parsePolicy, formatPolicyError } from '../../engine/policy/parsePolicy.ts';
import { defaultPolicy } from '../../engine/policy/defaultPolicy.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { rateEstimate } from '../../sim/summary.ts';
import type { RateEstimate } from '../../sim/summary.ts';
import type { FidelityMode } from '../../sim/windowRequest.ts';
import { parseInjection } from '../../sim/replay/injection.ts';
import type { Injection } from '../../sim/replay/injection.ts';
import { replayLog } from '../../sim/replay/replayWorld.ts';
import { InvalidFileError, formatRate, formatSeconds, progressBar, reportInvalidFile } from './simulate.ts';
import { LOG_OPTIONS, LOG_USAGE, formatParseReport, logParseOptions, readLog } from './logInspect.ts';

/** The policy of `--policy FILE`, else the framework default. */
function loadPolicyFile(file: string | undefined): Policy {
  let json: unknown = defaultPolicy();
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read policy file '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`policy file '${file}' is not valid JSON: ${(error as Error).message}`);
    }
  }
  const parsed = parsePolicy(json);
  if (!parsed.ok) throw new InvalidFileError(file ?? 'default policy', parsed.errors.map(formatPolicyError));
  return parsed.policy;
}

/** `rollout-lab replay`. Exit code 0, or 2 on bad input. */
export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay a production log as the simulated world: false-rollback rate and detection power of a policy on this traffic',
  usage: `replay LOG ${LOG_USAGE} [--policy POLICY.json] [--inject SPEC] [--control V] [--candidate V] [--replicates N] [--resamples R] [--seed S] [--block-minutes B] [--mode window|request] [--progress] [--json]`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseCommandArgs(
      argv,
      {
        ...LOG_OPTIONS,
        policy: { type: 'string' },
        inject: { type: 'string' },
        control: { type: 'string' },
        candidate: { type: 'string' },
        replicates: { type: 'string' },
        resamples: { type: 'string' },
        seed: { type: 'string' },
        'block-minutes': { type: 'string' },
        mode: { type: 'string' },
        progress: { type: 'boolean' },
      },
      1,
    );
    const path = args.positionals[0];
    if (path === undefined) throw new UsageError('LOG is required (a file path, or - for standard input)');
    const parseOptions = logParseOptions(args);
    const replicates = numberOption(args, 'replicates', { default: 200, min: 1, max: 1e7, integer: true });
    const resamples = numberOption(args, 'resamples', { default: Math.min(replicates, 20), min: 1, max: replicates, integer: true });
    const seedText = stringOption(args, 'seed', '1');
    const seed = /^-?\d+$/.test(seedText) && Number.isSafeInteger(Number(seedText)) ? Number(seedText) : seedText;
    const mode = choiceOption<FidelityMode>(args, 'mode', ['window', 'request'], 'window');
    const blockMinutes = args.values['block-minutes'] === undefined ? undefined : numberOption(args, 'block-minutes', { min: 1, max: 1440, integer: true });
    let injections: Injection[] = [];
    if (args.values.inject !== undefined) {
      try {
        injections = parseInjection(String(args.values.inject));
      } catch (error) {
        if (error instanceof RangeError) throw new UsageError(`--inject: ${error.message}`);
        throw error;
      }
    }
    let policy: Policy;
    try {
      policy = loadPolicyFile(args.values.policy as string | undefined);
    } catch (error) {
      if (error instanceof InvalidFileError) return reportInvalidFile(io, 'replay', error);
      throw error;
    }
    const log = await readLog(path, parseOptions, io);
    const showProgress = args.values.progress === true || (io.stderr as { isTTY?: boolean }).isTTY === true;
    const result = replayLog(log, policy, {
      replicates,
      resamples,
      seed,
      mode,
      injections,
      ...(blockMinutes !== undefined ? { blockMinutes } : {}),
      ...(args.values.control !== undefined ? { control: String(args.values.control) } : {}),
      ...(args.values.candidate !== undefined ? { candidate: String(args.values.candidate) } : {}),
      onProgress: progressBar(io, showProgress),
    });
    const summary = result.summary;
    // Detection power: rollbacks among replicates whose candidate was worse than the tolerance.
    const worse = summary.missedRegressionRate.total;
    const detectionPower: RateEstimate = rateEstimate(summary.rollbackRate.count - summary.falseRollbackRate.count, worse);
    if (args.values.json) {
      writeJson(io, {
        file: path,
        policy: policy.name,
        injections,
        roles: result.roles,
        resamples: result.resamples,
        blockMinutes: result.blockMinutes,
        seed,
        mode,
        detectionPower,
        ...summary,
        parse: {
          rowsRead: log.report.rowsRead,
          rowsAccepted: log.report.rowsAccepted,
          rowsRejected: log.report.rowsRejected,
          rejectedByReason: log.report.rejectedByReason,
          warnings: log.report.warnings,
        },
      });
      return 0;
    }
    const roles = result.roles;
    const world =
      roles.mode === 'ab'
        ? `A/B replay: control '${roles.control}' (${roles.controlRequests} requests, error rate ${formatNumber(roles.controlErrorRate)}) vs candidate '${roles.candidate}' (${roles.candidateRequests} requests, error rate ${formatNumber(roles.candidateErrorRate)})${roles.ignored.length > 0 ? `; ignored versions ${roles.ignored.join(', ')}` : ''}`
        : `Replay: control = the log (${roles.controlRequests} requests, error rate ${formatNumber(roles.controlErrorRate)}); candidate = control${injections.length > 0 ? ` with ${String(args.values.inject)} (error rate ${formatNumber(roles.candidateErrorRate)})` : ' unchanged'}`;
    const rows: [string, string][] = [
      ['detection power', worse === 0 ? '— (no replicate had a worse candidate)' : formatRate(detectionPower)],
      ['false-rollback rate', formatRate(summary.falseRollbackRate)],
      ['missed-regression rate', formatRate(summary.missedRegressionRate)],
      ['rollback rate', formatRate(summary.rollbackRate)],
      ['promote rate', formatRate(summary.promoteRate)],
      ['undecided rate', formatRate(summary.undecidedRate)],
      [
        'detection time',
        summary.detectionTime.count === 0
          ? '—'
          : `median ${formatSeconds(summary.detectionTime.median)}, p90 ${formatSeconds(summary.detectionTime.p90)}`,
      ],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    const lines = [
      ...formatParseReport(log.report, path).slice(3, 4),
      world,
      `Policy '${policy.name}', ${replicates} replicates over ${result.resamples} bootstrap series of the arrivals (blocks of ${result.blockMinutes} min), seed ${seed}, ${mode} mode`,
      ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    ];
    io.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};

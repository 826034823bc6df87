/**
 * `rollout-lab replay LOG --map … [--policy P] [--inject SPEC] [--sticky-by COL] [--replicates N]
 * [--seed S] [--block-minutes B] [--allow-wrap]`: the production log's own requests — time,
 * status, latency and user together — are replayed in blocks (replayRequests.ts), the candidate
 * first identical to control (every rollback false) and then with the injected regression, on the
 * same traffic; beside the resampled estimate, the policy on the log's own consecutive windows.
 * It prints the error definition and statuses, the block length and how it was chosen, the
 * routing, why runs rolled back, runs that never got the requests they needed, and what the
 * injected regression and a missed one mean.
 */

import type { Policy } from '../../engine/policy/policy.ts';
import { formatElapsed, formatHours, formatRateWithCounts } from '../../engine/text/format.ts';
import { checkErrorDefinition, listStatuses } from '../../sim/replay/errorDefinition.ts';
import type { Injection } from '../../sim/replay/injection.ts';
import { parseInjection } from '../../sim/replay/injection.ts';
import type { RequestReplayResult, WorldSummary } from '../../sim/replay/replayReport.ts';
import { failingChecksLabel } from '../../sim/replay/replayReport.ts';
import { replayRequests } from '../../sim/replay/replayRequests.ts';
import { selectVersion } from '../../sim/replay/selectRows.ts';
import { numberOption, parseCommandArgs, seedOption, UsageError } from '../args.ts';
import { InvalidFileError, readPolicyFile, reportInvalidFile } from '../files.ts';
import type { CliIo, Command } from '../io.ts';
import { formatNumber, writeJson } from '../io.ts';
import { ERROR_WHEN_HELP, LOG_OPTIONS, LOG_USAGE, logParseOptions, readLog } from '../logInput.ts';
import { progressBar } from '../progressBar.ts';

/** Why the runs of one world rolled back, and those that never got their requests: indented lines. */
function worldLines(world: WorldSummary, counted: string): string[] {
  const lines: string[] = [];
  for (const { reason, count } of world.reasons) lines.push(`    ${reason}: ${count} of ${world.runs} runs`);
  if (world.failingChecks.length > 0) {
    lines.push(`    ${counted} at rollback: ${world.failingChecks.map((f) => `${f.checks} (${f.count} runs)`).join(', ')}`);
  }
  for (const entry of world.starved) lines.push(`    ${entry.message}`);
  if (world.undecidedRate.count > 0)
    lines.push(`    undecided when the replayed time ran out: ${world.undecidedRate.count} of ${world.runs} runs`);
  return lines;
}

/** The result for people. */
export function replayText(result: RequestReplayResult, path: string, policy: Policy): string[] {
  const definition = result.errorDefinition;
  const own = result.ownWindows;
  const lines = [
    `Log ${path}: ${result.log.requests.toLocaleString('en-US')} requests over ${formatHours(result.log.spanSeconds)}${result.log.users === null ? '' : `, ${result.log.users.toLocaleString('en-US')} users`}`,
    `Error definition: ${definition.description}`,
    `  statuses: ${listStatuses(
      definition.statuses.map((s) => ({ status: `${s.status}${s.error ? ' (error)' : ''}`, count: s.count })),
      12,
    )}; error rate ${formatNumber(definition.errorRate)} (${definition.errors.toLocaleString('en-US')} of ${definition.requests.toLocaleString('en-US')})`,
    ...(definition.rejectedStatuses.length > 0 ? [`  rejected as unrecognised: ${listStatuses(definition.rejectedStatuses)}`] : []),
    `Policy '${policy.name}': a rollout takes up to ${formatHours(result.rolloutSeconds)}; ${result.replicates} replicates, seed ${result.seed}`,
    `Resampling: whole requests (time, status, latency, user) in blocks of ${result.blockLength.explanation}`,
    `Routing: ${result.routing.by === 'user' ? `sticky by the user column '${result.routing.column}'` : 'by a hash of each request (the log maps no user column)'}, flag group '${result.routing.group}'`,
    ...(result.shorterThanRollout
      ? [
          `Warning: the log (${formatHours(result.log.spanSeconds)}) is shorter than the rollout (${formatHours(result.rolloutSeconds)}): its blocks are reused (--allow-wrap), and the check on its own windows has no run`,
        ]
      : []),
    '',
    'Healthy candidate (identical to control: every rollback is false):',
    `  false-rollback rate, replay             ${formatRateWithCounts(result.falseRollbackRate)}`,
    `  false-rollback rate, the log's windows  ${own.runs === 0 ? '— (the log is shorter than one rollout)' : `${formatRateWithCounts(own.falseRollbackRate)}  (${own.runs} runs started every ${formatElapsed(own.startEverySeconds)}; they overlap: ${own.nonOverlappingRuns} would not, so its interval is optimistic)`}`,
    `  promoted ${formatRateWithCounts(result.healthy.promoteRate)}, undecided ${formatRateWithCounts(result.healthy.undecidedRate)}`,
    '  why runs ended without a promotion (replay):',
    ...worldLines(result.healthy, failingChecksLabel(policy)),
  ];
  if (own.runs > 0)
    lines.push("  why runs ended without a promotion (the log's own windows):", ...worldLines(own.summary, failingChecksLabel(policy)));
  const detection = result.detection;
  const regression = result.regression;
  if (detection !== null && regression !== null) {
    const time = detection.detectionTime;
    lines.push(
      '',
      `Regressed candidate: ${regression.description}, ${regression.onset}.`,
      'Paired with the healthy run on the same traffic:',
      `  rolled back only because of the regression  ${formatRateWithCounts(detection.onlyBecauseOfRegression)}`,
      `  rolled back in both (noise would have)      ${formatRateWithCounts(detection.inBoth)}`,
      `  rolled back only without the regression     ${formatRateWithCounts(detection.onlyWithoutRegression)}`,
      `  missed (promoted the regressed candidate)   ${formatRateWithCounts(detection.missed)}`,
      `  undecided                                   ${formatRateWithCounts(detection.regressed.undecidedRate)}`,
      `  detection time from the onset             ${time.count === 0 ? '—' : `median ${formatElapsed(time.median)}, p90 ${formatElapsed(time.p90)} (${time.count} runs rolled back only because of it)`}`,
      '  why regressed runs ended without a promotion:',
      ...worldLines(detection.regressed, failingChecksLabel(policy)),
      `What a miss means: ${regression.missedMeaning}.`,
    );
  } else {
    lines.push('', 'No regression injected (--inject): only false rollbacks are measured.');
  }
  return lines;
}

/** `rollout-lab replay`. Exit code 0, or 2 on bad input. */
export const replayCommand: Command = {
  name: 'replay',
  summary:
    "replay a production log's requests in blocks: false-rollback rate (beside the log's own windows), detection net of noise, and why runs rolled back",
  usage: `replay LOG ${LOG_USAGE} [--policy POLICY.json] [--inject SPEC] [--sticky-by COL] [--control V] [--replicates N] [--seed S] [--block-minutes B] [--allow-wrap] [--progress] [--json]

--sticky-by COL routes by the log's user/session column COL (default: the mapped user column; a
  column missing from the log is an error); without one, each request is routed by its own hash.
--block-minutes B sets the resampling block; default from the data (Politis–White).
--allow-wrap replays a log shorter than the rollout by reusing its blocks (refused otherwise).
--control V replays only the requests of model version V (a log mapping model=COL).
--inject SPEC: latency*1.3, latency+50ms, errors*2, errors+0.01, leak:latency+2ms/h, … (comma-separated).

${ERROR_WHEN_HELP}`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseCommandArgs(
      argv,
      {
        ...LOG_OPTIONS,
        policy: { type: 'string' },
        inject: { type: 'string' },
        control: { type: 'string' },
        'sticky-by': { type: 'string' },
        replicates: { type: 'string' },
        seed: { type: 'string' },
        'block-minutes': { type: 'string' },
        'allow-wrap': { type: 'boolean' },
        progress: { type: 'boolean' },
      },
      1,
    );
    const path = args.positionals[0];
    if (path === undefined) throw new UsageError('LOG is required (a file path, or - for standard input)');
    const parseOptions = logParseOptions(args);
    const stickyBy = args.values['sticky-by'] === undefined ? undefined : String(args.values['sticky-by']).trim();
    if (stickyBy !== undefined) {
      if (stickyBy === '') throw new UsageError('--sticky-by must name a column of the log');
      const mapped = parseOptions.mapping.user;
      if (mapped !== undefined && mapped !== stickyBy)
        throw new UsageError(`--sticky-by '${stickyBy}' differs from the mapped user column '${mapped}': give one`);
      parseOptions.mapping = { ...parseOptions.mapping, user: stickyBy };
    }
    const replicates = numberOption(args, 'replicates', { default: 200, min: 1, max: 1e7, integer: true });
    const seed = seedOption(args) ?? 1;
    const blockMinutes =
      args.values['block-minutes'] === undefined ? undefined : numberOption(args, 'block-minutes', { min: 1, max: 1440, integer: true });
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
      policy = readPolicyFile(args.values.policy as string | undefined);
    } catch (error) {
      if (error instanceof InvalidFileError) return reportInvalidFile(io, 'replay', error);
      throw error;
    }
    let log = await readLog(path, parseOptions, io);
    checkErrorDefinition(log);
    if (args.values.control !== undefined) log = selectVersion(log, String(args.values.control));
    const showProgress = args.values.progress === true || (io.stderr as { isTTY?: boolean }).isTTY === true;
    const result = replayRequests(log, policy, {
      replicates,
      seed,
      injections,
      ...(blockMinutes !== undefined ? { blockMinutes } : {}),
      allowShorterLog: args.values['allow-wrap'] === true,
      onProgress: progressBar(io, showProgress),
    });
    if (args.values.json) {
      writeJson(io, {
        file: path,
        policy: policy.name,
        ...result,
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
    io.stdout.write(replayText(result, path, policy).join('\n') + '\n');
    return 0;
  },
};

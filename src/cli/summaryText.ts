/**
 * The one text form of a simulation result, shared by every command that prints one: `simulate`
 * and `merge` of a sharded simulate print the same summary, `sweep` and `merge` of a sharded
 * sweep the same table, so the same result always reads the same (issue 11: "one formatter").
 */
import { formatElapsed, formatNumber, formatRateWithCounts } from '../engine/text/format.ts';
import type { RateEstimate, SimulationSummary } from '../sim/summary.ts';

/**
 * The former names of `formatElapsed` and `formatRateWithCounts`, kept for the callers written
 * before src/engine/text/format.ts owned them.
 * @deprecated import `formatElapsed` and `formatRateWithCounts` from src/engine/text/format.ts.
 */
export { formatElapsed as formatSeconds, formatRateWithCounts as formatRate } from '../engine/text/format.ts';

/** What a `simulate` run prints above its summary (the fields of its `--json` output). */
export interface SimulationHeading {
  scenario: string;
  policy: string;
  mode: string;
  seed: number | string;
  replicates: number;
}

/** The text `simulate` prints: a heading line, then one aligned row per measure. */
export function simulationSummaryText(heading: SimulationHeading, summary: SimulationSummary): string {
  const header = `scenario '${heading.scenario}', policy '${heading.policy}', ${heading.mode} mode, ${heading.replicates} replicates, seed ${heading.seed}`;
  const rows: [string, string][] = [
    ['false-rollback rate', formatRateWithCounts(summary.falseRollbackRate)],
    ['missed-regression rate', formatRateWithCounts(summary.missedRegressionRate)],
    ['rollback rate', formatRateWithCounts(summary.rollbackRate)],
    ['promote rate', formatRateWithCounts(summary.promoteRate)],
    ['undecided rate', formatRateWithCounts(summary.undecidedRate)],
  ];
  if (summary.candidateWinRate.total > 0) {
    rows.push(
      ['A/B: candidate won', formatRateWithCounts(summary.candidateWinRate)],
      ['A/B: control won', formatRateWithCounts(summary.controlWinRate)],
    );
  }
  if (summary.segmentWinnerRate.total > 0)
    rows.push(['A/B: a segment winner the aggregate hid', formatRateWithCounts(summary.segmentWinnerRate)]);
  const detection = summary.detectionTime;
  rows.push(
    [
      'detection time',
      detection.count === 0
        ? '— (no worse candidate was rolled back)'
        : `mean ${formatElapsed(detection.mean)}, median ${formatElapsed(detection.median)}, p90 ${formatElapsed(detection.p90)} (${detection.count} rollbacks)`,
    ],
    ['mean time to decision', formatElapsed(summary.meanDecisionTime)],
    [
      'served while worse',
      `${formatNumber(summary.exposure.requestsServedWhileWorse)} requests, ${formatNumber(summary.exposure.usersServedWhileWorse)} users per replicate`,
    ],
    ['failed by the candidate', `${formatNumber(summary.exposure.failedRequests)} requests per replicate`],
  );
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${header}\n${rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}

/** What a `sweep` prints above its table (the fields of its `--json` output). */
export interface SweepHeading {
  scenarios: string[];
  policy: string | null;
  parameters: string[];
  mode: string;
  seed: number | string;
  replicates: number;
}

/** One row of a sweep: the setting (parameter → value) and its summary. */
export interface SweepRowSummary {
  setting: Record<string, unknown>;
  summary: SimulationSummary;
}

function rateCell(rate: RateEstimate): string {
  if (rate.rate === null) return '—';
  return `${formatNumber(rate.rate, 3)} [${formatNumber(rate.lower as number, 3)}, ${formatNumber(rate.upper as number, 3)}]`;
}

/** The operating-characteristics table `sweep` prints. */
export function sweepTableText(heading: SweepHeading, rows: readonly SweepRowSummary[]): string {
  const header = [
    ...heading.parameters,
    'false-rollback rate [95% CI]',
    'missed-regression rate [95% CI]',
    'rollback',
    'promote',
    'mean detection',
  ];
  const table = rows.map((row) => [
    ...heading.parameters.map((name) => String(row.setting[name])),
    rateCell(row.summary.falseRollbackRate),
    rateCell(row.summary.missedRegressionRate),
    rateCell(row.summary.rollbackRate).split(' ')[0],
    rateCell(row.summary.promoteRate).split(' ')[0],
    formatElapsed(row.summary.detectionTime.mean),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return (
    `operating characteristics: ${heading.scenarios.map((name) => `'${name}'`).join(' + ')}, policy '${heading.policy ?? 'policy'}', ${heading.mode} mode, ${heading.replicates} replicates per scenario and setting, seed ${heading.seed}\n` +
    `${line(header)}\n${table.map(line).join('\n')}\n`
  );
}

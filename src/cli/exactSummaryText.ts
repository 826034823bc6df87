/**
 * The text form of an exact evaluation (src/sim/exact/): the rows `simulate` prints for a
 * Monte-Carlo run (summaryText.ts), with exact probabilities instead of rates with intervals, and
 * `sweep`'s table likewise. A number that is exact needs no interval; the neglected probability
 * mass (the bound on every rate's error) is printed once.
 */

import type { ExactSummary } from '../sim/exact/exactTally.ts';
import type { RateEstimate } from '../sim/summary.ts';
import { formatNumber } from './io.ts';
import { formatSeconds } from './summaryText.ts';

/** `0.9606 (exact)`, or `—` when the rate has no denominator. */
export function formatExactRate(rate: RateEstimate): string {
  if (rate.rate === null) return '—  (no rollout ends in its denominator)';
  return `${formatNumber(rate.rate, 6)}  (exact)`;
}

/** What an exact `simulate` prints above its summary. */
export interface ExactHeading {
  scenario: string;
  policy: string;
  /** Nodes of the historical baseline's law the answer used (`ExactResult.baselineNodes`); printed when above 1. */
  baselineNodes?: number;
}

/**
 * The approximations an exact answer made (`ExactResult.approximations`), one line each under
 * the table — never silent. Empty when none.
 */
export function approximationLines(approximations: readonly string[]): string {
  return approximations.map((note) => `  approximation: ${note}\n`).join('');
}

/** The text of an exact `simulate`: a heading line, then one aligned row per measure, then the approximations made. */
export function exactSummaryText(heading: ExactHeading, summary: ExactSummary, approximations: readonly string[] = []): string {
  const header = `scenario '${heading.scenario}', policy '${heading.policy}', exact mode (no sampling; neglected probability ${formatNumber(summary.neglectedMass, 2)}${(heading.baselineNodes ?? 1) > 1 ? `; historical baseline's law at ${heading.baselineNodes} nodes` : ''})`;
  const detection = summary.detectionTime;
  const rows: [string, string][] = [
    ['false-rollback rate', formatExactRate(summary.falseRollbackRate)],
    ['missed-regression rate', formatExactRate(summary.missedRegressionRate)],
    ['rollback rate', formatExactRate(summary.rollbackRate)],
    ['promote rate', formatExactRate(summary.promoteRate)],
    ['undecided rate', formatExactRate(summary.undecidedRate)],
    [
      'detection time',
      detection.mean === null
        ? '— (no worse candidate is rolled back)'
        : `mean ${formatSeconds(detection.mean)}, median ${formatSeconds(detection.median)}, p90 ${formatSeconds(detection.p90)} (P(detected) ${formatNumber(detection.count, 6)})`,
    ],
    ['mean time to decision', formatSeconds(summary.meanDecisionTime)],
    [
      'served while worse',
      `${formatNumber(summary.exposure.requestsServedWhileWorse)} requests, ${formatNumber(summary.exposure.usersServedWhileWorse)} users per rollout (expected)`,
    ],
    ['failed by the candidate', `${formatNumber(summary.exposure.failedRequests)} requests per rollout (expected)`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${header}\n${rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n')}\n${approximationLines(approximations)}`;
}

/** One row of an exact sweep: the setting and its summary (and the baseline nodes its answers used, when known). */
export interface ExactSweepRow {
  setting: Record<string, unknown>;
  summary: ExactSummary;
  baselineNodes?: number;
}

/**
 * The operating-characteristics table of an exact `sweep`; a 'baseline nodes' column when some
 * row's historical baseline law has more than one node (the evaluator may refine it per setting).
 */
export function exactSweepTableText(
  heading: { scenarios: string[]; policy: string | null; parameters: string[] },
  rows: readonly ExactSweepRow[],
  approximations: readonly string[] = [],
): string {
  const cell = (rate: RateEstimate) => (rate.rate === null ? '—' : formatNumber(rate.rate, 6));
  const nodes = rows.some((row) => (row.baselineNodes ?? 1) > 1);
  const header = [
    ...heading.parameters,
    'false-rollback rate',
    'missed-regression rate',
    'rollback',
    'promote',
    'mean detection',
    ...(nodes ? ['baseline nodes'] : []),
  ];
  const table = rows.map((row) => [
    ...heading.parameters.map((name) => String(row.setting[name])),
    cell(row.summary.falseRollbackRate),
    cell(row.summary.missedRegressionRate),
    cell(row.summary.rollbackRate),
    cell(row.summary.promoteRate),
    formatSeconds(row.summary.detectionTime.mean),
    ...(nodes ? [String(row.baselineNodes ?? 1)] : []),
  ]);
  const widths = header.map((text, i) => Math.max(text.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((text, i) => text.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return (
    `operating characteristics: ${heading.scenarios.map((name) => `'${name}'`).join(' + ')}, policy '${heading.policy ?? 'policy'}', exact mode (no sampling)\n` +
    `${line(header)}\n${table.map(line).join('\n')}\n${approximationLines(approximations)}`
  );
}

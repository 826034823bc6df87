/**
 * `rollout-lab log inspect`: import a production request log (CSV, TSV or JSON lines), report
 * what could and could not be read, and summarise it per model and per segment.
 */

import { formatHours } from '../../engine/text/format.ts';
import { checkErrorDefinition, describeErrorDefinition, listStatuses } from '../../sim/replay/errorDefinition.ts';
import type { GroupSummary, LogSummary } from '../../sim/replay/logSummary.ts';
import { summarizeLog } from '../../sim/replay/logSummary.ts';
import type { ParseReport } from '../../sim/replay/parseLog.ts';
import { REJECT_REASONS } from '../../sim/replay/parseLog.ts';
import { parseCommandArgs, UsageError } from '../args.ts';
import type { CliIo, Command } from '../io.ts';
import { formatNumber, writeJson } from '../io.ts';
import { ERROR_WHEN_HELP, LOG_OPTIONS, LOG_USAGE, logParseOptions, readLog } from '../logInput.ts';

/** A group summary as plain JSON (the sketch is summarised by its quantiles). */
function groupJson(group: GroupSummary) {
  const { sketch, ...rest } = group;
  return {
    ...rest,
    sketchQuantiles: sketch.count > 0 ? { p50: sketch.quantile(0.5), p95: sketch.quantile(0.95), p99: sketch.quantile(0.99) } : null,
  };
}

/** The summary as plain JSON. */
export function summaryJson(summary: LogSummary) {
  return {
    ...summary,
    overall: groupJson(summary.overall),
    byModel: summary.byModel.map(groupJson),
    bySegment: summary.bySegment.map(groupJson),
  };
}

/** The parse report for people: counts, reasons, examples, statuses, warnings. */
export function formatParseReport(report: ParseReport, path: string): string[] {
  const rejectedShare = report.rowsRead > 0 ? ` (${formatNumber((100 * report.rowsRejected) / report.rowsRead)}%)` : '';
  const lines = [
    `Log ${path}: ${report.format}, ${report.linesRead} lines, latency unit ${report.latencyUnit}, error rule ${report.errorRule}`,
    `Columns: ${report.columns.map((c) => `'${c}'`).join(', ')}`,
    `Mapped: ${Object.entries(report.mapped)
      .map(([field, column]) => `${field}='${column}'`)
      .join(', ')}`,
    `Rows read ${report.rowsRead}, accepted ${report.rowsAccepted}, rejected ${report.rowsRejected}${rejectedShare}; ${report.blankLines} blank line${report.blankLines === 1 ? '' : 's'} skipped`,
  ];
  if (report.rowsRejected > 0) {
    lines.push('Rejected by reason:');
    for (const reason of REJECT_REASONS) {
      const count = report.rejectedByReason[reason];
      if (count > 0) lines.push(`  ${reason.padEnd(20)} ${count}`);
    }
    lines.push(`First ${report.examples.length} rejected row${report.examples.length === 1 ? '' : 's'}:`);
    for (const example of report.examples) {
      lines.push(`  line ${example.line}: ${example.reason}: ${example.message}`);
      lines.push(`    ${example.raw}`);
    }
  }
  const missing = Object.entries(report.missing).filter(([field, count]) => count > 0 && report.mapped[field as 'user'] !== undefined);
  if (missing.length > 0)
    lines.push(`Accepted rows with a blank value: ${missing.map(([field, count]) => `${field} ${count}`).join(', ')}`);
  const kinds = Object.entries(report.timestampKinds);
  if (kinds.length > 0) lines.push(`Timestamps read as: ${kinds.map(([kind, count]) => `${kind} ${count}`).join(', ')}`);
  lines.push(`Error definition: ${describeErrorDefinition(report).description}`);
  if (report.unrecognisedStatuses.length > 0) {
    lines.push(`Statuses the rule does not recognise (rows rejected): ${listStatuses(report.unrecognisedStatuses, 12)}`);
  }
  if (report.statuses.length > 0) {
    const shown = report.statuses.slice(0, 12);
    lines.push(
      `Statuses: ${shown.map((s) => `'${s.status}' ${s.count} (${s.error ? 'error' : 'ok'})`).join(', ')}${
        report.statuses.length > shown.length ? `, and ${report.statuses.length - shown.length} more` : ''
      }`,
    );
  }
  for (const warning of report.warnings) lines.push(`Warning: ${warning}`);
  return lines;
}

function formatGroup(label: string, group: GroupSummary): string {
  const interval = group.errorRateInterval;
  const quantiles = group.latency ? group.latency.quantiles.map((q) => formatNumber(q.value).padStart(9)).join('') : '        —'.repeat(4);
  return (
    `  ${label.padEnd(24).slice(0, 24)} ${String(group.requests).padStart(9)} ${String(group.errors).padStart(7)}  ${(
      formatNumber(100 * group.errorRate) + '%'
    ).padStart(8)} [${formatNumber(100 * interval.lower)}%, ${formatNumber(100 * interval.upper)}%]`.padEnd(78) + quantiles
  );
}

/** The summary for people: span, table per model and segment, daily pattern. */
export function formatSummary(summary: LogSummary): string[] {
  const lines: string[] = [];
  if (summary.timeSpan) {
    lines.push(
      `Time span ${summary.timeSpan.start} → ${summary.timeSpan.end} (${formatHours(summary.timeSpan.durationSeconds, 4)})` +
        (summary.requestsPerSecond === null ? '' : `, ${formatNumber(summary.requestsPerSecond)} requests/s on average`) +
        (summary.users === null ? '' : `, ${summary.users} users`),
    );
  }
  lines.push(
    `  ${'group'.padEnd(24)} ${'requests'.padStart(9)} ${'errors'.padStart(7)}  ${'rate'.padStart(8)} [95% Wilson interval]`.padEnd(78) +
      ['p50', 'p90', 'p95', 'p99'].map((p) => p.padStart(9)).join('') +
      '  (ms, type 7)',
  );
  lines.push(formatGroup('all', summary.overall));
  for (const group of summary.byModel) lines.push(formatGroup(`model ${group.key || '(blank)'}`, group));
  for (const group of summary.bySegment) lines.push(formatGroup(`segment ${group.key || '(blank)'}`, group));
  const hours = summary.arrivalsByHour.filter((h) => h.requestsPerSecond !== null);
  if (hours.length > 0) {
    lines.push('Arrivals by hour of day (UTC), requests/s:');
    lines.push('  ' + hours.map((h) => `${String(h.hour).padStart(2, '0')}h ${formatNumber(h.requestsPerSecond as number, 3)}`).join('  '));
  }
  return lines;
}

/** The `log inspect` command: exit 0 when rows were read, 1 when no row could be read, 2 on bad input. */
export const logInspectCommand: Command = {
  name: 'log inspect',
  summary: 'import a request log (CSV, TSV, JSON lines): parse report and per-model/segment summary',
  usage: `log inspect LOG ${LOG_USAGE} [--json]\n\n${ERROR_WHEN_HELP}`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseCommandArgs(argv, LOG_OPTIONS, 1);
    const path = args.positionals[0];
    if (path === undefined) throw new UsageError('LOG is required (a file path, or - for standard input)');
    const options = logParseOptions(args);
    const log = await readLog(path, options, io);
    const summary = summarizeLog(log);
    if (args.values.json) {
      writeJson(io, { file: path, report: log.report, summary: summaryJson(summary) });
    } else {
      io.stdout.write([...formatParseReport(log.report, path), '', ...formatSummary(summary)].join('\n') + '\n');
    }
    if (log.rows === 0) return 1;
    // A rule that matches no row or every row is refused as `replay` refuses it (exit 2), but only
    // after the report, which lists every status value with its count: inspecting is how a user
    // finds the right rule.
    try {
      checkErrorDefinition(log);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      io.stderr.write(`rollout-lab log inspect: ${error.message}\n`);
      return 2;
    }
    return 0;
  },
};

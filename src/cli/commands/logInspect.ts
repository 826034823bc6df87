/**
 * `rollout-lab log inspect`: import a production request log (CSV, TSV or JSON lines), report
 * what could and could not be read, and summarise it per model and per segment.
 */
import { createReadStream } from 'node:fs';
import { choiceOption, parseCommandArgs, stringOption, UsageError } from '../args.ts';
import type { ParsedArgs } from '../args.ts';
import { formatNumber, writeJson } from '../io.ts';
import type { CliIo, Command } from '../io.ts';
import { parseColumnMapping } from '../../sim/replay/columnMapping.ts';
import { DEFAULT_ERROR_RULE, parseErrorRule } from '../../sim/replay/errorRule.ts';
import { LOG_FORMATS } from '../../sim/replay/logFormat.ts';
import type { LogFormat } from '../../sim/replay/logFormat.ts';
import { LATENCY_UNITS } from '../../sim/replay/parseLatency.ts';
import type { LatencyUnit } from '../../sim/replay/parseLatency.ts';
import { LogParser, REJECT_REASONS } from '../../sim/replay/parseLog.ts';
import type { ParsedLog, ParseLogOptions, ParseReport } from '../../sim/replay/parseLog.ts';
import { summarizeLog } from '../../sim/replay/logSummary.ts';
import { checkErrorDefinition, describeErrorDefinition, listStatuses } from '../../sim/replay/errorDefinition.ts';
import type { GroupSummary, LogSummary } from '../../sim/replay/logSummary.ts';

/** The options shared by every command that reads a log (`log inspect`, `replay`). */
export const LOG_OPTIONS = {
  map: { type: 'string' },
  'latency-unit': { type: 'string' },
  'error-when': { type: 'string' },
  format: { type: 'string' },
} as const;

/** Usage text of the shared log options. */
export const LOG_USAGE = '--map timestamp=COL,latency=COL,status=COL[,model=COL][,segment=COL][,user=COL] [--latency-unit ms|s|us] [--error-when EXPR] [--format csv|tsv|jsonl]';

/** What `--error-when` accepts (src/sim/replay/errorRule.ts), for `--help`. */
export const ERROR_WHEN_HELP = [
  '--error-when EXPR says which requests failed, from the status column:',
  '  EXPR := comparison | not EXPR | EXPR and EXPR | EXPR or EXPR | ( EXPR )     (also !, &&, ||)',
  '  comparison := status (== | = | != | <> | < | <= | > | >=) VALUE | status [not] in (VALUE, …)',
  '  VALUE: a number (503), a class (5xx = 500–599), a word (FAILED, timeout) or a quoted word',
  "  Words compare case-insensitively, with spaces, _ and - alike; < <= > >= compare numbers only.",
  '  Examples: "status >= 500"   "status == FAILED"   "status in (error, timeout) or status == 5xx"',
  '  Without it: HTTP 500–599 and error words (error, failed, timeout, …) are errors, 100–499 and',
  '  success words (ok, success, …) are not, and any other status is rejected as unrecognised.',
  'The rule used and every status value with its count are printed; a rule that matches no row or',
  'every row is refused (exit 2).',
].join('\n');

/** Reads the shared log options into parser options; bad values become a UsageError naming the option. */
export function logParseOptions(args: ParsedArgs): ParseLogOptions {
  let mapping;
  try {
    mapping = parseColumnMapping(stringOption(args, 'map'));
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(`--map: ${error.message}`);
    throw error;
  }
  const latencyUnit = choiceOption<LatencyUnit>(args, 'latency-unit', LATENCY_UNITS, 'ms');
  const ruleText = args.values['error-when'];
  let errorRule = DEFAULT_ERROR_RULE;
  if (ruleText !== undefined) {
    try {
      errorRule = parseErrorRule(String(ruleText));
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(`--error-when: ${error.message}`);
      throw error;
    }
  }
  const format = args.values.format === undefined ? undefined : choiceOption<LogFormat>(args, 'format', LOG_FORMATS, 'csv');
  return { mapping, latencyUnit, errorRule, ...(format ? { format } : {}) };
}

/**
 * Streams the log at `path` ('-' for standard input) through a `LogParser`, decoding UTF-8 in
 * chunks so that memory holds the typed columns and one chunk, not the file's text. A file that
 * cannot be opened is a UsageError; a mapping that does not fit the header, a RangeError
 * (exit code 2 either way).
 */
export async function readLog(path: string, options: ParseLogOptions, io: CliIo): Promise<ParsedLog> {
  const parser = new LogParser(options);
  const decoder = new TextDecoder('utf-8');
  if (path === '-') {
    if (!io.stdin) throw new UsageError('LOG is - but there is no standard input');
    for await (const chunk of io.stdin) {
      if (typeof chunk === 'string') parser.push(chunk, chunk.length);
      else parser.push(decoder.decode(chunk, { stream: true }), chunk.byteLength);
    }
  } else {
    try {
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
        parser.push(decoder.decode(chunk as Uint8Array, { stream: true }), (chunk as Uint8Array).byteLength);
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
        throw new UsageError(`LOG: cannot read '${path}' (${code})`);
      }
      throw error;
    }
  }
  parser.push(decoder.decode());
  return parser.finish();
}

/** A group summary as plain JSON (the sketch is summarised by its quantiles). */
function groupJson(group: GroupSummary) {
  const { sketch, ...rest } = group;
  return {
    ...rest,
    sketchQuantiles:
      sketch.count > 0 ? { p50: sketch.quantile(0.5), p95: sketch.quantile(0.95), p99: sketch.quantile(0.99) } : null,
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
  if (missing.length > 0) lines.push(`Accepted rows with a blank value: ${missing.map(([field, count]) => `${field} ${count}`).join(', ')}`);
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
  return `  ${label.padEnd(24).slice(0, 24)} ${String(group.requests).padStart(9)} ${String(group.errors).padStart(7)}  ${(
    formatNumber(100 * group.errorRate) + '%'
  ).padStart(8)} [${formatNumber(100 * interval.lower)}%, ${formatNumber(100 * interval.upper)}%]`.padEnd(78) + quantiles;
}

/** The summary for people: span, table per model and segment, daily pattern. */
export function formatSummary(summary: LogSummary): string[] {
  const lines: string[] = [];
  if (summary.timeSpan) {
    lines.push(
      `Time span ${summary.timeSpan.start} → ${summary.timeSpan.end} (${formatNumber(summary.timeSpan.durationSeconds / 3600)} h)` +
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

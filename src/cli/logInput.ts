/**
 * Reading a production request log from the command line, shared by `log inspect` and `replay`:
 * the options that describe the log (`--map`, `--latency-unit`, `--error-when`, `--format`)
 * and the streaming read of the file or standard input through the sim's `LogParser`.
 */
import { createReadStream } from 'node:fs';
import { parseColumnMapping } from '../sim/replay/columnMapping.ts';
import { DEFAULT_ERROR_RULE, parseErrorRule } from '../sim/replay/errorRule.ts';
import type { LogFormat } from '../sim/replay/logFormat.ts';
import { LOG_FORMATS } from '../sim/replay/logFormat.ts';
import type { LatencyUnit } from '../sim/replay/parseLatency.ts';
import { LATENCY_UNITS } from '../sim/replay/parseLatency.ts';
import type { ParsedLog, ParseLogOptions } from '../sim/replay/parseLog.ts';
import { LogParser } from '../sim/replay/parseLog.ts';
import type { ParsedArgs } from './args.ts';
import { choiceOption, stringOption, UsageError } from './args.ts';
import type { CliIo } from './io.ts';

/** The options shared by every command that reads a log (`log inspect`, `replay`). */
export const LOG_OPTIONS = {
  map: { type: 'string' },
  'latency-unit': { type: 'string' },
  'error-when': { type: 'string' },
  format: { type: 'string' },
} as const;

/** Usage text of the shared log options. */
export const LOG_USAGE =
  '--map timestamp=COL,latency=COL,status=COL[,model=COL][,segment=COL][,user=COL] [--latency-unit ms|s|us] [--error-when EXPR] [--format csv|tsv|jsonl]';

/** What `--error-when` accepts (src/sim/replay/errorRule.ts), for `--help`. */
export const ERROR_WHEN_HELP = [
  '--error-when EXPR says which requests failed, from the status column:',
  '  EXPR := comparison | not EXPR | EXPR and EXPR | EXPR or EXPR | ( EXPR )     (also !, &&, ||)',
  '  comparison := status (== | = | != | <> | < | <= | > | >=) VALUE | status [not] in (VALUE, …)',
  '  VALUE: a number (503), a class (5xx = 500–599), a word (FAILED, timeout) or a quoted word',
  '  Words compare case-insensitively, with spaces, _ and - alike; < <= > >= compare numbers only.',
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

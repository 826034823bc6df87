/**
 * A parsed log restricted to some of its rows (one model version of a log holding several), so
 * that the replay replays that version's requests alone.
 */
import type { DictionaryColumn, ParsedLog } from './parseLog.ts';

function subsetColumn(column: DictionaryColumn, rows: readonly number[]): DictionaryColumn {
  return { codes: Uint32Array.from(rows, (row) => column.codes[row]), values: column.values };
}

/**
 * The rows of `log` whose model is `version`; throws a RangeError naming the versions when the
 * log maps no model column or has no such version. The report is kept (it describes the file);
 * `rows` and the columns are the subset's. O(rows).
 */
export function selectVersion(log: ParsedLog, version: string): ParsedLog {
  const model = log.model;
  if (model === undefined) throw new RangeError(`control '${version}' needs a model column: map one with model=COL`);
  const code = model.values.indexOf(version);
  if (code < 0)
    throw new RangeError(`control must be a model version of the log (${model.values.map((v) => `'${v}'`).join(', ')}), got '${version}'`);
  const rows: number[] = [];
  for (let i = 0; i < log.rows; i++) if (model.codes[i] === code) rows.push(i);
  return {
    rows: rows.length,
    timestamps: Float64Array.from(rows, (row) => log.timestamps[row]),
    latencies: Float64Array.from(rows, (row) => log.latencies[row]),
    errors: Uint8Array.from(rows, (row) => log.errors[row]),
    status: subsetColumn(log.status, rows),
    model: subsetColumn(model, rows),
    ...(log.segment ? { segment: subsetColumn(log.segment, rows) } : {}),
    ...(log.user ? { user: subsetColumn(log.user, rows) } : {}),
    report: log.report,
  };
}

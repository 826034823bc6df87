/**
 * The import report for people and for JSON, written once for the CLI (`policy import`, `audit`)
 * and the app: the fields mapped (file, document and path → policy path, with the values), the
 * fields the policy cannot represent and why, the assumptions, and what the original does at zero
 * traffic. The JSON form drops `toSource` (a function).
 */
import type { ImportReport, MappedField } from './importTypes.ts';
import { formatLocation } from './importTypes.ts';

/** A mapped field as plain data. */
export type MappedFieldJson = Omit<MappedField, 'toSource'> & { convertsBack: boolean };

/** The report as JSON-safe data. */
export interface ImportReportJson extends Omit<ImportReport, 'mapped'> {
  mapped: MappedFieldJson[];
}

/** The report without functions (`convertsBack` says whether a tuned value is converted when written back). */
export function importReportJson(report: ImportReport): ImportReportJson {
  return {
    ...report,
    mapped: report.mapped.map(({ toSource, ...field }) => ({ ...field, convertsBack: toSource !== undefined })),
  };
}

function policyPathText(path: readonly (string | number)[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value.replace(/\s+/g, ' ') : JSON.stringify(value);
  return text.length > 70 ? `${text.slice(0, 67)}...` : text;
}

/** The report as lines of text, by section (mapped / not represented / assumptions / zero traffic). */
export function importReportLines(report: ImportReport): string[] {
  const lines = [`mapped (${report.mapped.length}):`];
  for (const field of report.mapped) {
    lines.push(
      `  ${formatLocation(field.source)} = ${short(field.sourceValue)} → ${policyPathText(field.policyPath)} = ${short(field.policyValue)}${field.note ? ` (${field.note})` : ''}`,
    );
  }
  lines.push(`not represented (${report.unrepresented.length}):`);
  for (const field of report.unrepresented) lines.push(`  ${formatLocation(field.source)}: ${field.reason}`);
  lines.push(`assumptions (${report.assumptions.length}):`);
  for (const assumption of report.assumptions) {
    lines.push(`  ${assumption.source ? `${formatLocation(assumption.source)}: ` : ''}${assumption.text}`);
  }
  lines.push('zero traffic:', `  ${report.zeroTraffic}`);
  return lines;
}

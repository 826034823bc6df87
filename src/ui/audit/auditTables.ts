/**
 * What the audit view shows, as plain data (unit-tested without a browser): the import report in
 * rows, an audited policy stage by stage and overall in words, and a unified diff's lines by kind
 * so the view can mark additions and removals. Every rate goes through the lab's `formatRate`
 * (an exact rate prints without an interval) and every duration through the one formatter.
 */
import type { ImportReport } from '../../engine/import/importTypes.ts';
import { formatLocation } from '../../engine/import/importTypes.ts';
import { formatPolicyPath } from '../../engine/import/writeBack.ts';
import { formatElapsed } from '../../engine/text/format.ts';
import type { RolloutAudit } from '../../sim/audit/auditRollout.ts';
import type { RateEstimate } from '../../sim/summary.ts';
import { formatCount, formatNeglectedMass, formatPercent } from '../format.ts';
import { importSourceLabels } from '../lab/labImportedPolicy.ts';
import { formatRate } from '../lab/labModel.ts';

/** A value from the user's file or the policy, in one line: text as written, anything else as JSON. */
function valueText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const line = (text ?? String(value)).trim().replace(/\s*\n\s*/g, ' ');
  return line.length > 90 ? `${line.slice(0, 87)}…` : line;
}

/** The import report in rows: each mapped field, each field not represented, each assumption. */
export interface ImportReportRows {
  /** "Argo Rollouts: 12 fields mapped, 1 not represented, 3 assumptions." */
  summary: string;
  mapped: { location: string; sourceValue: string; policyPath: string; policyValue: string; note: string }[];
  unrepresented: { location: string; reason: string }[];
  assumptions: { location: string; text: string }[];
  zeroTraffic: string;
}

const plural = (count: number, one: string, many: string) => `${formatCount(count)} ${count === 1 ? one : many}`;

/** The import report as the view lists it. */
export function importReportRows(report: ImportReport): ImportReportRows {
  return {
    summary:
      `${importSourceLabels[report.source]}: ${plural(report.mapped.length, 'field mapped', 'fields mapped')}, ` +
      `${formatCount(report.unrepresented.length)} not represented, ${plural(report.assumptions.length, 'assumption', 'assumptions')}.`,
    mapped: report.mapped.map((field) => ({
      location: formatLocation(field.source),
      sourceValue: valueText(field.sourceValue),
      policyPath: formatPolicyPath(field.policyPath),
      policyValue: valueText(field.policyValue),
      note: field.note ?? '',
    })),
    unrepresented: report.unrepresented.map((field) => ({ location: formatLocation(field.source), reason: field.reason })),
    assumptions: report.assumptions.map((assumption) => ({
      location: assumption.source === undefined ? '' : formatLocation(assumption.source),
      text: assumption.text,
    })),
    zeroTraffic: report.zeroTraffic,
  };
}

/** One stage of an audited policy, formatted. */
export interface AuditStageRow {
  name: string;
  /** The candidate's share: "20.0%". */
  traffic: string;
  /** Healthy world: P(reaching the stage), P(rolled back in it). */
  reachedHealthy: string;
  falseRollback: string;
  /** Regressed world: P(reaching the stage), P(caught in it). */
  reachedRegressed: string;
  caught: string;
  /** Median time to detect of the regressions caught in the stage ("10m", "—"). */
  medianDetection: string;
  /** Expected requests served by the regressed candidate in the stage. */
  servedWhileWorse: string;
}

/**
 * A rate in the stage table: an exact rate as a bare percentage (the table's method line says it
 * is exact, once), a Monte-Carlo one with its interval (`formatRate`).
 */
function stageRate(estimate: RateEstimate): string {
  if (estimate.rate !== null && estimate.lower === estimate.upper) return formatPercent(estimate.rate, 2);
  return formatRate(estimate);
}

/** The audited policy's stages, formatted for the stage table. */
export function auditStageRows(audit: RolloutAudit): AuditStageRow[] {
  return audit.stages.map((stage) => ({
    name: stage.name,
    traffic: formatPercent(stage.traffic),
    reachedHealthy: stageRate(stage.reachedHealthy),
    falseRollback: stageRate(stage.falseRollback),
    reachedRegressed: stageRate(stage.reachedRegressed),
    caught: stageRate(stage.regressionRollback),
    // No time for a stage that catches nothing to the table's precision (0.00%): an exact chain still leaves vanishing
    // probabilities there (1e-20 and less), whose times would read as if the stage caught something.
    medianDetection: (stage.regressionRollback.rate ?? 0) < 0.00005 ? '—' : formatElapsed(stage.timeToDetect.median),
    servedWhileWorse: formatCount(Math.round(stage.requestsServedWhileWorse)),
  }));
}

/** The audited policy overall, one labelled line each, and how the numbers were obtained. */
export interface AuditOverall {
  rows: { key: string; label: string; value: string }[];
  /** "Exact (no sampling error; neglected probability below 1e-10)." or "Monte-Carlo, 200 replicates per world, seed 1: …". */
  method: string;
}

/** The overall rates of an audit and its method, in words. */
export function auditOverall(audit: RolloutAudit): AuditOverall {
  const within = formatElapsed(audit.detectWithin);
  const rows = [
    { key: 'falseRollback', label: 'False rollbacks: a healthy release rolled back', value: formatRate(audit.falseRollbackRate) },
    { key: 'missedRegression', label: 'Missed regressions: the regression promoted', value: formatRate(audit.missedRegressionRate) },
    { key: 'detection', label: `Regression caught within ${within} of first serving`, value: formatRate(audit.detectionRate) },
    {
      key: 'timeToDetect',
      label: 'Time to detect: median (90th percentile)',
      value:
        audit.timeToDetect.median === null ? '—' : `${formatElapsed(audit.timeToDetect.median)} (${formatElapsed(audit.timeToDetect.p90)})`,
    },
    {
      key: 'exposure',
      label: 'Served by the regressed candidate (mean per rollout)',
      value: `${formatCount(Math.round(audit.exposure.usersServedWhileWorse))} users, ${formatCount(Math.round(audit.exposure.requestsServedWhileWorse))} requests`,
    },
  ];
  const undecided = Math.max(audit.undecidedHealthy.rate ?? 0, audit.undecidedRegressed.rate ?? 0);
  if (undecided > 0) {
    rows.push({
      key: 'undecided',
      label: 'Still undecided at the horizon (healthy; regressed)',
      value: `${formatRate(audit.undecidedHealthy)}; ${formatRate(audit.undecidedRegressed)}`,
    });
  }
  const method =
    audit.method === 'exact'
      ? `Exact: no sampling error (probability neglected by the evaluator ${audit.neglectedMass === null ? 'none' : `≤ ${formatNeglectedMass(audit.neglectedMass)}`}).`
      : `Monte-Carlo: ${formatCount(audit.replicates ?? 0)} replicates per world, seed ${audit.seed}, 95% Wilson intervals` +
        (audit.fallback.length > 0 ? `; the exact evaluator does not cover ${audit.fallback.join('; ')}.` : '.');
  return { rows, method };
}

/** One row of the comparison of the original with the tuned policy: the same measure for each (the tuned one absent until tuning is done). */
export interface AuditComparisonRow {
  key: string;
  label: string;
  original: string;
  tuned: string | undefined;
}

/** The original's overall rates beside the tuned policy's (`auditOverall` of each, row by row). */
export function auditComparison(original: RolloutAudit, tuned: RolloutAudit | null | undefined): AuditComparisonRow[] {
  const before = auditOverall(original).rows;
  const after = tuned ? auditOverall(tuned).rows : [];
  const keys = [...new Set([...before, ...after].map((row) => row.key))];
  return keys.map((key) => {
    const row = before.find((candidate) => candidate.key === key);
    const other = after.find((candidate) => candidate.key === key);
    return { key, label: (row ?? other)?.label ?? key, original: row?.value ?? '—', tuned: tuned ? (other?.value ?? '—') : undefined };
  });
}

/** One line of a unified diff, by kind. */
export interface DiffLine {
  kind: 'file' | 'hunk' | 'add' | 'remove' | 'context';
  text: string;
}

/** A unified diff's lines, by kind (`---`/`+++` file headers, `@@` hunk headers, `+`, `-`, context). */
export function diffLines(diff: string): DiffLine[] {
  if (diff === '') return [];
  const lines = diff.endsWith('\n') ? diff.slice(0, -1).split('\n') : diff.split('\n');
  return lines.map((text): DiffLine => {
    if (text.startsWith('--- ') || text.startsWith('+++ ')) return { kind: 'file', text };
    if (text.startsWith('@@')) return { kind: 'hunk', text };
    if (text.startsWith('+')) return { kind: 'add', text };
    if (text.startsWith('-')) return { kind: 'remove', text };
    return { kind: 'context', text };
  });
}

/** The name a tuned file downloads as: the user's own file name, `tuned.yaml` for pasted text. */
export function tunedFileName(name: string, pastedName: string): string {
  return name === pastedName ? 'tuned.yaml' : name;
}

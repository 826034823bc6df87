/**
 * What counts as an error, made explicit (issue 12): the rule used, the distinct status values
 * with their counts and how the rule classified them, and a refusal when the rule cannot be what
 * the user meant — it matches no accepted row, or every one (e.g. the default rule on a log whose
 * successes are `SUCCEED`: every success is rejected as unrecognised and the failures alone
 * remain, an error rate of 1).
 */

import { DEFAULT_ERROR_WORDS } from './errorRule.ts';
import type { ParsedLog, ParseReport } from './parseLog.ts';
import type { ErrorDefinition } from './replayReport.ts';

/** The status values as one short list: `'SUCCEED' ×26,600, 'FAILED' ×398`. */
export function listStatuses(statuses: readonly { status: string; count: number }[], most = 8): string {
  const shown = statuses.slice(0, most).map((s) => `'${s.status}' ×${s.count.toLocaleString('en-US')}`);
  if (statuses.length > most) shown.push(`and ${statuses.length - most} more`);
  return shown.join(', ');
}

/** The error definition of a parse (see the module comment), from its report. O(distinct statuses). */
export function describeErrorDefinition(report: ParseReport): ErrorDefinition {
  const rows = report.rowsAccepted;
  let errors = 0;
  for (const status of report.statuses) if (status.error) errors += status.count;
  const rule = report.errorRule;
  const description =
    rule === 'default'
      ? `default rule: HTTP 500–599 and error words (${DEFAULT_ERROR_WORDS.slice(0, 6).join(', ')}, …) are errors, 100–499 and success words (ok, success, …) are not; any other status is rejected as unrecognised`
      : `--error-when '${rule}': a request is an error when its status satisfies this expression`;
  return {
    rule,
    description,
    statuses: report.statuses.map((s) => ({ ...s })),
    rejectedStatuses: (report.unrecognisedStatuses ?? []).map((s) => ({ ...s })),
    requests: rows,
    errors,
    errorRate: rows === 0 ? 0 : errors / rows,
  };
}

/**
 * Throws a one-line RangeError when the error definition matches no accepted row or every
 * accepted row (or no row was accepted), naming the status values seen (accepted and rejected as
 * unrecognised) and how to say what an error is. Returns the definition otherwise.
 */
export function checkErrorDefinition(log: ParsedLog): ErrorDefinition {
  const definition = describeErrorDefinition(log.report);
  const seen = [...definition.statuses, ...definition.rejectedStatuses].sort((a, b) => b.count - a.count);
  const values = seen.length === 0 ? 'none' : listStatuses(seen);
  const rejected = definition.rejectedStatuses.reduce((sum, s) => sum + s.count, 0);
  const hint = `say what counts as an error with --error-when, e.g. "status == FAILED" or "status >= 500 or status in (error, timeout)"`;
  if (definition.requests === 0) {
    throw new RangeError(
      `no row of the log was accepted under the error rule '${definition.rule}' (status values seen: ${values}): ${hint}`,
    );
  }
  if (definition.errors === 0) {
    throw new RangeError(
      `the error rule '${definition.rule}' matches none of the ${definition.requests.toLocaleString('en-US')} accepted rows (status values seen: ${values}): ${hint}`,
    );
  }
  if (definition.errors === definition.requests) {
    throw new RangeError(
      `the error rule '${definition.rule}' makes every one of the ${definition.requests.toLocaleString('en-US')} accepted rows an error${rejected > 0 ? ` (${rejected.toLocaleString('en-US')} rows were rejected for a status it does not recognise)` : ''} (status values seen: ${values}): ${hint}`,
    );
  }
  return definition;
}

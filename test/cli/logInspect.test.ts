import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { logInspectCommand } from '../../src/cli/commands/logInspect.ts';
import { runCommandObject } from '../helpers/cli.ts';

const fixtures = new URL('../fixtures/logs/', import.meta.url);
const csvPath = fileURLToPath(new URL('messy-requests.csv', fixtures));
const jsonPath = fileURLToPath(new URL('nested-requests.jsonl', fixtures));
/** scripts/reference/replay.py: the generator's truth and numpy/statsmodels summaries. */
const expected = JSON.parse(readFileSync(new URL('expected.json', fixtures), 'utf8'));

function run(argv: string[], stdinText?: string) {
  return runCommandObject(logInspectCommand, argv, stdinText);
}

describe('rollout-lab log inspect', () => {
  it('prints one JSON object with the parse report and the summary', async () => {
    const result = await run([csvPath, '--map', expected.csv.mapping, '--latency-unit', 's', '--json']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const { report, summary } = result.json;
    expect(report.rowsAccepted).toBe(expected.csv.accepted.length);
    expect(report.rowsRejected).toBe(expected.csv.rejected.length);
    expect(report.examples[0]).toMatchObject({ line: expected.csv.rejected[0].line, reason: 'wrong-field-count' });
    expect(summary.overall.requests).toBe(expected.csv.overall.requests);
    // statsmodels 0.13.5 proportion_confint(..., method='wilson'), via expected.json
    expect(summary.overall.errorRateInterval.lower).toBeCloseTo(expected.csv.overall.errorRateInterval[0], 12);
    const v142 = summary.byModel.find((g: any) => g.key === 'v1.4.2');
    // numpy 1.24 np.quantile(latencies, 0.95), via expected.json
    expect(v142.latency.quantiles[2].value).toBeCloseTo(expected.csv.byModel['v1.4.2'].latencyQuantiles[2], 9);
    expect(v142.sketch).toBeUndefined();
    expect(v142.sketchQuantiles.p50).toBeGreaterThan(0);
    expect(summary.arrivalsByHour).toHaveLength(24);
  });

  it('prints a readable report with reasons, examples and the per-model table', async () => {
    const result = await run([csvPath, '--map', expected.csv.mapping, '--latency-unit', 's']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Rows read ${expected.csv.accepted.length + expected.csv.rejected.length}, accepted ${expected.csv.accepted.length}, rejected ${expected.csv.rejected.length}`,
    );
    expect(result.stdout).toMatch(/wrong-field-count\s+3/);
    expect(result.stdout).toContain(`line ${expected.csv.rejected[0].line}: wrong-field-count: 1 field where the header has 6`);
    expect(result.stdout).toContain('---- log rotated ----');
    expect(result.stdout).toMatch(/model v1\.5\.0-rc1\s+\d+/);
    expect(result.stdout).toMatch(/segment enterprise, EU\s+\d+/);
    expect(result.stdout).toContain("'TIMEOUT'");
    expect(result.stdout).toContain('Arrivals by hour of day (UTC)');
  });

  it('reads JSON lines with an error rule and microsecond latencies', async () => {
    const result = await run([
      jsonPath,
      '--map',
      expected.jsonl.mapping,
      '--latency-unit',
      'us',
      '--error-when',
      expected.jsonl.errorWhen,
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(result.json.report.format).toBe('jsonl');
    expect(result.json.summary.overall.errors).toBe(expected.jsonl.overall.errors);
  });

  it('reads standard input with LOG = -', async () => {
    const result = await run(
      ['-', '--map', 'timestamp=ts,latency=ms,status=status', '--json'],
      'ts,ms,status\n1709596800,12,200\n1709596801,15,503\n',
    );
    expect(result.code).toBe(0);
    expect(result.json.summary.overall.requests).toBe(2);
    expect(result.json.summary.overall.errors).toBe(1);
  });

  it('exits 1 when no row can be read', async () => {
    const result = await run(['-', '--map', 'timestamp=ts,latency=ms,status=status'], 'ts,ms,status\nnope,1,200\n');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Warning: no row could be read');
  });

  it('names the argument on bad input', async () => {
    await expect(run([csvPath])).rejects.toThrow(new UsageError('--map is required'));
    await expect(run(['--map', 'timestamp=a,latency=b,status=c'])).rejects.toThrow('LOG is required');
    await expect(run(['/nonexistent.csv', '--map', 'timestamp=a,latency=b,status=c'])).rejects.toThrow(
      "LOG: cannot read '/nonexistent.csv' (ENOENT)",
    );
    await expect(run([csvPath, '--map', 'timestamp=a,latency=b'])).rejects.toThrow('--map: mapping must name a column for status');
    await expect(run([csvPath, '--map', expected.csv.mapping, '--error-when', 'status >='])).rejects.toThrow(
      '--error-when: error rule: expected a value',
    );
    await expect(run([csvPath, '--map', expected.csv.mapping, '--latency-unit', 'h'])).rejects.toThrow(
      "--latency-unit must be one of ms, s, us, got 'h'",
    );
    await expect(run([csvPath, '--map', 'timestamp=ts,latency=lat,status=code'])).rejects.toThrow(
      "mapping names columns the log does not have: timestamp=ts, latency=lat, status=code; available columns: 'Time Stamp', 'LATENCY', 'Status', 'model_version', 'Segment', 'user id'",
    );
  });

  it('prints the error definition and the statuses it does not recognise, and, after the report, refuses (exit 2) a rule that makes every row an error', async () => {
    // An LLM serving log's statuses: SUCCEED is no word the default rule knows, FAILED is.
    const text = [
      'time,took,status',
      '2024-03-04T00:00:00Z,1.5,SUCCEED',
      '2024-03-04T00:00:01Z,2.5,FAILED',
      '2024-03-04T00:00:02Z,1.0,SUCCEED',
    ].join('\n');
    const result = await run(['-', '--map', 'timestamp=time,latency=took,status=status'], text);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /^Error definition: default rule: HTTP 500–599 and error words \(error, err, errored, fail, failed, failure, …\) are errors/m,
    );
    expect(result.stdout).toContain("Statuses the rule does not recognise (rows rejected): 'SUCCEED' ×2");
    expect(result.stderr).toBe(
      "rollout-lab log inspect: the error rule 'default' makes every one of the 1 accepted rows an error (2 rows were rejected for a status it does not recognise) (status values seen: 'SUCCEED' ×2, 'FAILED' ×1): say what counts as an error with --error-when, e.g. \"status == FAILED\" or \"status >= 500 or status in (error, timeout)\"\n",
    );
    const fixed = await run(['-', '--map', 'timestamp=time,latency=took,status=status', '--error-when', 'status == FAILED'], text);
    expect(fixed.stderr).toBe('');
    expect(fixed.stdout).toContain(
      "Error definition: --error-when 'status == FAILED': a request is an error when its status satisfies this expression",
    );
    expect(fixed.stdout).toContain("Statuses: 'SUCCEED' 2 (ok), 'FAILED' 1 (error)");
  });
});

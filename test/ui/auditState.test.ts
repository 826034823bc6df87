import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readYamlDocuments } from '../../src/engine/import/yamlDocuments.ts';
import {
  emptyInputs,
  filledInputs,
  formatAuditInputs,
  inputNames,
  readAuditInputs,
  withFiles,
  withoutInput,
  withText,
} from '../../src/ui/audit/auditInputs.ts';
import { customMetricNames, formatMetricMap, readMetricMap, withMapping } from '../../src/ui/audit/auditMetrics.ts';
import { auditSchema, readAuditImport, readAuditRun, readAuditWorld } from '../../src/ui/audit/auditState.ts';
import { initialState } from '../../src/ui/state/viewState.ts';

const fixture = (path: string) => ({ name: path.split('/').at(-1) as string, text: readFileSync(`test/fixtures/import/${path}`, 'utf8') });

describe('the audit inputs', () => {
  it('starts with one empty paste box and round-trips through the view state', () => {
    expect(readAuditInputs('')).toEqual([{ name: 'pasted.yaml', text: '' }]);
    const inputs = [
      { name: 'rollout.yaml', text: 'kind: Rollout\n' },
      { name: 'analysis.yaml', text: 'kind: AnalysisTemplate\n' },
    ];
    expect(readAuditInputs(formatAuditInputs(inputs))).toEqual(inputs);
    expect(inputNames(inputs)).toBe('rollout.yaml, analysis.yaml');
  });

  it('names what is wrong with a damaged saved list', () => {
    expect(() => readAuditInputs('[{')).toThrow('files: the saved list is not JSON (paste or open the files again)');
    expect(() => readAuditInputs('[]')).toThrow('files: the saved list must hold at least one file');
    expect(() => readAuditInputs('[{"name":"a.yaml","text":"x"},{"name":"","text":"y"}]')).toThrow(
      'files[1] must be a file with a name and its text',
    );
  });

  it('adds opened files: an empty paste box gives way, a file of the same name is replaced, a filled box stays', () => {
    const opened = withFiles(emptyInputs(), [{ name: 'rollout.yaml', text: 'a' }]);
    expect(opened).toEqual([{ name: 'rollout.yaml', text: 'a' }]);
    const pasted = withText(emptyInputs(), 0, 'kind: Rollout');
    expect(withFiles(pasted, [{ name: 'analysis.yaml', text: 'b' }])).toEqual([
      { name: 'pasted.yaml', text: 'kind: Rollout' },
      { name: 'analysis.yaml', text: 'b' },
    ]);
    expect(withFiles(opened, [{ name: 'rollout.yaml', text: 'c' }])).toEqual([{ name: 'rollout.yaml', text: 'c' }]);
    expect(withoutInput(opened, 0)).toEqual(emptyInputs());
    expect(filledInputs([...opened, { name: 'blank.yaml', text: ' \n' }])).toEqual(opened);
  });
});

describe('the metric map', () => {
  it('lists the user’s own metrics: an Argo template’s, a Flagger canary’s without the built-ins', () => {
    expect(customMetricNames(readYamlDocuments([fixture('audit/rollout.yaml')]))).toEqual(['success-rate', 'error-ratio']);
    expect(customMetricNames(readYamlDocuments([fixture('argo/canary-inline-analysis.yaml')]))).toEqual(['success-rate']);
    expect(customMetricNames(readYamlDocuments([fixture('flagger/progressive.yaml')]))).toEqual(['404s percentage']);
  });

  it('reads and writes the map as --map takes it, naming a bad entry', () => {
    expect(readMetricMap('')).toEqual({});
    expect(readMetricMap('success-rate=errorRate, latency=latencyP95')).toEqual({ 'success-rate': 'errorRate', latency: 'latencyP95' });
    expect(formatMetricMap({ 'success-rate': 'errorRate', latency: 'latencyP95' })).toBe('success-rate=errorRate,latency=latencyP95');
    expect(() => readMetricMap('success-rate')).toThrow("metric map: 'success-rate' must be NAME=METRIC");
    expect(() => readMetricMap('a=errors')).toThrow(
      'metric map: a=errors: errors is not a health metric (errorRate, timeoutRate, latencyP50, latencyP95, latencyP99)',
    );
    expect(withMapping({ a: 'errorRate' }, 'b', 'latencyP99')).toEqual({ a: 'errorRate', b: 'latencyP99' });
    expect(withMapping({ a: 'errorRate', b: 'latencyP99' }, 'a', '')).toEqual({ b: 'latencyP99' });
  });
});

describe('the audit form', () => {
  const initial = initialState(auditSchema);

  it('reads the first visit as the issue’s example: 40 req/s, 0.2% errors, p95 350 ms, errors × 3', () => {
    expect(readAuditWorld(initial)).toEqual({
      requestsPerSecond: 40,
      errorRate: 0.002,
      p95: 350,
      regression: [{ metric: 'errors', operation: 'multiply', amount: 3 }],
    });
    expect(readAuditRun(initial)).toEqual({
      maxFalseRollbackRate: 0.05,
      minDetectionRate: 0.9,
      detectWithin: 7200,
      replicates: 200,
      candidates: 20,
      seed: 1,
    });
    expect(readAuditImport(initial)).toEqual({ inputs: [], options: {} });
  });

  it('reads the CLI’s words: rates per minute, percentages, seconds, several regression terms, a timeout rate', () => {
    const world = readAuditWorld({
      ...initial,
      traffic: '2400rpm',
      errorRate: '0.5%',
      p95: '0.4s',
      timeoutRate: '0.001',
      regression: 'errors*2, p95*1.5',
    });
    expect(world).toEqual({
      requestsPerSecond: 40,
      errorRate: 0.005,
      p95: 400,
      timeoutRate: 0.001,
      regression: [
        { metric: 'errors', operation: 'multiply', amount: 2 },
        { metric: 'p95', operation: 'multiply', amount: 1.5 },
      ],
    });
  });

  it('names the field and the reason when a value is wrong', () => {
    expect(() => readAuditWorld({ ...initial, traffic: 'lots' })).toThrow(
      "requests per second must be a positive request rate like 40rps, 2400rpm or 144000rph, got 'lots'",
    );
    expect(() => readAuditWorld({ ...initial, regression: ' ' })).toThrow('regression is missing: enter one like errors*3 or p95*1.5');
    expect(() => readAuditRun({ ...initial, replicates: '5' })).toThrow('replicates must be a whole number from 10 to 5,000, got 5');
    expect(() => readAuditRun({ ...initial, maxFalseRollback: '100' })).toThrow(
      'largest false-rollback rate (%) must be between 0 and 100 (exclusive), got 100',
    );
    expect(() => readAuditRun({ ...initial, candidates: '1' })).toThrow('candidates to try must be a whole number from 2 to 200, got 1');
  });

  it('passes the format and the map to the importer only when the user set them', () => {
    const files = formatAuditInputs([fixture('argo/canary-inline-analysis.yaml'), { name: 'pasted.yaml', text: '' }]);
    const read = readAuditImport({ ...initial, files, from: 'argo', map: 'success-rate=errorRate' });
    expect(read.inputs.map((input) => input.name)).toEqual(['canary-inline-analysis.yaml']);
    expect(read.options).toEqual({ from: 'argo', map: { 'success-rate': 'errorRate' } });
  });
});

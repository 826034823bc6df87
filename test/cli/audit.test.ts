/**
 * `rollout-lab audit` end to end (src/cli/commands/audit.ts) on the importers' documentation-shaped
 * fixtures: test/fixtures/import/audit/rollout.yaml (an Argo Rollout with two canary steps and an
 * AnalysisTemplate of two metrics; exact evaluation, fast) and the Flagger step-weights fixture
 * (test/fixtures/import/flagger/). Each run imports, audits, tunes and writes back; the files
 * written with --out are imported again and must give the tuned policy. Small Monte-Carlo sizes
 * (--replicates 100: search 20, confirmation 100 per world) keep the file to seconds; the seeded
 * runs are deterministic.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/commands/audit.ts';
import { importRollout } from '../../src/engine/import/index.ts';
import { parseRegression } from '../../src/sim/audit/auditInputs.ts';
import { auditScenario } from '../../src/sim/audit/auditScenario.ts';
import { evaluateExact } from '../../src/sim/exact/evaluateExact.ts';
import { runCommand } from './commandHarness.ts';

const argoFile = 'test/fixtures/import/audit/rollout.yaml';
const flaggerFile = 'test/fixtures/import/flagger/step-weights.yaml';
const map = ['--map', 'errorRate=error-ratio,errorRate=success-rate'];
const world = ['--traffic', '40rps', '--error-rate', '0.002', '--p95', '350ms', '--regression', 'errors*3'];
const small = ['--replicates', '100', '--workers', '1', '--seed', '7'];

let dir: string;
/** The tuned policy of the single-file run, which the split-file run must reproduce. */
let tunedSingleFile: unknown;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-lab-audit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rollout-lab audit on an Argo Rollout', () => {
  it('audits exactly, tunes within what the files express, writes the tuned YAML, and the written file imports as the tuned policy', async () => {
    const out = join(dir, 'tuned.yaml');
    const { code, stdout } = await runCommand(auditCommand, [
      argoFile,
      ...map,
      ...world,
      '--within',
      '30m',
      ...small,
      '--out',
      out,
      '--json',
    ]);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(Object.keys(json)).toEqual([
      'source',
      'files',
      'report',
      'worlds',
      'targets',
      'targetsDefaulted',
      'original',
      'tuning',
      'tuned',
      'closest',
      'out',
    ]);
    expect(json.source).toBe('argo');
    expect(json.targets).toEqual({ maxFalseRollbackRate: 0.05, minDetectionRate: 0.9, detectWithin: 1800 });
    expect(json.targetsDefaulted).toEqual(['max-false-rollback', 'min-detection']);

    // The original's numbers are the exact evaluator's, on the imported policy in the worlds the flags describe.
    const text = readFileSync(argoFile, 'utf8');
    const imported = importRollout([{ name: argoFile, text }], { map: { 'error-ratio': 'errorRate', 'success-rate': 'errorRate' } });
    expect(json.original.policy).toEqual(imported.policy);
    const worlds = auditScenario({ requestsPerSecond: 40, errorRate: 0.002, p95: 350, regression: [parseRegression('errors*3')] });
    const healthy = evaluateExact(worlds.healthy, imported.policy);
    if (!healthy.supported) throw new Error(healthy.features.join('; '));
    const audit = json.original.audit;
    expect(audit.method).toBe('exact');
    expect(audit.falseRollbackRate.rate).toBeCloseTo(healthy.summary.falseRollbackRate.rate as number, 12);
    expect(audit.stages.map((stage: { name: string }) => stage.name)).toEqual(['canary 20%', 'canary 50%']);
    const perStage = audit.stages.reduce((sum: number, stage: { falseRollback: { rate: number } }) => sum + stage.falseRollback.rate, 0);
    expect(perStage).toBeCloseTo(audit.falseRollbackRate.rate, 9);

    // The tuned policy: met on the tuner's confirmation, audited exactly, written back and re-imported unchanged.
    expect(json.tuning.meetsTargets).toBe(true);
    expect(json.tuning.excluded.map((entry: { coordinate: string }) => entry.coordinate)).toContain('minRequests');
    expect(json.tuned.audit.method).toBe('exact');
    expect(json.tuned.unrepresentable).toEqual([]);
    expect(json.tuned.changes.length).toBeGreaterThan(0);
    const lines = json.tuned.diff.split('\n');
    for (const change of json.tuned.changes) {
      expect(lines.some((line: string) => line.startsWith('-') && line.includes(String(change.from)))).toBe(true);
      expect(lines.some((line: string) => line.startsWith('+') && line.includes(String(change.to)))).toBe(true);
    }
    expect(json.out).toEqual([out]);
    const written = readFileSync(out, 'utf8');
    const reimported = importRollout([{ name: argoFile, text: written }], {
      map: { 'error-ratio': 'errorRate', 'success-rate': 'errorRate' },
    });
    expect(reimported.policy).toEqual(json.tuned.policy);
    tunedSingleFile = json.tuned.policy;
    // Only the changed values differ: the file keeps its comments and its line count.
    expect(written).toContain('# one failure is noise; two is a rollback');
    expect(written.split('\n')).toHaveLength(text.split('\n').length);
  });

  it('several files, in text: the report, both tables, each file’s diff; --out DIR receives every file, and the folder imports as the tuned policy', async () => {
    const [rollout, template] = readFileSync(argoFile, 'utf8').split('\n---\n');
    const files = [join(dir, 'split-rollout.yaml'), join(dir, 'split-template.yaml')];
    writeFileSync(files[0], `${rollout}\n`);
    writeFileSync(files[1], template);
    const out = join(dir, 'split-out');
    const { code, stdout } = await runCommand(auditCommand, [...files, ...map, ...world, '--within', '30m', ...small, '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^audit of the Argo Rollouts rollout in .*split-rollout\.yaml, .*split-template\.yaml \(\d+ fields mapped, 0 not represented/,
    );
    expect(stdout).toContain('zero traffic:');
    expect(stdout).toContain("your rollout ('checkout'):\n  exact (neglected probability");
    expect(stdout).toMatch(/\n {2}canary 20% {2}100% /);
    expect(stdout).toContain('tuned rollout (');
    // The interval lives in the template: only that file's diff.
    expect(stdout).toContain(`what to change in your files:\n--- a/${files[1]}\n+++ b/${files[1]}\n@@ `);
    expect(stdout).not.toContain(`--- a/${files[0]}`);
    expect(stdout).toContain(`wrote the tuned files: ${join(out, 'split-rollout.yaml')}, ${join(out, 'split-template.yaml')}`);
    expect(stdout).toContain(
      'targets: false rollback ≤ 0.05, regression caught within 30m in ≥ 0.9 (defaults for --max-false-rollback, --min-detection',
    );
    expect(readdirSync(out).sort()).toEqual(['split-rollout.yaml', 'split-template.yaml']);
    expect(readFileSync(join(out, 'split-rollout.yaml'), 'utf8')).toBe(`${rollout}\n`);
    // The same run on one file (the test above, same seed) tuned to this policy.
    const reimported = importRollout(
      ['split-rollout.yaml', 'split-template.yaml'].map((name) => ({ name, text: readFileSync(join(out, name), 'utf8') })),
      { map: { 'error-ratio': 'errorRate', 'success-rate': 'errorRate' } },
    );
    expect(reimported.policy).toEqual(tunedSingleFile);
  });
});

describe('rollout-lab audit on a Flagger Canary', () => {
  it('no policy meets strict targets: exit 1, the closest with its diff, nothing written', async () => {
    const out = join(dir, 'flagger-tuned.yaml');
    const { code, stdout } = await runCommand(auditCommand, [
      flaggerFile,
      ...world,
      ...small,
      '--max-false-rollback',
      '0.01',
      '--min-detection',
      '0.99',
      '--within',
      '10m',
      '--out',
      out,
      '--json',
    ]);
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(json.source).toBe('flagger');
    expect(json.report.unrepresented).toHaveLength(1);
    expect(json.original.audit.method).toBe('exact');
    expect(json.original.audit.stages.map((stage: { traffic: number }) => stage.traffic)).toEqual([0.01, 0.02, 0.1, 0.8]);
    expect(json.tuning.meetsTargets).toBe(false);
    expect(json.tuning.message).toMatch(/^No policy meets the targets/);
    expect(json.tuned).toBeNull();
    expect(json.closest.audit.stages).toHaveLength(4);
    expect(json.out).toBeNull();
    expect(() => readFileSync(out)).toThrow();
  });
});

describe('rollout-lab audit with --scenario', () => {
  it('takes the traffic and the model from the user’s own scenario, the flags overriding its error rate', async () => {
    const scenario = join(dir, 'mine.json');
    writeFileSync(
      scenario,
      JSON.stringify({
        version: 1,
        name: 'mine',
        horizon: '1d',
        traffic: { requestsPerSecond: 40, users: { count: 5000 } },
        control: { latency: { kind: 'lognormal', median: 80, p95: 240 }, errorRate: 0.05 },
        candidate: { latency: { kind: 'lognormal', median: 80, p95: 240 }, errorRate: 0.05 },
      }),
    );
    const { code, stdout } = await runCommand(auditCommand, [
      argoFile,
      ...map,
      '--scenario',
      scenario,
      '--error-rate',
      '0.003',
      ...small,
      '--json',
    ]);
    expect([0, 1]).toContain(code);
    const json = JSON.parse(stdout);
    // Latency and users come from the scenario: nothing assumed but the default regression.
    expect(json.worlds.assumptions).toEqual(['regression: errors*3 (the Policy lab’s default fault; give --regression to set it)']);
    expect(json.original.audit.method).toBe('exact');
    expect(json.worlds.requestsPerSecond).toBe(40);
    expect(json.worlds.errorRate).toBe(0.003);
  });

  it('an invalid scenario lists its problems by path, exit 2', async () => {
    const scenario = join(dir, 'invalid.json');
    writeFileSync(scenario, JSON.stringify({ version: 1, name: 'bad', traffic: { requestsPerSecond: -1 } }));
    const { code, stderr } = await runCommand(auditCommand, [argoFile, ...map, '--scenario', scenario]);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`^rollout-lab audit: ${scenario.replace(/[.]/g, '\\.')} is not valid \\(\\d+ problems?\\):\\n`));
    expect(stderr).toContain('traffic.requestsPerSecond');
  });
});

describe('rollout-lab audit refuses bad input in one line, exit 2', () => {
  const run = (argv: string[]) => runCommand(auditCommand, argv);

  it('a file that is not YAML names the file and document', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'kind: Rollout\n  spec: [unclosed\n');
    const { code, stderr } = await run([bad, ...world]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^rollout-lab audit: ${bad.replace(/[.]/g, '\\.')}#1: not YAML`));
  });

  it('YAML of the wrong kind', async () => {
    const wrong = join(dir, 'service.yaml');
    writeFileSync(wrong, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: checkout\n');
    const { code, stderr } = await run([wrong, ...world]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no Argo Rollouts Rollout .* or Flagger Canary .* among the documents \(found Service\/checkout\)/);
  });

  it('the world: traffic missing, a regression it cannot read, a timeout regression without a timeout rate', async () => {
    expect((await run([argoFile])).stderr).toBe(
      'rollout-lab audit: give your traffic: --traffic 40rps --error-rate 0.002 [--p95 350ms], or --scenario S.json\n',
    );
    expect((await run([argoFile, '--traffic', '40rps', '--error-rate', '0.002', '--regression', 'errors/3'])).stderr).toMatch(
      /^rollout-lab audit: regression must be METRIC\*FACTOR or METRIC\+AMOUNT/,
    );
    const timeouts = await run([argoFile, ...map, '--traffic', '40rps', '--error-rate', '0.002', '--regression', 'timeouts*2']);
    expect(timeouts.code).toBe(2);
    expect(timeouts.stderr).toBe("rollout-lab audit: regression timeouts*2: needs the service's timeout rate (--timeout-rate)\n");
  });

  it('--out for several files must be a folder', async () => {
    const file = join(dir, 'a-file.txt');
    writeFileSync(file, 'x');
    const { code, stderr } = await run([argoFile, flaggerFile, ...world, '--out', file]);
    expect(code).toBe(2);
    expect(stderr).toBe(`rollout-lab audit: --out '${file}' must be a folder when auditing several files\n`);
  });
});

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { tuneCommand } from '../../src/cli/commands/tune.ts';
import { parsePolicy } from '../../src/engine/policy/parsePolicy.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { evaluateCandidate, prepareCandidate } from '../../src/sim/tuningEvaluation.ts';
import { tuningWorldJson } from '../helpers/tuningWorlds.ts';
import { buildWorkersIfStale } from '../workers/buildWorkers.ts';

/** Runs the command in-process, as main() would once it is registered. */
async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
  const code = await tuneCommand.run(argv, io);
  let json: any;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-lab-tune-'));
  // Runs of at least 2,000 planned replicates simulate on worker threads (compiled JavaScript).
  buildWorkersIfStale();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const world = tuningWorldJson;

const rules = [
  { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
  { type: 'ratio', metric: 'latencyP95', maxRatio: 1.5 },
];
const basePolicy = {
  version: 1,
  name: 'two canaries',
  baseline: { mode: 'concurrent' },
  stages: [
    { kind: 'canary', traffic: 0.1, minDuration: '1h', checkInterval: '5m', rules },
    { kind: 'canary', traffic: 0.5, minDuration: '2h', checkInterval: '5m', rules },
    { kind: 'promote' },
  ],
};

describe('rollout-lab tune', () => {
  const small = ['--replicates', '60', '--confirm-replicates', '300', '--max-evaluations', '25'];

  it('prints the Pareto table and writes the recommended policy atomically, which re-simulates within the targets', async () => {
    const healthy = file('healthy.json', world('healthy', 0.01));
    const regressed = file('regressed.json', world('regressed', 0.02));
    const out = join(dir, 'tuned.json');
    const result = await run([
      '--healthy',
      healthy,
      '--regressed',
      regressed,
      '--policy',
      file('base.json', basePolicy),
      '--max-false-rollback',
      '0.05',
      '--min-detection',
      '0.9',
      '--within',
      '1h',
      '--seed',
      '4',
      '--out',
      out,
      ...small,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Pareto front');
    expect(result.stdout).toMatch(/false rollback \[95% CI\]\s+caught ≤ 1h \[95% CI\]/);
    expect(result.stdout).toContain('Recommended: ');
    expect(result.stdout).toContain(`recommended policy written to ${out}`);
    // Written atomically: the file is there and no temporary file is left beside it.
    expect(existsSync(out)).toBe(true);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    const parsed = parsePolicy(written);
    expect(parsed.ok).toBe(true);
    expect(written.name).toBe('two canaries, auto-tuned');
    expect(written.description).toMatch(/^Auto-tuned by rollout-lab tune .* seed 4; confirmed on replicates \[60, 360\)/);
    // Fresh seed, 1,000 replicates: the targets hold within 2 standard errors of a rate at the
    // target (SE 0.0069 for 0.05, 0.0095 for 0.9 at n = 1000; see test/sim/tune.test.ts).
    if (!parsed.ok) return;
    const scenario = (json: unknown) => {
      const s = parseScenario(json);
      if (!s.ok) throw new Error('bad scenario');
      return s.scenario;
    };
    const n = 1000;
    const fresh = evaluateCandidate(
      prepareCandidate(parsed.policy, {
        healthy: scenario(world('healthy', 0.01)),
        regressed: scenario(world('regressed', 0.02)),
        mode: 'window',
        seed: 'cli fresh',
      }),
      0,
      n,
      3600,
    );
    expect(fresh.falseRollbackRate.rate!).toBeLessThanOrEqual(0.05 + 2 * Math.sqrt((0.05 * 0.95) / n));
    expect(fresh.detectionRate.rate!).toBeGreaterThanOrEqual(0.9 - 2 * Math.sqrt((0.9 * 0.1) / n));
  });

  it('prints one JSON object with --json, the recommended policy included', async () => {
    const result = await run([
      '--healthy',
      file('h.json', world('healthy', 0.01)),
      '--regressed',
      file('r.json', world('regressed', 0.02)),
      '--policy',
      file('b.json', basePolicy),
      '--max-false-rollback',
      '0.05',
      '--min-detection',
      '0.9',
      '--within',
      '60m',
      '--seed',
      '4',
      '--json',
      ...small,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const json = result.json;
    expect(json.meetsTargets).toBe(true);
    expect(json.targets).toEqual({ maxFalseRollbackRate: 0.05, minDetectionRate: 0.9, detectWithin: 3600 });
    expect(json.recommended.confirmation.falseRollbackRate.upper).toBeLessThanOrEqual(0.05);
    expect(json.recommended.confirmation.detectionRate.lower).toBeGreaterThanOrEqual(0.9);
    expect(parsePolicy(json.recommendedPolicy).ok).toBe(true);
    expect(json.paretoFront.length).toBeGreaterThan(0);
    expect(json.paretoFront.every((candidate: any) => candidate.pareto === true)).toBe(true);
    expect(json.out).toBeNull();
  });

  it('gives the same result on worker threads as in one thread, whatever their number, with progress on stderr', async () => {
    const argv = [
      '--healthy',
      file('hw.json', world('healthy', 0.01)),
      '--regressed',
      file('rw.json', world('regressed', 0.02)),
      '--policy',
      file('bw.json', basePolicy),
      '--max-false-rollback',
      '0.05',
      '--min-detection',
      '0.9',
      '--within',
      '1h',
      '--seed',
      '9',
      '--json',
      '--replicates',
      '40',
      '--confirm-replicates',
      '80',
      '--max-evaluations',
      '10',
    ];
    const inProcess = await run([...argv, '--workers', '1']);
    const two = await run([...argv, '--workers', '2', '--progress']);
    const three = await run([...argv, '--workers', '3']);
    expect(inProcess.code).toBe(two.code);
    expect(inProcess.json.candidates).toBe(10);
    expect(two.stdout).toBe(inProcess.stdout);
    expect(three.stdout).toBe(inProcess.stdout);
    // Progress counts every candidate and every finalist, ending at the replicates run.
    expect(two.stderr).toMatch(/searching: 10 candidate\(s\), 800 replicates/);
    expect(two.stderr).toContain(`confirming: ${inProcess.json.finalists.length} candidate(s), ${inProcess.json.replicatesRun} replicates`);
    await expect(run([...argv, '--workers', '0'])).rejects.toThrow('--workers must be at least 1, got 0');
  }, 120_000);

  it('exits 1 and says no policy meets impossible targets, writing nothing', async () => {
    const out = join(dir, 'never.json');
    const result = await run([
      '--healthy',
      file('h2.json', world('healthy', 0.01)),
      '--regressed',
      file('r2.json', world('regressed', 0.02)),
      '--policy',
      file('b2.json', basePolicy),
      '--max-false-rollback',
      '0.001',
      '--min-detection',
      '0.999',
      '--within',
      '5m',
      '--replicates',
      '30',
      '--confirm-replicates',
      '60',
      '--max-evaluations',
      '8',
      '--out',
      out,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('No policy meets the targets');
    expect(result.stdout).toContain('✗ misses');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects bad input with a one-line UsageError naming the argument', async () => {
    const h = file('h3.json', world('healthy', 0.01));
    const r = file('r3.json', world('regressed', 0.02));
    const base = ['--healthy', h, '--regressed', r, '--min-detection', '0.9', '--within', '30m'];
    await expect(run(base)).rejects.toThrow(new UsageError('--max-false-rollback is required'));
    await expect(run([...base, '--max-false-rollback', '1.5'])).rejects.toThrow('--max-false-rollback must be less than 1, got 1.5');
    await expect(
      run(['--healthy', h, '--regressed', r, '--max-false-rollback', '0.05', '--min-detection', '0.9', '--within', 'soon']),
    ).rejects.toThrow("--within must be a positive duration like 30m or 1h (or seconds), got 'soon'");
    // A "healthy" world whose candidate is in fact worse cannot measure false rollbacks.
    await expect(
      run([
        '--healthy',
        r,
        '--regressed',
        r,
        '--policy',
        file('b3.json', basePolicy),
        '--max-false-rollback',
        '0.05',
        '--min-detection',
        '0.9',
        '--within',
        '30m',
        '--replicates',
        '10',
      ]),
    ).rejects.toThrow(/healthy scenario 'regressed' has a candidate worse/);
    const invalid = await run([
      '--healthy',
      file('bad.json', { version: 1 }),
      '--regressed',
      r,
      '--max-false-rollback',
      '0.05',
      '--min-detection',
      '0.9',
      '--within',
      '30m',
    ]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('is not valid');
  });
});

describe('rollout-lab tune --mode exact', () => {
  /** One 10% canary for an hour, one error-ratio rule: a policy the exact evaluator covers, cheaply. */
  const oneCanary = (errorRule: Record<string, unknown>) => ({
    version: 1,
    name: 'one canary',
    baseline: { mode: 'concurrent' },
    stages: [{ kind: 'canary', traffic: 0.1, minDuration: '1h', checkInterval: '5m', rules: [errorRule] }, { kind: 'promote' }],
  });
  const argv = (policy: unknown, name: string) => [
    '--healthy',
    file(`${name}-h.json`, world('healthy', 0.01)),
    '--regressed',
    file(`${name}-r.json`, world('regressed', 0.03)),
    '--policy',
    file(`${name}-b.json`, policy),
    '--max-false-rollback',
    '0.1',
    '--min-detection',
    '0.85',
    '--within',
    '1h',
    '--no-statistical',
    '--replicates',
    '30',
    '--confirm-replicates',
    '200',
    '--max-evaluations',
    '4',
    '--workers',
    '1',
    '--mode',
    'exact',
  ];

  it('searches exactly (rates without intervals), confirms by Monte-Carlo with intervals, and says so in text and --json', async () => {
    const base = argv(oneCanary({ type: 'ratio', metric: 'errorRate', maxRatio: 2 }), 'exact');
    const text = await run(base);
    expect(text.stdout).toContain('exact search, window mode confirmation');
    expect(text.stdout).toContain(
      '4 candidates searched exactly (no sampling); finalists confirmed in window mode on 200 fresh replicates',
    );
    expect(text.stdout).toMatch(/false rollback \(search\)\s+caught ≤ 1h \(search\)\s+confirmed false rollback \[95% CI\]/);
    // The base setting's exact false-rollback rate (error ≤ 2× at 20 requests/s, 10% canary, 5-minute checks).
    expect(text.stdout).toMatch(/0\s+error ≤ 2×, every 5m, ≥ 100 requests, 1 failure in a row\s+0\.\d{4} \(exact\)/);
    const json = (await run([...base, '--json'])).json;
    expect(json.search).toBe('exact');
    expect(json.mode).toBe('window');
    expect(json.fallback).toEqual([]);
    for (const candidate of json.finalists) {
      expect(candidate.searchedBy).toBe('exact');
      expect(candidate.search.replicates).toBe(0);
      expect(candidate.search.falseRollbackRate.lower).toBe(candidate.search.falseRollbackRate.upper);
      expect(candidate.confirmation.replicates).toBe(200);
      expect(candidate.confirmation.falseRollbackRate.upper).toBeGreaterThan(candidate.confirmation.falseRollbackRate.lower);
    }
    // Only the finalists' confirmations were simulated.
    expect(json.replicatesRun).toBe(2 * json.finalists.length * 200);
    expect(text.code).toBe(json.meetsTargets ? 0 : 1);
  }, 120_000);

  it('falls back to Monte-Carlo for a base policy with no exact form, naming the features on stderr and in --json', async () => {
    const base = argv(oneCanary({ type: 'statistical', metric: 'errorRate', minimumEffect: 0.005, method: 'alwaysValid' }), 'fallback');
    const result = await run([...base, '--json']);
    expect(result.stderr).toMatch(
      /^rollout-lab tune: no exact answer for the base policy \(statistical rule on errorRate \(stage 0 [^)]*\)\): searching by the windowed Monte-Carlo mode\n$/,
    );
    expect(result.json.search).toBe('window');
    expect(result.json.fallback).toHaveLength(1);
    expect(result.json.fallback[0]).toMatch(/^statistical rule on errorRate/);
    expect(result.json.finalists.every((candidate: any) => candidate.searchedBy === 'window' && candidate.search.replicates === 30)).toBe(
      true,
    );
  }, 120_000);
});

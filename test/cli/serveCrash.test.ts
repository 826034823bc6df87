/**
 * kill -9 under load: the real CLI (`bin/rollout-lab.js serve`, the build in dist/) as a child
 * process on loopback, two clients posting 200 windows each to two rollouts, retrying as a real
 * monitoring job does (a request that fails — connection refused or reset — or whose answer is
 * lost on the way back, about one in 20, is resent, the same window, until it is answered), and
 * the server SIGKILLed at 6 seeded points under that load, each while a request is in flight, and
 * restarted from its files. At the end each rollout's events equal `rollout-lab decide` over its
 * unique windows: every window sent is acknowledged, none is lost, none is counted twice.
 * The figures go to docs/production.md's hardening table.
 *
 * dist/ must be built from the current sources (`npm test` builds it first; alone:
 * `npm run build:cli`); the test refuses to run on a stale build rather than test old code.
 */

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { eventLogPath } from '../../src/cli/serve/serviceStateFile.ts';
import type { WindowMetrics } from '../../src/engine/metrics/windowMetrics.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { streamFor } from '../../src/engine/random/streams.ts';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cli = join(root, 'bin', 'rollout-lab.js');
const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-serve-crash-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Throws when a source of the service is newer than its build in dist/ (or missing there). */
function checkBuildIsCurrent(): void {
  const sources = [
    ...readdirSync(join(root, 'src/cli/serve')).map((name) => `src/cli/serve/${name}`),
    'src/cli/commands/serve.ts',
    'src/cli/commands/decide.ts',
  ];
  for (const source of sources) {
    const built = join(root, 'dist', source.replace(/\.ts$/, '.js'));
    let builtTime: number;
    try {
      builtTime = statSync(built).mtimeMs;
    } catch {
      throw new Error(`${built} is missing: run \`npm run build:cli\` before this test`);
    }
    if (statSync(join(root, source)).mtimeMs > builtTime)
      throw new Error(`dist/ is older than ${source}: run \`npm run build:cli\` before this test`);
  }
}

/** Hour-long windows (the default policy's stages take 24 h, 24 h, 2 h, 6 h, 24 h…), the candidate 4 points more successful; from `regressionFrom` on, its error rate is 10%. */
function windows(count: number, random: () => number, regressionFrom = Infinity): WindowMetrics[] {
  return Array.from({ length: count }, (_, i) => {
    const arm = (requests: number, errors: number, successes: number) => ({
      requests,
      errors,
      timeouts: Math.floor((random() * requests) / 1000),
      latency: { p50: 40 + random() * 5, p95: 90 + random() * 10, p99: 150 + random() * 20 },
      successes: successes + Math.floor(random() * 20),
      outcomes: 1000,
      agreements: 940 + Math.floor(random() * 20),
      compared: 1000,
    });
    return {
      startTime: 1_764_000_000 + i * 3600,
      duration: 3600,
      control: arm(20_000, 40 + Math.floor(random() * 10), 880),
      candidate: arm(2_000, i >= regressionFrom ? 200 : 4 + Math.floor(random() * 4), 920),
    };
  });
}

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

function startServer(policyFile: string, stateFile: string): Promise<Running> {
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--policy', policyFile, '--state', stateFile, '--port', '0', '--host', '127.0.0.1', '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ROLLOUT_LAB_TOKEN: '' } },
  );
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk) => (err += chunk));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline >= 0) resolvePromise({ child, url: JSON.parse(out.slice(0, newline)).listening, exited });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening: ${err}`)));
  });
}

function runDecide(policyFile: string, input: WindowMetrics[]): Promise<any[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, 'decide', '--policy', policyFile], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('exit', (code) =>
      code === 0
        ? resolvePromise(
            out
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line)),
          )
        : reject(new Error(`decide exited with ${code}`)),
    );
    child.stdin.end(input.map((item) => JSON.stringify(item) + '\n').join(''));
  });
}

describe('decision service under kill -9', () => {
  test('2 rollouts × 200 windows, retrying clients, 6 seeded SIGKILLs: sent = acknowledged = counted, lost 0, double-counted 0, equal to `rollout-lab decide`', async () => {
    checkBuildIsCurrent();
    const policy = defaultPolicy();
    const policyFile = join(directory, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(policy));
    const stateFile = join(directory, 'state.json');
    // One seeded stream per concern, so that timing cannot shift one's draws into another's.
    const data = streamFor(20261204, 0, 'windows');
    const killPoints = streamFor(7, 0, 'kill points');
    const perRollout = 200;
    const plan: Record<string, WindowMetrics[]> = { steady: windows(perRollout, data), regressing: windows(perRollout, data, 52) };

    let server = await startServer(policyFile, stateFile);
    // Clients wait on `up` after a failed request; the killer replaces it before each kill.
    let up: Promise<void> = Promise.resolve();
    let done = false;
    let inFlight = 0;
    const figures = { windows: 0, requests: 0, retries: 0, answersLost: 0, acknowledged: 0, duplicateAnswers: 0, kills: 0, restarts: 0 };

    async function client(rollout: string, seed: number): Promise<void> {
      // About one answer in 20 is lost on the way back (a proxy timeout, a dropped connection after
      // the server answered): the client never sees it and resends the window.
      const loses = streamFor(seed, 0, 'lost answers');
      for (const window of plan[rollout]) {
        figures.windows += 1;
        for (;;) {
          await up;
          figures.requests += 1;
          const url = server.url;
          inFlight += 1;
          try {
            const response = await fetch(`${url}/v1/rollouts/${rollout}/decide`, {
              method: 'POST',
              body: JSON.stringify(window),
              headers: { 'content-type': 'application/json' },
              signal: AbortSignal.timeout(20_000),
            });
            const json = await response.json();
            expect(response.status, JSON.stringify(json)).toBe(200);
            if (json.duplicate === true) figures.duplicateAnswers += 1;
            if (loses() < 0.05) {
              figures.answersLost += 1;
              continue;
            }
            figures.acknowledged += 1;
            break;
          } catch (error) {
            if ((error as Error).name === 'AssertionError') throw error;
            figures.retries += 1; // refused, reset or cut mid-answer: resend the same window
            if (server.url === url) await new Promise((wait) => setTimeout(wait, 5));
          } finally {
            inFlight -= 1;
          }
        }
      }
    }

    async function killer(): Promise<void> {
      let target = 0;
      for (let kill = 0; kill < 6; kill++) {
        target += 30 + Math.floor(killPoints() * 30);
        // kill while a request is in flight, 0–3 ms after: before it is read, during the write, or after the answer
        while ((figures.acknowledged < target || inFlight === 0) && !done) await new Promise((wait) => setImmediate(wait));
        if (done) return;
        await new Promise((wait) => setTimeout(wait, Math.floor(killPoints() * 4)));
        let restarted!: () => void;
        up = new Promise((resolvePromise) => (restarted = resolvePromise));
        server.child.kill('SIGKILL');
        await server.exited;
        figures.kills += 1;
        server = await startServer(policyFile, stateFile);
        figures.restarts += 1;
        restarted();
      }
    }

    try {
      const killing = killer();
      await Promise.all([client('steady', 11), client('regressing', 12)]);
      done = true;
      await killing;
      for (const rollout of Object.keys(plan)) {
        const state = await (await fetch(`${server.url}/v1/rollouts/${rollout}/state?events=all`)).json();
        const decided = await runDecide(policyFile, plan[rollout]);
        expect(state.eventCount).toBe(perRollout);
        expect(
          state.state.events.map((event: any) => ({
            time: event.time,
            stage: event.stage,
            kind: event.kind,
            decision: event.decision,
            candidateTraffic: event.candidateTraffic,
            reasons: event.reasons,
          })),
        ).toEqual(
          decided.map((line) => ({
            time: line.time,
            stage: line.stage,
            kind: line.kind,
            decision: line.decision,
            candidateTraffic: line.candidateTraffic,
            reasons: line.reasons,
          })),
        );
        expect(state.result.decision).toBe(decided[decided.length - 1].decision);
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    // On disk: one line per unique window, each window once.
    const lines = readFileSync(eventLogPath(stateFile), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const counted = new Map<string, number>();
    for (const line of lines) counted.set(`${line.rollout}/${line.window.id}`, (counted.get(`${line.rollout}/${line.window.id}`) ?? 0) + 1);
    const sent = Object.entries(plan).flatMap(([rollout, list]) => list.map((window) => `${rollout}/start:${window.startTime}`));
    const lost = sent.filter((key) => !counted.has(key)).length;
    const doubleCounted = [...counted.values()].reduce((sum, n) => sum + n - 1, 0);
    // both rollouts did what their data says: one promoted through every stage, one rolled back
    const final = (rollout: string) => lines.filter((line) => line.rollout === rollout).at(-1).event.decision;
    expect([final('steady'), final('regressing')]).toEqual(['promote', 'rollback']);
    console.log(`serve kill -9: ${JSON.stringify({ ...figures, counted: lines.length, lost, doubleCounted })}`);
    expect(figures).toMatchObject({ windows: 400, acknowledged: 400, kills: 6, restarts: 6 });
    expect(lines.length).toBe(400);
    expect(lost).toBe(0);
    expect(doubleCounted).toBe(0);
    expect(figures.retries).toBeGreaterThan(0);
    // the resend after every lost answer is answered as a duplicate (so is a window saved just before a kill)
    expect(figures.duplicateAnswers).toBeGreaterThanOrEqual(figures.answersLost);
    expect(figures.answersLost).toBeGreaterThan(10);
  }, 120_000);
});

/**
 * The decision service on loopback (127.0.0.1, port 0): endpoints and error statuses, a load
 * test of 3,000 requests at concurrency 32 with the state file checked after every answer and
 * the event log checked against the answers, a restart from the state file, crash recovery of
 * the log, and a failed write that changes nothing.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { serveCommand } from '../../src/cli/commands/serve.ts';
import type { DecisionService } from '../../src/cli/serve/decisionService.ts';
import { createDecisionService } from '../../src/cli/serve/decisionService.ts';
import { eventLogPath } from '../../src/cli/serve/serviceStateFile.ts';
import type { WindowMetrics } from '../../src/engine/metrics/windowMetrics.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';

const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-serve-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function start(stateFile?: string, bodyLimit?: number): Promise<{ service: DecisionService; url: string }> {
  const service = createDecisionService({ policy: defaultPolicy(), stateFile, bodyLimit, now: () => 1e9 });
  const address = await service.listen(0, '127.0.0.1');
  return { service, url: `http://127.0.0.1:${address.port}` };
}

function healthyWindow(i: number, duration = 300): WindowMetrics {
  const arm = (errors: number) => ({
    requests: 2000,
    errors,
    timeouts: 1,
    latency: { p50: 40, p95: 90, p99: 150 },
    successes: 900,
    outcomes: 1000,
    agreements: 950,
    compared: 1000,
  });
  return { startTime: i * duration, duration, control: arm(10), candidate: arm(10) };
}

async function post(url: string, body: string): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return { status: response.status, json: await response.json() };
}

describe('decision service', () => {
  test('endpoints and error statuses', async () => {
    const { service, url } = await start();
    try {
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true });
      const waiting = await (await fetch(`${url}/v1/state`)).json();
      expect(waiting.result).toMatchObject({ verdict: 'inconclusive', healthy: false, status: 'waiting', decision: null });
      expect((await fetch(`${url}/nope`)).status).toBe(404);
      const wrongMethod = await fetch(`${url}/v1/decide`);
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('POST');
      const malformed = await post(`${url}/v1/decide`, '{"startTime": 0,');
      expect(malformed.status).toBe(400);
      expect(malformed.json.error).toMatch(/^request body is not valid JSON/);
      const wrongField = await post(
        `${url}/v1/decide`,
        JSON.stringify({ ...healthyWindow(0), candidate: { requests: 10, errors: 11, timeouts: 0 } }),
      );
      expect(wrongField.status).toBe(400);
      expect(wrongField.json.problems).toEqual([{ path: 'candidate.errors', message: 'must be at most requests (10), got 11' }]);
      const unknown = await post(`${url}/v1/decide`, JSON.stringify({ ...healthyWindow(0), extra: 1 }));
      expect(unknown.json.error).toBe("extra: unknown field 'extra' (allowed: startTime, duration, control, candidate)");
      const empty = await post(`${url}/v1/decide`, '');
      expect(empty).toMatchObject({ status: 400, json: { error: 'request body is empty; expected JSON' } });
      const badKill = await post(`${url}/v1/kill`, '{"reason": 3}');
      expect(badKill).toMatchObject({ status: 400, json: { error: 'reason: must be a non-empty string of at most 1000 characters' } });
      const first = await post(`${url}/v1/decide`, JSON.stringify(healthyWindow(0)));
      expect(first.status).toBe(200);
      expect(first.json.result).toMatchObject({
        verdict: 'healthy',
        healthy: true,
        decision: 'continue',
        stage: 'baseline',
        stageIndex: 0,
        status: 'running',
        eventIndex: 0,
      });
      // the gate changes nothing: Flagger's webhook may post any body
      expect((await fetch(`${url}/v1/gate`, { method: 'POST', body: '{}' })).status).toBe(200);
      const killed = await post(`${url}/v1/kill`, JSON.stringify({ reason: 'on-call pressed the button', time: 400 }));
      expect(killed.json.result).toMatchObject({
        verdict: 'failing',
        decision: 'rollback',
        status: 'rolledBack',
        candidateTraffic: 0,
        eventIndex: 1,
      });
      expect(killed.json.reasons[0].rule).toBe('killSwitch');
      const gate = await fetch(`${url}/v1/gate`, { method: 'POST', body: '{}' });
      expect(gate.status).toBe(412);
      const state = await (await fetch(`${url}/v1/state?events=all`)).json();
      expect(state.eventCount).toBe(2);
      expect(state.state.events.map((e: any) => e.decision)).toEqual(['continue', 'rollback']);
    } finally {
      await service.close();
    }
  });

  test('a body over the limit gets 413', async () => {
    const { service, url } = await start(undefined, 2048);
    try {
      const big = await post(`${url}/v1/decide`, JSON.stringify({ ...healthyWindow(0), padding: 'x'.repeat(5000) }));
      expect(big.status).toBe(413);
      expect(big.json.error).toMatch(/limit is 2048/);
    } finally {
      await service.close();
    }
  });

  test('load: 3,000 requests at concurrency 32 on 32 rollouts — one event per accepted request, in order; the state file valid after every answer; restart continues', async () => {
    // Windows of one rollout are counted in order (an older one is refused with 409), so each
    // of the 32 clients drives its own rollout, sending its windows in time order, as a real
    // monitoring job does; the 32 share one queue, one log and one state file.
    const stateFile = join(directory, 'load.json');
    const { service, url } = await start(stateFile);
    const total = 3000;
    const clients = 32;
    const answers: any[] = new Array(total);
    let maxAccepted = 0;
    async function client(k: number) {
      for (let i = k; i < total; i += clients) {
        // one in ten is malformed: it must be refused without touching the state
        const bad = i % 10 === 9;
        const { status, json } = await post(
          `${url}/v1/rollouts/load-${k}/decide`,
          bad ? '{"startTime":' : JSON.stringify(healthyWindow(Math.floor(i / clients), 3600)),
        );
        expect(status).toBe(bad ? 400 : 200);
        answers[i] = bad ? null : json;
        if (bad && !existsSync(stateFile)) continue; // refused before any decision: no file yet
        const file = JSON.parse(readFileSync(stateFile, 'utf8'));
        expect(file).toMatchObject({ format: 'rollout-lab-serve-state', version: 2 });
        if (!bad) expect(file.rollouts[`load-${k}`].eventCount).toBeGreaterThan(json.result.eventIndex);
        maxAccepted = Math.max(maxAccepted, file.accepted);
      }
    }
    await Promise.all(Array.from({ length: clients }, (_, k) => client(k)));
    await service.close();
    const accepted = answers.filter((a) => a !== null);
    expect(accepted.length).toBe(2700);
    const lines = readFileSync(eventLogPath(stateFile), 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBe(2700);
    // every accepted answer owns exactly one log line of its rollout, and the line is the event it was told
    const byRollout = new Map<string, any[]>();
    for (const line of lines) {
      const entry = JSON.parse(line);
      byRollout.set(entry.rollout, [...(byRollout.get(entry.rollout) ?? []), entry]);
    }
    expect(byRollout.size).toBe(clients);
    for (const answer of accepted) {
      const entry = byRollout.get(answer.rollout)![answer.result.eventIndex];
      expect(entry.event).toEqual(answer.event);
      expect(entry.window.id).toBe(answer.window);
    }
    for (const [, entries] of byRollout)
      expect(entries.map((e) => e.window.startTime)).toEqual([...entries.map((e) => e.window.startTime)].sort((a, b) => a - b));
    const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(saved.accepted).toBe(2700);
    expect(maxAccepted).toBe(2700);
    // the rollouts (hour-long windows) went through their stages on healthy data (24 h baseline, 24 h shadow, …)
    expect(new Set(lines.map((line) => JSON.parse(line).event.kind))).toContain('shadow');

    // restart from the files: nothing lost, and the next decision of a rollout follows its last
    const again = await start(stateFile);
    try {
      const before = await (await fetch(`${again.url}/v1/rollouts/load-0/state?events=all`)).json();
      expect(before.eventCount).toBe(byRollout.get('load-0')!.length);
      expect(before.state.events).toEqual(byRollout.get('load-0')!.map((e) => e.event));
      const listed = await (await fetch(`${again.url}/v1/rollouts`)).json();
      expect(listed.rollouts.length).toBe(clients);
      expect(listed.rollouts.reduce((sum: number, r: any) => sum + r.eventCount, 0)).toBe(2700);
      const more = await post(`${again.url}/v1/rollouts/load-0/decide`, JSON.stringify(healthyWindow(total, 3600)));
      expect(more.json.result.eventIndex).toBe(before.eventCount);
    } finally {
      await again.service.close();
    }
  }, 60_000);

  test('crash between the log append and the state rename: the unacknowledged line is dropped on restart', async () => {
    const stateFile = join(directory, 'crash.json');
    const first = await start(stateFile);
    await post(`${first.url}/v1/decide`, JSON.stringify(healthyWindow(0)));
    await post(`${first.url}/v1/decide`, JSON.stringify(healthyWindow(1)));
    await first.service.close();
    appendFileSync(eventLogPath(stateFile), '{"time":900,"decision":"continue"}\n{"half');
    const second = await start(stateFile);
    try {
      const answer = await post(`${second.url}/v1/decide`, JSON.stringify(healthyWindow(2)));
      expect(answer.json.result.eventIndex).toBe(2);
      const lines = readFileSync(eventLogPath(stateFile), 'utf8').trim().split('\n');
      expect(lines.length).toBe(3);
      expect(JSON.parse(lines[2]).event).toEqual(answer.json.event);
    } finally {
      await second.service.close();
    }
  });

  test('a state file of another policy, or a corrupt one, is refused at start', () => {
    const stateFile = join(directory, 'corrupt.json');
    writeFileSync(stateFile, '{"format":"rollout-lab-serve-state"');
    expect(() => createDecisionService({ policy: defaultPolicy(), stateFile })).toThrow(/is not valid JSON/);
    writeFileSync(
      stateFile,
      JSON.stringify({ format: 'rollout-lab-serve-state', version: 1, policy: 'fnv1a32:00000000', accepted: 0, state: null }),
    );
    expect(() => createDecisionService({ policy: defaultPolicy(), stateFile })).toThrow(/belongs to another policy/);
  });

  test('a failed write answers 500 and changes nothing', async () => {
    const { service, url } = await start(join(directory, 'missing-directory', 'state.json'));
    try {
      const answer = await post(`${url}/v1/decide`, JSON.stringify(healthyWindow(0)));
      expect(answer.status).toBe(500);
      expect(answer.json.error).toMatch(/^could not persist the decision \(nothing changed\): ENOENT/);
      const state = await (await fetch(`${url}/v1/state`)).json();
      expect(state).toMatchObject({ eventCount: 0, state: null });
    } finally {
      await service.close();
    }
  });
});

describe('serve command arguments', () => {
  const io = () => {
    let stderr = '';
    return { io: { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) } }, stderr: () => stderr };
  };
  test.each([
    [[], '--policy is required'],
    [['--policy', join(directory, 'none.json')], 'cannot read policy file'],
    [['--policy', 'package.json'], 'is not valid'],
  ])('%j → usage error', async (argv, message) => {
    await expect(Promise.resolve().then(() => serveCommand.run(argv as string[], io().io))).rejects.toThrow(message);
  });
  test('bad port', async () => {
    const policyFile = join(directory, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(defaultPolicy()));
    await expect(Promise.resolve().then(() => serveCommand.run(['--policy', policyFile, '--port', '70000'], io().io))).rejects.toThrow(
      '--port must be at most 65535, got 70000',
    );
  });
});

/**
 * The decision service's guarantees, each a test that fails on the service before issue 11:
 * each window counts once (duplicates answer the original, a conflicting or late window gets 409,
 * also after a restart); nothing is visible before it is durable (a write held in flight through
 * an injected storage); one state per rollout id (routes, listing, reset in the event log, a
 * version 1 state file read as the rollout `default`); two concurrent clients on two rollouts,
 * each racing every window against its own retry, end with exactly the engine's decisions over
 * the unique windows; and writes only as `application/json`, with the bearer token when one is
 * set. The kill -9 test is in serveCrash.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readToken } from '../../src/cli/commands/serve.ts';
import type { DecisionService } from '../../src/cli/serve/decisionService.ts';
import { createDecisionService } from '../../src/cli/serve/decisionService.ts';
import { eventLogPath, policyFingerprint } from '../../src/cli/serve/serviceStateFile.ts';
import type { ServiceStorage } from '../../src/cli/serve/serviceStorage.ts';
import { fileStorage } from '../../src/cli/serve/serviceStorage.ts';
import type { ControllerState } from '../../src/engine/controller/controllerState.ts';
import { initialState } from '../../src/engine/controller/controllerState.ts';
import { step } from '../../src/engine/controller/step.ts';
import type { WindowMetrics } from '../../src/engine/metrics/windowMetrics.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';

const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-serve-windows-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const policy = defaultPolicy();

async function start(
  options: { stateFile?: string; storage?: ServiceStorage; token?: string } = {},
): Promise<{ service: DecisionService; url: string }> {
  const service = createDecisionService({ policy, now: () => 1e9, ...options });
  const address = await service.listen(0, '127.0.0.1');
  return { service, url: `http://127.0.0.1:${address.port}` };
}

/** Window i of a run: 5 minutes, its candidate errors varying with i so that windows differ. */
function window(i: number, candidateErrors = 10 + (i % 7)): WindowMetrics {
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
  return { startTime: i * 300, duration: 300, control: arm(10), candidate: arm(candidateErrors) };
}

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  return { status: response.status, json: await response.json(), headers: response.headers };
}

async function get(url: string): Promise<any> {
  return (await fetch(url)).json();
}

/** What `rollout-lab decide` computes over `windows` (decide.ts: initialState at the first window's start, then step per window). */
function engineOver(windows: WindowMetrics[]): ControllerState {
  let state: ControllerState | undefined;
  for (const item of windows) {
    state ??= initialState(policy, item.startTime);
    step(state, [item], policy);
  }
  return state!;
}

function logLines(stateFile: string): any[] {
  return readFileSync(eventLogPath(stateFile), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('each window counts once', () => {
  test('a resend answers the original decision marked duplicate and changes nothing; other content under the same identity → 409', async () => {
    const stateFile = join(directory, 'duplicates.json');
    const { service, url } = await start({ stateFile });
    try {
      const first = await post(`${url}/v1/decide`, window(0));
      expect(first.status).toBe(200);
      expect(first.json).toMatchObject({ rollout: 'default', window: 'start:0', result: { eventIndex: 0 } });
      expect(first.json.duplicate).toBeUndefined();
      const again = await post(`${url}/v1/decide`, window(0));
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({ duplicate: true, window: 'start:0', eventIndex: 0 });
      expect(again.json.event).toEqual(first.json.event);
      expect(again.json.reasons).toEqual(first.json.reasons);
      // same start time, other numbers: not a resend — refused, and it says why
      const other = await post(`${url}/v1/decide`, window(0, 99));
      expect(other.status).toBe(409);
      expect(other.json.error).toBe(
        "window 'start:0' of rollout 'default' was already counted with different content (event 0); a window counts once — send a new id or start time for new data",
      );
      // an explicit id identifies the window instead of its start
      const named = await post(`${url}/v1/decide`, { id: 'w-1', ...window(1) });
      expect(named.json).toMatchObject({ window: 'id:w-1', result: { eventIndex: 1 } });
      expect((await post(`${url}/v1/decide`, { id: 'w-1', ...window(1) })).json).toMatchObject({ duplicate: true, eventIndex: 1 });
      expect((await post(`${url}/v1/decide`, { id: 'w-1', ...window(2) })).status).toBe(409);
      const state = await get(`${url}/v1/state?events=all`);
      expect(state.eventCount).toBe(2);
      expect(logLines(stateFile).map((line) => line.window.id)).toEqual(['start:0', 'id:w-1']);
    } finally {
      await service.close();
    }
    // the identities are in the log: after a restart a resend is still a duplicate
    const restarted = await start({ stateFile });
    try {
      const resend = await post(`${restarted.url}/v1/decide`, { id: 'w-1', ...window(1) });
      expect(resend.json).toMatchObject({ duplicate: true, eventIndex: 1 });
      expect((await post(`${restarted.url}/v1/decide`, window(0))).json).toMatchObject({ duplicate: true, eventIndex: 0 });
      expect((await post(`${restarted.url}/v1/decide`, window(0, 99))).status).toBe(409);
      expect((await get(`${restarted.url}/v1/state`)).eventCount).toBe(2);
    } finally {
      await restarted.service.close();
    }
  });

  test('reordering: a new window older than the last counted one is refused with 409 and the reason', async () => {
    const { service, url } = await start();
    try {
      for (const i of [0, 1, 3]) expect((await post(`${url}/v1/decide`, window(i))).status).toBe(200);
      const late = await post(`${url}/v1/decide`, window(2));
      expect(late.status).toBe(409);
      expect(late.json).toMatchObject({
        error:
          "window 'start:600' of rollout 'default' starts at 600, not after the last counted window 'start:900' (start 900): windows count once and in order; this one is refused",
        rollout: 'default',
        lastWindow: { id: 'start:900', startTime: 900 },
      });
      // same start as the last, under another explicit id: it would count the same 5 minutes twice
      expect((await post(`${url}/v1/decide`, { id: 'again', ...window(3) })).status).toBe(409);
      const state = await get(`${url}/v1/state?events=all`);
      expect(state.eventCount).toBe(3);
      expect(state.state).toMatchObject({
        ...(() => {
          const { events, ...rest } = engineOver([window(0), window(1), window(3)]);
          return rest;
        })(),
      });
    } finally {
      await service.close();
    }
  });

  test('an array (one check) is one window: identified by its earliest start, or by the ids of all its windows', async () => {
    const { service, url } = await start();
    try {
      const check = [window(1), window(0)];
      expect((await post(`${url}/v1/decide`, check)).json).toMatchObject({ window: 'start:0', result: { eventIndex: 0 } });
      expect((await post(`${url}/v1/decide`, check)).json).toMatchObject({ duplicate: true });
      const mixed = await post(`${url}/v1/decide`, [{ id: 'a', ...window(2) }, window(3)]);
      expect(mixed).toMatchObject({
        status: 400,
        json: { error: 'id: 1 of the 2 windows have an id; give every window of the array an id, or none' },
      });
      const badId = await post(`${url}/v1/decide`, { id: '', ...window(2) });
      expect(badId).toMatchObject({
        status: 400,
        json: { problems: [{ path: 'id', message: 'must be a non-empty string of at most 200 characters' }] },
      });
      expect(
        (
          await post(`${url}/v1/decide`, [
            { id: 'a', ...window(2) },
            { id: 'b', ...window(3) },
          ])
        ).json,
      ).toMatchObject({ window: 'id:a,b', result: { eventIndex: 1 } });
    } finally {
      await service.close();
    }
  });
});

describe('nothing is visible before it is durable', () => {
  /** File storage whose writes wait for `release()` once `hold()` was called; `started` resolves when a held write begins. */
  function heldStorage(stateFile: string) {
    const files = fileStorage(stateFile);
    let gate: Promise<void> | null = null;
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    let failNext = false;
    const control = {
      hold(fail = false): Promise<void> {
        failNext = fail;
        gate = new Promise((resolve) => (release = resolve));
        return new Promise((resolve) => (started = resolve));
      },
      release: () => release(),
    };
    const storage: ServiceStorage = {
      async appendLog(text) {
        if (gate) {
          started();
          await gate;
          gate = null;
          if (failNext) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
        }
        return files.appendLog(text);
      },
      writeState: (text) => files.writeState(text),
      cutLog: (bytes) => files.cutLog(bytes),
    };
    return { storage, control };
  }

  test('while a kill is being written, state and gate still show the durable decision; after the fsync they show the kill', async () => {
    const stateFile = join(directory, 'durable.json');
    const { storage, control } = heldStorage(stateFile);
    const { service, url } = await start({ stateFile, storage });
    try {
      await post(`${url}/v1/decide`, window(0));
      const inFlight = control.hold();
      const kill = post(`${url}/v1/kill`, { reason: 'pager', time: 400 });
      await inFlight;
      // the kill is applied in memory and its log line is being written: not visible yet
      const during = await get(`${url}/v1/state?events=all`);
      expect(during).toMatchObject({ eventCount: 1, result: { verdict: 'healthy', status: 'running', eventIndex: 0 } });
      expect(during.state.events.length).toBe(1);
      expect(during.state.status).toBe('running');
      const gate = await fetch(`${url}/v1/gate`);
      expect(gate.status).toBe(200);
      expect((await get(`${url}/v1/rollouts`)).rollouts[0]).toMatchObject({ rollout: 'default', eventCount: 1 });
      control.release();
      expect((await kill).json.result).toMatchObject({ verdict: 'failing', eventIndex: 1 });
      expect((await fetch(`${url}/v1/gate`)).status).toBe(412);
      expect((await get(`${url}/v1/state`)).eventCount).toBe(2);
    } finally {
      await service.close();
    }
  });

  test('a write that fails after a held fsync leaves nothing behind: not in reads, not in the window identities', async () => {
    const stateFile = join(directory, 'failed.json');
    const { storage, control } = heldStorage(stateFile);
    const { service, url } = await start({ stateFile, storage });
    try {
      await post(`${url}/v1/decide`, window(0));
      const inFlight = control.hold(true);
      const answer = post(`${url}/v1/decide`, window(1));
      await inFlight;
      expect((await get(`${url}/v1/state`)).eventCount).toBe(1);
      control.release();
      expect((await answer).status).toBe(500);
      const after = await get(`${url}/v1/state?events=all`);
      expect(after.eventCount).toBe(1);
      expect(after.state.events.length).toBe(1);
      // the window was not counted: resending it is a first count, not a duplicate
      const resend = await post(`${url}/v1/decide`, window(1));
      expect(resend.json.duplicate).toBeUndefined();
      expect(resend.json.result.eventIndex).toBe(1);
      expect(logLines(stateFile).length).toBe(2);
    } finally {
      await service.close();
    }
  });
});

describe('more than one rollout', () => {
  test('routes per id, the bare routes are "default", listing, ids checked, reset starts a new generation in the log and survives a restart', async () => {
    const stateFile = join(directory, 'rollouts.json');
    const first = await start({ stateFile });
    try {
      const { url } = first;
      expect((await post(`${url}/v1/rollouts/checkout-v2/decide`, window(0))).json).toMatchObject({
        rollout: 'checkout-v2',
        result: { eventIndex: 0 },
      });
      expect((await post(`${url}/v1/rollouts/search.ranker_7/decide`, window(0))).json).toMatchObject({
        rollout: 'search.ranker_7',
        result: { eventIndex: 0 },
      });
      expect((await post(`${url}/v1/decide`, window(5))).json).toMatchObject({ rollout: 'default' });
      expect((await get(`${url}/v1/rollouts/default/state`)).eventCount).toBe(1);
      expect((await post(`${url}/v1/rollouts/checkout-v2/kill`, { reason: 'incident', time: 500 })).json.result.status).toBe('rolledBack');
      expect((await fetch(`${url}/v1/rollouts/checkout-v2/gate`)).status).toBe(412);
      expect((await fetch(`${url}/v1/rollouts/search.ranker_7/gate`)).status).toBe(200);
      const bad = await post(`${url}/v1/rollouts/no%20spaces/decide`, window(0));
      expect(bad).toMatchObject({
        status: 400,
        json: { error: "rollout id must be 1 to 64 letters, digits, '.', '_' or '-' (not '.' or '..'), got 'no spaces'" },
      });
      expect((await fetch(`${url}/v1/rollouts/${'x'.repeat(65)}/state`)).status).toBe(400);
      expect((await fetch(`${url}/v1/rollouts/a/nope`)).status).toBe(404);
      expect((await fetch(`${url}/v1/rollouts`, { method: 'POST' })).status).toBe(405);
      const listed = await get(`${url}/v1/rollouts`);
      expect(listed.rollouts.map((r: any) => [r.rollout, r.generation, r.eventCount, r.result.verdict])).toEqual([
        ['checkout-v2', 0, 2, 'failing'],
        ['default', 0, 1, 'healthy'],
        ['search.ranker_7', 0, 1, 'healthy'],
      ]);
      // reset: a new rollout under the same id; window 0 counts again in the new generation
      const reset = await post(`${url}/v1/rollouts/checkout-v2/reset`, { reason: 'fixed build 7f3a', time: 900 });
      expect(reset.json).toMatchObject({
        rollout: 'checkout-v2',
        generation: 1,
        previous: { generation: 0, eventCount: 2 },
        result: { status: 'waiting' },
      });
      expect((await post(`${url}/v1/rollouts/checkout-v2/decide`, window(0))).json).toMatchObject({
        result: { eventIndex: 0, status: 'running' },
      });
      const empty = await fetch(`${url}/v1/reset`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      expect((await empty.json()).generation).toBe(1);
      // a reset naming the generation it creates is safe to resend: the resend changes nothing
      expect((await post(`${url}/v1/rollouts/search.ranker_7/reset`, { generation: 1 })).json).toMatchObject({
        generation: 1,
        previous: { eventCount: 1 },
      });
      expect((await post(`${url}/v1/rollouts/search.ranker_7/reset`, { generation: 1 })).json).toMatchObject({
        generation: 1,
        duplicate: true,
      });
      expect((await post(`${url}/v1/rollouts/search.ranker_7/reset`, { generation: 3 })).json).toMatchObject({
        error: "generation: rollout 'search.ranker_7' is at generation 1; a reset creates 2, not 3",
        generation: 1,
      });
    } finally {
      await first.service.close();
    }
    const lines = logLines(stateFile);
    expect(lines.filter((line) => line.reset)).toEqual([
      { rollout: 'checkout-v2', reset: { generation: 1, reason: 'fixed build 7f3a', time: 900 } },
      { rollout: 'default', reset: { generation: 1, reason: null, time: 1e9 } },
      { rollout: 'search.ranker_7', reset: { generation: 1, reason: null, time: 1e9 } },
    ]);
    const second = await start({ stateFile });
    try {
      const state = await get(`${second.url}/v1/rollouts/checkout-v2/state?events=all`);
      expect(state).toMatchObject({ generation: 1, eventCount: 1, result: { status: 'running' } });
      expect(state.state.events).toEqual([engineOver([window(0)]).events[0]]);
      expect(await get(`${second.url}/v1/state`)).toMatchObject({ generation: 1, eventCount: 0, state: null });
    } finally {
      await second.service.close();
    }
  });

  test('a version 1 state file (one rollout, bare events in the log) is read as the rollout "default" and continues as version 2', async () => {
    const stateFile = join(directory, 'version1.json');
    const old = engineOver([window(0), window(1), window(2)]);
    writeFileSync(
      stateFile,
      JSON.stringify({
        format: 'rollout-lab-serve-state',
        version: 1,
        policy: policyFingerprint(policy),
        accepted: 3,
        state: { ...old, events: [] },
      }),
    );
    writeFileSync(eventLogPath(stateFile), old.events.map((event) => JSON.stringify(event) + '\n').join(''));
    const first = await start({ stateFile });
    try {
      const state = await get(`${first.url}/v1/rollouts/default/state?events=all`);
      expect(state.eventCount).toBe(3);
      expect(state.state.events).toEqual(old.events);
      expect((await post(`${first.url}/v1/decide`, window(3))).json.result.eventIndex).toBe(3);
    } finally {
      await first.service.close();
    }
    const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(saved).toMatchObject({
      version: 2,
      accepted: 4,
      rollouts: { default: { generation: 0, eventCount: 4, lastWindow: { id: 'start:900' } } },
    });
    const second = await start({ stateFile });
    try {
      const state = await get(`${second.url}/v1/state?events=all`);
      expect(state.state.events).toEqual(engineOver([window(0), window(1), window(2), window(3)]).events);
      expect((await post(`${second.url}/v1/decide`, window(3))).json.duplicate).toBe(true);
    } finally {
      await second.service.close();
    }
  });

  test('two concurrent clients on two rollouts, each window raced against its own resend: exactly the engine over the unique windows', async () => {
    const stateFile = join(directory, 'concurrent.json');
    const { service, url } = await start({ stateFile });
    const windows = Array.from({ length: 120 }, (_, i) => window(i, i % 40 === 39 ? 60 : 10 + (i % 5)));
    let duplicates = 0;
    async function client(id: string) {
      for (const item of windows) {
        const answers = await Promise.all([post(`${url}/v1/rollouts/${id}/decide`, item), post(`${url}/v1/rollouts/${id}/decide`, item)]);
        expect(answers.map((a) => a.status)).toEqual([200, 200]);
        expect(answers.filter((a) => a.json.duplicate === true).length).toBe(1);
        expect(answers[0].json.event).toEqual(answers[1].json.event);
        duplicates += 1;
      }
    }
    try {
      await Promise.all([client('alpha'), client('beta')]);
      const expected = engineOver(windows);
      for (const id of ['alpha', 'beta']) {
        const state = await get(`${url}/v1/rollouts/${id}/state?events=all`);
        expect(state.eventCount).toBe(120);
        expect(state.state).toEqual(JSON.parse(JSON.stringify(expected)));
      }
    } finally {
      await service.close();
    }
    expect(duplicates).toBe(240);
    expect(logLines(stateFile).length).toBe(240);
  });
});

describe('no cross-site writes', () => {
  test('a write that is not application/json gets 415 and changes nothing; reads and the gate stay open', async () => {
    const { service, url } = await start();
    try {
      const form = await post(`${url}/v1/kill`, { reason: 'a web page' }, { 'content-type': 'text/plain' });
      expect(form.status).toBe(415);
      expect(form.json.error).toBe(
        "content-type must be application/json for a write, got 'text/plain' (other types are refused so that a web page cannot post here: docs/production.md, threat model)",
      );
      expect((await post(`${url}/v1/rollouts/x/decide`, window(0), { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(
        415,
      );
      expect((await post(`${url}/v1/reset`, '{}', {})).status).toBe(415);
      expect((await get(`${url}/v1/rollouts`)).rollouts).toEqual([]);
      expect((await fetch(`${url}/v1/gate`, { method: 'POST', body: '{}' })).status).toBe(200);
      expect((await post(`${url}/v1/kill`, { reason: 'on-call' }, { 'content-type': 'Application/JSON; charset=utf-8' })).status).toBe(200);
      // no CORS header is ever granted
      const preflight = await fetch(`${url}/v1/kill`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(405);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await service.close();
    }
  });

  test('with a token, every write needs "Authorization: Bearer <token>" (401 otherwise); reads need none', async () => {
    const token = 'c0ffee-0123456789abcdef';
    const { service, url } = await start({ token });
    try {
      const none = await post(`${url}/v1/decide`, window(0));
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="rollout-lab"');
      expect(none.json.error).toBe(
        'this service requires Authorization: Bearer <token> on every write (--token-file or ROLLOUT_LAB_TOKEN)',
      );
      const wrong = await post(
        `${url}/v1/kill`,
        { reason: 'x' },
        { 'content-type': 'application/json', authorization: 'Bearer c0ffee-0123456789abcdeX' },
      );
      expect(wrong).toMatchObject({ status: 401, json: { error: 'the bearer token is not the one this service was started with' } });
      expect(
        (await post(`${url}/v1/rollouts/a/reset`, {}, { 'content-type': 'application/json', authorization: 'Bearer short' })).status,
      ).toBe(401);
      expect((await get(`${url}/v1/state`)).eventCount).toBe(0);
      const good = await post(`${url}/v1/decide`, window(0), { 'content-type': 'application/json', authorization: `Bearer ${token}` });
      expect(good.status).toBe(200);
      expect((await get(`${url}/v1/state`)).eventCount).toBe(1);
      expect((await fetch(`${url}/v1/gate`, { method: 'POST', body: '{}' })).status).toBe(200);
    } finally {
      await service.close();
    }
  });

  test('the token comes from --token-file (trimmed), else ROLLOUT_LAB_TOKEN; too short or with spaces is a usage error', () => {
    const file = join(directory, 'token');
    writeFileSync(file, 'from-the-file-0123456789\n');
    expect(readToken(file, { ROLLOUT_LAB_TOKEN: 'from-the-environment-0123' })).toBe('from-the-file-0123456789');
    expect(readToken(undefined, { ROLLOUT_LAB_TOKEN: 'from-the-environment-0123' })).toBe('from-the-environment-0123');
    expect(readToken(undefined, {})).toBeUndefined();
    expect(() => readToken(undefined, { ROLLOUT_LAB_TOKEN: 'short' })).toThrow(
      'ROLLOUT_LAB_TOKEN: the token must be at least 16 characters, got 5',
    );
    writeFileSync(file, 'two words 0123456789');
    expect(() => readToken(file, {})).toThrow(`token file '${file}': the token must not contain whitespace`);
    expect(() => readToken(join(directory, 'none'), {})).toThrow(/^cannot read --token-file '.*none': ENOENT$/);
  });
});

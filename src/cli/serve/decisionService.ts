/**
 * The decision service (`rollout-lab serve`): the engine's controller behind HTTP, for a
 * production loop that posts a metric window per check and for Argo Rollouts' web metric
 * provider / Flagger's webhooks to read the verdict. One controller state per rollout id.
 *
 * Endpoints (docs/production.md has the formats and curl examples); `{r}` is
 * `/v1/rollouts/{id}`, and the same routes under `/v1` without an id are the rollout `default`:
 * - `POST {r}/decide` — body: one `WindowMetrics` (or an array of them, merged into one check),
 *   optionally with an `id`; answer: `{ rollout, window, result, reasons, event }` where `result`
 *   = { verdict, healthy, decision, stage, stageIndex, stageKind, candidateTraffic, status, time,
 *   eventIndex }. Each window counts once (windowIdentity.ts): a resend of a counted window
 *   answers its original `event` with `"duplicate": true` and changes nothing; the same id with
 *   other content, or a new window that does not start after the last counted one → 409;
 * - `GET {r}/state[?events=N|all]` — `{ rollout, generation, result, eventCount, state }` with
 *   the last N events (default 20) (Argo web metric: `jsonPath: {$.result.verdict}`);
 * - `POST {r}/kill` — body `{ "reason": "...", "time"?: seconds }`: the kill switch;
 * - `POST {r}/reset` — body `{ "reason"?: "...", "time"?: seconds, "generation"?: n }`: starts a
 *   new rollout under the id (generation + 1), recorded in the event log; with `generation` (the
 *   one the reset creates) a resend is answered `duplicate` and a stale one gets 409;
 * - `POST|GET {r}/gate` — 200 unless the verdict is failing or the rollout was rolled back (412):
 *   a Flagger `rollout` webhook. It changes nothing, so it is a read;
 * - `GET /v1/rollouts` — every rollout's id, generation, event count and result;
 * - `GET /healthz` — `{ "ok": true }`.
 *
 * Verdicts: `rollback` → failing; `hold` → inconclusive; continue, advance, promote → healthy.
 * Every change goes through one queue (rolloutLedger.ts): answered only once on disk, and reads
 * show only what is on disk. Writes (decide, kill, reset) must be `application/json` and, when
 * the service has a token, carry it (writeGuard.ts).
 * Errors: malformed JSON or wrong fields → 400 naming the field, bad token → 401, unknown path →
 * 404, wrong method → 405 (with `Allow`), a window counted differently or out of order → 409,
 * body over the limit → 413, not JSON → 415, a failed write → 500 and nothing changed.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initialState } from '../../engine/controller/controllerState.ts';
import type { ControllerState } from '../../engine/controller/controllerState.ts';
import type { Decision, DecisionEvent } from '../../engine/controller/decision.ts';
import { killSwitch, step } from '../../engine/controller/step.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { HttpError, defaultBodyLimit, parseJsonBody, readBody } from './httpBody.ts';
import { createRolloutLedger, freshRollout } from './rolloutLedger.ts';
import type { Change, Rollout } from './rolloutLedger.ts';
import { defaultRolloutId, parseRolloutId } from './rolloutId.ts';
import { policyFingerprint, readServiceState } from './serviceStateFile.ts';
import type { ServiceStateFile } from './serviceStateFile.ts';
import { fileStorage } from './serviceStorage.ts';
import type { ServiceStorage } from './serviceStorage.ts';
import { parseDecideBody } from './windowIdentity.ts';
import { bearerTokenCheck, requireJsonContentType } from './writeGuard.ts';

/** healthy / inconclusive / failing: what a web metric provider compares against. */
export type Verdict = 'healthy' | 'inconclusive' | 'failing';

/** The summary every answer carries. */
export interface DecisionResult {
  verdict: Verdict;
  healthy: boolean;
  decision: Decision | null;
  stage: string | null;
  stageIndex: number | null;
  stageKind: string | null;
  candidateTraffic: number;
  status: ControllerState['status'] | 'waiting';
  time: number | null;
  /** Index of the decision in the rollout's event log (`state.events`), or null before the first. */
  eventIndex: number | null;
}

/** Options of `createDecisionService`. */
export interface DecisionServiceOptions {
  /** A VALID policy (check it with `parsePolicy` first). */
  policy: Policy;
  /** Where the state is persisted; without it the state lives in memory only. */
  stateFile?: string;
  /** The storage of `stateFile` (default: the files themselves); tests wrap it to hold a write in flight. */
  storage?: ServiceStorage;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** When set, every write must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Clock for the kill switch and reset when no time is given, seconds (default the wall clock). */
  now?: () => number;
}

/** A running (or ready) decision service. */
export interface DecisionService {
  server: Server;
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting, waits for queued work, closes connections. */
  close(): Promise<void>;
  /** The durable state file content (a snapshot). */
  snapshot(): ServiceStateFile;
}

export function verdictOf(decision: Decision | null): Verdict {
  if (decision === 'rollback') return 'failing';
  if (decision === 'hold' || decision === null) return 'inconclusive';
  return 'healthy';
}

/** The summary of `rollout` (its first `eventCount` events only). */
function resultOf(rollout: Rollout | undefined): DecisionResult {
  const state = rollout?.state ?? null;
  const count = state ? rollout!.eventCount : 0;
  const last: DecisionEvent | undefined = count > 0 ? state!.events[count - 1] : undefined;
  const decision = last?.decision ?? null;
  const verdict = state?.status === 'rolledBack' ? 'failing' : verdictOf(decision);
  return {
    verdict,
    healthy: verdict === 'healthy',
    decision,
    stage: last?.stage ?? null,
    stageIndex: state ? state.stageIndex : null,
    stageKind: state ? state.stageKind : null,
    candidateTraffic: state ? state.candidateTraffic : 0,
    status: state ? state.status : 'waiting',
    time: state ? state.time : null,
    eventIndex: count > 0 ? count - 1 : null,
  };
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body) + '\n';
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  response.end(text);
}

/** What each action of a rollout allows, and whether it writes. */
const actions: Record<string, { methods: string[]; write: boolean }> = {
  decide: { methods: ['POST'], write: true },
  state: { methods: ['GET', 'HEAD'], write: false },
  kill: { methods: ['POST'], write: true },
  reset: { methods: ['POST'], write: true },
  gate: { methods: ['POST', 'GET'], write: false },
};

/** `{ rollout, action }` of a path, `{ list }` for `/v1/rollouts`, `{ health }`; `HttpError` 404/400 otherwise. */
function route(path: string): { rollout: string; action: string } | { special: 'list' | 'health' } {
  if (path === '/healthz') return { special: 'health' };
  if (path === '/v1/rollouts' || path === '/v1/rollouts/') return { special: 'list' };
  const bare = /^\/v1\/([a-z]+)$/.exec(path);
  if (bare && actions[bare[1]]) return { rollout: defaultRolloutId, action: bare[1] };
  const named = /^\/v1\/rollouts\/([^/]*)\/([a-z]+)$/.exec(path);
  if (named && actions[named[2]]) return { rollout: parseRolloutId(named[1]), action: named[2] };
  throw new HttpError(404, `no such endpoint '${path.slice(0, 200)}' (endpoints: /v1/rollouts, /v1/rollouts/{id}/{${Object.keys(actions).join(',')}}, the same under /v1/ for the rollout 'default', /healthz)`);
}

function checkObject(body: unknown, shape: string, allowed: string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, `(root): must be an object ${shape}`);
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) throw new HttpError(400, `${key}: unknown field '${key}' (allowed: ${allowed.join(', ')})`, [{ path: key, message: `unknown field '${key}'` }]);
  }
  if (record.time !== undefined && (typeof record.time !== 'number' || !Number.isFinite(record.time))) {
    throw new HttpError(400, `time: must be a number of seconds, got ${JSON.stringify(record.time)}`, [{ path: 'time', message: 'must be a number of seconds' }]);
  }
  return record;
}

function parseReason(record: Record<string, unknown>, required: boolean): string | undefined {
  if (record.reason === undefined && !required) return undefined;
  if (typeof record.reason !== 'string' || record.reason.trim() === '' || record.reason.length > 1000) {
    throw new HttpError(400, 'reason: must be a non-empty string of at most 1000 characters', [{ path: 'reason', message: 'must be a non-empty string of at most 1000 characters' }]);
  }
  return record.reason;
}

function parseKill(body: unknown): { reason: string; time?: number } {
  const record = checkObject(body, '{ "reason": "...", "time"?: seconds }', ['reason', 'time']);
  return { reason: parseReason(record, true)!, time: record.time as number | undefined };
}

function parseReset(body: unknown): { reason?: string; time?: number; generation?: number } {
  const record = checkObject(body, '{ "reason"?: "...", "time"?: seconds, "generation"?: n }', ['reason', 'time', 'generation']);
  if (record.generation !== undefined && !(Number.isSafeInteger(record.generation) && (record.generation as number) >= 1)) {
    throw new HttpError(400, `generation: must be a whole number ≥ 1 (the generation the reset creates), got ${JSON.stringify(record.generation)}`, [{ path: 'generation', message: 'must be a whole number ≥ 1' }]);
  }
  return { reason: parseReason(record, false), time: record.time as number | undefined, generation: record.generation as number | undefined };
}

/**
 * A decision service for `policy`, resuming from `stateFile` when it exists (throws an `Error`
 * naming the file when it is not a state of this policy). Not listening until `listen`.
 */
export function createDecisionService(options: DecisionServiceOptions): DecisionService {
  const { policy, stateFile } = options;
  const bodyLimit = options.bodyLimit ?? defaultBodyLimit;
  const now = options.now ?? (() => Date.now() / 1000);
  const checkToken = options.token !== undefined ? bearerTokenCheck(options.token) : undefined;
  const loaded = stateFile ? readServiceState(stateFile, policy) : undefined;
  const storage = options.storage ?? (stateFile ? fileStorage(stateFile) : undefined);
  const ledger = createRolloutLedger({ policy: policyFingerprint(policy), loaded, storage });

  function decide(body: unknown): Change {
    const { windows, identity } = parseDecideBody(body);
    return (rollout) => {
      const counted = rollout.windows.get(identity.id);
      if (counted) {
        if (counted.hash !== identity.hash) {
          throw new HttpError(409, `window '${identity.id}' of rollout '${rollout.id}' was already counted with different content (event ${counted.eventIndex}); a window counts once — send a new id or start time for new data`, undefined, undefined, { rollout: rollout.id, window: identity.id, eventIndex: counted.eventIndex });
        }
        const event = rollout.state!.events[counted.eventIndex];
        return { line: null, answer: { rollout: rollout.id, window: identity.id, duplicate: true, result: resultOf(rollout), reasons: event.reasons, event, eventIndex: counted.eventIndex } };
      }
      const last = rollout.lastWindow;
      if (last && !(identity.startTime > last.startTime)) {
        throw new HttpError(409, `window '${identity.id}' of rollout '${rollout.id}' starts at ${identity.startTime}, not after the last counted window '${last.id}' (start ${last.startTime}): windows count once and in order; this one is refused`, undefined, undefined, { rollout: rollout.id, window: identity.id, lastWindow: { id: last.id, startTime: last.startTime } });
      }
      rollout.state ??= initialState(policy, identity.startTime);
      const stepped = step(rollout.state, windows, policy);
      const events = rollout.state.events;
      const event = events[events.length - 1];
      const countedWindow = { ...identity, eventIndex: events.length - 1 };
      rollout.windows.set(identity.id, countedWindow);
      rollout.lastWindow = countedWindow;
      rollout.eventCount = events.length;
      return {
        line: { rollout: rollout.id, generation: rollout.generation, window: identity, event },
        answer: { rollout: rollout.id, window: identity.id, result: resultOf(rollout), reasons: stepped.reasons, event },
      };
    };
  }

  function kill(body: unknown): Change {
    const request = parseKill(body);
    return (rollout) => {
      const time = request.time ?? now();
      rollout.state ??= initialState(policy, time);
      const killed = killSwitch(rollout.state, request.reason, time, policy);
      const event = rollout.state.events[rollout.state.events.length - 1];
      rollout.eventCount = rollout.state.events.length;
      return { line: { rollout: rollout.id, generation: rollout.generation, event }, answer: { rollout: rollout.id, result: resultOf(rollout), reasons: killed.reasons, event } };
    };
  }

  function reset(body: unknown): Change {
    const request = parseReset(body);
    return (rollout) => {
      // With `generation`, a resend of a reset whose answer was lost changes nothing (a second
      // reset would wipe the windows counted since); a reset from an outdated view is refused.
      if (request.generation !== undefined && request.generation === rollout.generation) {
        return { line: null, answer: { rollout: rollout.id, generation: rollout.generation, duplicate: true, result: resultOf(rollout) } };
      }
      if (request.generation !== undefined && request.generation !== rollout.generation + 1) {
        throw new HttpError(409, `generation: rollout '${rollout.id}' is at generation ${rollout.generation}; a reset creates ${rollout.generation + 1}, not ${request.generation}`, undefined, undefined, { rollout: rollout.id, generation: rollout.generation });
      }
      const previous = { generation: rollout.generation, eventCount: rollout.eventCount, result: resultOf(rollout) };
      Object.assign(rollout, freshRollout(rollout.id, rollout.generation + 1));
      const time = request.time ?? now();
      return {
        line: { rollout: rollout.id, reset: { generation: rollout.generation, reason: request.reason ?? null, time } },
        answer: { rollout: rollout.id, generation: rollout.generation, previous, result: resultOf(rollout) },
      };
    };
  }

  function summary(id: string): { rollout: string; generation: number; eventCount: number; result: DecisionResult } {
    const rollout = ledger.get(id);
    return { rollout: id, generation: rollout?.generation ?? 0, eventCount: rollout?.eventCount ?? 0, result: resultOf(rollout) };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const [path, queryText] = (request.url ?? '/').split('?');
    const target = route(path);
    const method = request.method ?? 'GET';
    if ('special' in target) {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `method ${method} is not allowed on ${path}; use GET`, undefined, { allow: 'GET, HEAD' });
      if (target.special === 'health') return send(response, 200, { ok: true });
      return send(response, 200, { rollouts: ledger.ids().map(summary) });
    }
    const action = actions[target.action];
    if (!action.methods.includes(method)) {
      throw new HttpError(405, `method ${method} is not allowed on ${path}; use ${action.methods.join(' or ')}`, undefined, { allow: action.methods.join(', ') });
    }
    if (target.action === 'state') {
      // The log can be long: the last `events` entries (default 20; `all` for every one).
      const query = new URLSearchParams(queryText ?? '');
      const wanted = query.get('events') ?? '20';
      const limit = wanted === 'all' ? Infinity : Number(wanted);
      if (!(limit >= 0) || (limit !== Infinity && !Number.isInteger(limit))) throw new HttpError(400, `events: must be a whole number ≥ 0 or 'all', got '${wanted}'`);
      const rollout = ledger.get(target.rollout);
      const state = rollout?.state ?? null;
      const count = state ? rollout!.eventCount : 0;
      const events = state ? state.events.slice(limit === Infinity ? 0 : Math.max(0, count - limit), count) : [];
      return send(response, 200, { ...summary(target.rollout), state: state ? { ...state, events } : null });
    }
    if (target.action === 'gate') {
      request.resume();
      const result = resultOf(ledger.get(target.rollout));
      const open = result.verdict !== 'failing';
      return send(response, open ? 200 : 412, { rollout: target.rollout, open, result });
    }
    // A write: who may write is checked before the body is read.
    checkToken?.(request);
    requireJsonContentType(request);
    const text = await readBody(request, bodyLimit);
    const change = target.action === 'decide' ? decide(parseJsonBody(text)) : target.action === 'kill' ? kill(parseJsonBody(text)) : reset(parseJsonBody(text, {}));
    const answer = await ledger.commit(target.rollout, change);
    return send(response, 200, answer);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      request.resume();
      if (error instanceof HttpError) {
        const headers = { ...(error.headers ?? {}), ...(error.status === 413 ? { connection: 'close' } : {}) };
        send(response, error.status, { error: error.message, ...(error.problems ? { problems: error.problems } : {}), ...(error.details ?? {}) }, headers);
      } else {
        send(response, 500, { error: `internal error: ${(error as Error).message}` });
      }
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  return {
    server,
    listen(port: number, host: string): Promise<AddressInfo> {
      return new Promise((resolvePromise, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolvePromise(server.address() as AddressInfo);
        });
      });
    },
    async close(): Promise<void> {
      await new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeIdleConnections();
      });
      await ledger.drain();
    },
    snapshot(): ServiceStateFile {
      return JSON.parse(JSON.stringify(ledger.file())) as ServiceStateFile;
    },
  };
}

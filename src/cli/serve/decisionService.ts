/**
 * The decision service (`rollout-lab serve`): the engine's controller behind HTTP, for a
 * production loop that posts a metric window per check and for Argo Rollouts' web metric
 * provider / Flagger's webhooks to read the verdict.
 *
 * Endpoints (docs/production.md has the formats and curl examples):
 * - `POST /v1/decide` — body: one `WindowMetrics` (or an array of them, merged into one check);
 *   answer: `{ result, reasons, event }` where `result` = { verdict, healthy, decision, stage,
 *   stageIndex, stageKind, candidateTraffic, status, time, eventIndex };
 * - `GET /v1/state[?events=N|all]` — `{ result, eventCount, state }` with the last N events
 *   (default 20) (Argo web metric: `jsonPath: {$.result.verdict}`);
 * - `POST /v1/kill` — body `{ "reason": "...", "time"?: seconds }`: the kill switch;
 * - `POST /v1/gate` — 200 unless the verdict is failing or the rollout was rolled back (412):
 *   a Flagger `rollout` webhook;
 * - `GET /healthz` — `{ "ok": true }`.
 *
 * Verdicts: `rollback` → failing; `hold` → inconclusive; continue, advance, promote → healthy.
 * Every state change goes through one queue: decide → append the event to the log (fsync) →
 * replace the state file atomically → answer, so the answer is sent only once the decision is on
 * disk, and concurrent requests are applied one at a time in arrival order (one event per
 * accepted request; changes that arrive during a write are written together — group commit;
 * serviceStateFile.ts explains the two files). A failed write
 * restores the state from before the request, cuts the log back and answers 500: the files and
 * memory never disagree.
 * Errors: malformed JSON or wrong fields → 400 naming the field, unknown path → 404, wrong
 * method → 405 (with `Allow`), body over the limit → 413.
 */
import { open, truncate } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cloneState, initialState } from '../../engine/controller/controllerState.ts';
import type { ControllerState } from '../../engine/controller/controllerState.ts';
import type { Decision, DecisionEvent, DecisionReason } from '../../engine/controller/decision.ts';
import { killSwitch, step } from '../../engine/controller/step.ts';
import { parseWindowMetrics } from '../../engine/metrics/windowMetrics.ts';
import type { WindowMetrics } from '../../engine/metrics/windowMetrics.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { writeFileAtomicAsync } from '../atomicWrite.ts';
import { HttpError, defaultBodyLimit, parseJsonBody, readBody } from './httpBody.ts';
import { eventLogPath, policyFingerprint, readServiceState, serviceStateFormat } from './serviceStateFile.ts';
import type { ServiceStateFile } from './serviceStateFile.ts';

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
  /** Index of the decision in the event log (`state.events`), or null before the first. */
  eventIndex: number | null;
}

/** Options of `createDecisionService`. */
export interface DecisionServiceOptions {
  /** A VALID policy (check it with `parsePolicy` first). */
  policy: Policy;
  /** Where the state is persisted; without it the state lives in memory only. */
  stateFile?: string;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Clock for the kill switch when no time is given, seconds (default the wall clock). */
  now?: () => number;
}

/** A running (or ready) decision service. */
export interface DecisionService {
  server: Server;
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting, waits for queued work, closes connections. */
  close(): Promise<void>;
  /** The current file content (a snapshot). */
  snapshot(): ServiceStateFile;
}

export function verdictOf(decision: Decision | null): Verdict {
  if (decision === 'rollback') return 'failing';
  if (decision === 'hold' || decision === null) return 'inconclusive';
  return 'healthy';
}

function resultOf(file: ServiceStateFile): DecisionResult {
  const state = file.state;
  const last: DecisionEvent | undefined = state?.events[state.events.length - 1];
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
    eventIndex: state && state.events.length > 0 ? state.events.length - 1 : null,
  };
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body) + '\n';
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  response.end(text);
}

const routes: Record<string, string[]> = {
  '/v1/decide': ['POST'],
  '/v1/state': ['GET', 'HEAD'],
  '/v1/kill': ['POST'],
  '/v1/gate': ['POST', 'GET'],
  '/healthz': ['GET', 'HEAD'],
};

function parseWindows(body: unknown): WindowMetrics[] {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) throw new HttpError(400, 'body must be a window object or a non-empty array of windows');
  if (list.length > 10_000) throw new HttpError(400, `body holds ${list.length} windows; at most 10000 per request`);
  const windows: WindowMetrics[] = [];
  for (let i = 0; i < list.length; i++) {
    const parsed = parseWindowMetrics(list[i]);
    if (!parsed.ok) {
      const prefix = Array.isArray(body) ? `[${i}].` : '';
      const problems = parsed.errors.map((error) => ({ path: `${prefix}${error.path}`, message: error.message }));
      throw new HttpError(400, problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
    }
    windows.push(parsed.window);
  }
  return windows;
}

function parseKill(body: unknown): { reason: string; time?: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, '(root): must be an object { "reason": "...", "time"?: seconds }');
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'reason' && key !== 'time') throw new HttpError(400, `${key}: unknown field '${key}' (allowed: reason, time)`, [{ path: key, message: `unknown field '${key}'` }]);
  }
  if (typeof record.reason !== 'string' || record.reason.trim() === '' || record.reason.length > 1000) {
    throw new HttpError(400, 'reason: must be a non-empty string of at most 1000 characters', [{ path: 'reason', message: 'must be a non-empty string of at most 1000 characters' }]);
  }
  if (record.time !== undefined && (typeof record.time !== 'number' || !Number.isFinite(record.time))) {
    throw new HttpError(400, `time: must be a number of seconds, got ${JSON.stringify(record.time)}`, [{ path: 'time', message: 'must be a number of seconds' }]);
  }
  return { reason: record.reason, time: record.time as number | undefined };
}

/**
 * A decision service for `policy`, resuming from `stateFile` when it exists (throws an `Error`
 * naming the file when it is not a state of this policy). Not listening until `listen`.
 */
export function createDecisionService(options: DecisionServiceOptions): DecisionService {
  const { policy, stateFile } = options;
  const bodyLimit = options.bodyLimit ?? defaultBodyLimit;
  const now = options.now ?? (() => Date.now() / 1000);
  const fingerprint = policyFingerprint(policy);
  const loaded = stateFile ? readServiceState(stateFile, policy) : undefined;
  let current: ServiceStateFile = loaded?.file ?? { format: serviceStateFormat, version: 1, policy: fingerprint, accepted: 0, state: null };
  let logBytes = loaded?.logBytes ?? 0;
  const ready = stateFile ? truncate(eventLogPath(stateFile), logBytes).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  }) : Promise.resolve();

  async function appendEvents(file: string, lines: string): Promise<number> {
    const handle = await open(file, 'a', 0o644);
    try {
      const bytes = Buffer.from(lines, 'utf8');
      await handle.write(bytes);
      await handle.sync();
      return bytes.length;
    } finally {
      await handle.close();
    }
  }

  type Change = (file: ServiceStateFile) => { decision: Decision; reasons: DecisionReason[] };
  type Answer = { result: DecisionResult; reasons: DecisionReason[]; event: DecisionEvent };
  interface Pending {
    change: Change;
    resolve: (answer: Answer) => void;
    reject: (error: unknown) => void;
  }
  let pending: Pending[] = [];
  let flushing: Promise<void> | null = null;

  /**
   * Queues a state change; resolves once it is applied AND on disk. Changes are applied one at a
   * time in arrival order; the ones that queued up while the previous write was in flight are
   * written together (group commit: one log append + one state replace, one fsync each), so
   * throughput does not collapse to one fsync per request under load.
   */
  function commit(change: Change): Promise<Answer> {
    return new Promise<Answer>((resolvePromise, reject) => {
      pending.push({ change, resolve: resolvePromise, reject });
      flushing ??= flush().finally(() => {
        flushing = null;
      });
    });
  }

  async function flush(): Promise<void> {
    await ready;
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      await applyBatch(batch);
    }
  }

  /**
   * Applies a batch to a copy of the state (sharing the append-only event array), persists the
   * new events and the state, then makes it current. A change that throws is undone alone; a
   * failed write undoes the whole batch (memory, log and file stay as they were) and answers 500.
   * Cost O(state without the log) per change: the log is appended, never copied.
   */
  async function applyBatch(batch: Pending[]): Promise<void> {
    const events = current.state?.events ?? [];
    const eventsBefore = events.length;
    const next: ServiceStateFile = { ...current, state: current.state ? { ...cloneState({ ...current.state, events: [] }), events } : null };
    const applied: { item: Pending; answer: Answer }[] = [];
    for (const item of batch) {
      const undo = next.state ? { ...cloneState({ ...next.state, events: [] }), events: next.state.events } : null;
      const length = next.state?.events.length ?? 0;
      try {
        const outcome = item.change(next);
        const log = next.state!.events;
        next.accepted += 1;
        applied.push({ item, answer: { result: resultOf(next), reasons: outcome.reasons, event: log[log.length - 1] } });
      } catch (error) {
        if (undo) undo.events.length = length;
        next.state = undo;
        item.reject(error);
      }
    }
    if (applied.length === 0) return;
    if (stateFile) {
      const logFile = eventLogPath(stateFile);
      try {
        const added = await appendEvents(logFile, applied.map(({ answer }) => JSON.stringify(answer.event) + '\n').join(''));
        await writeFileAtomicAsync(stateFile, JSON.stringify({ ...next, state: { ...next.state, events: [] } }));
        logBytes += added;
      } catch (error) {
        events.length = eventsBefore;
        await truncate(logFile, logBytes).catch(() => undefined);
        const failure = new HttpError(500, `could not persist the decision (nothing changed): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        for (const { item } of applied) item.reject(failure);
        return;
      }
    }
    current = next;
    for (const { item, answer } of applied) item.resolve(answer);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    const allowed = routes[path];
    if (!allowed) throw new HttpError(404, `no such endpoint '${path}' (endpoints: ${Object.keys(routes).join(', ')})`);
    const method = request.method ?? 'GET';
    if (!allowed.includes(method)) {
      request.resume();
      send(response, 405, { error: `method ${method} is not allowed on ${path}; use ${allowed.join(' or ')}` }, { allow: allowed.join(', ') });
      return;
    }
    if (path === '/healthz') return send(response, 200, { ok: true });
    if (path === '/v1/state') {
      // The log can be long: the last `events` entries (default 20; `all` for every one).
      const query = new URLSearchParams((request.url ?? '').split('?')[1] ?? '');
      const wanted = query.get('events') ?? '20';
      const limit = wanted === 'all' ? Infinity : Number(wanted);
      if (!(limit >= 0) || (limit !== Infinity && !Number.isInteger(limit))) throw new HttpError(400, `events: must be a whole number ≥ 0 or 'all', got '${wanted}'`);
      const state = current.state;
      const events = state ? (limit === Infinity ? state.events : state.events.slice(Math.max(0, state.events.length - limit))) : [];
      return send(response, 200, { result: resultOf(current), eventCount: state ? state.events.length : 0, state: state ? { ...state, events } : null });
    }
    if (path === '/v1/gate') {
      request.resume();
      const result = resultOf(current);
      const open = result.verdict !== 'failing';
      return send(response, open ? 200 : 412, { open, result });
    }
    const text = await readBody(request, bodyLimit);
    if (path === '/v1/decide') {
      const windows = parseWindows(parseJsonBody(text));
      const answer = await commit((file) => {
        file.state ??= initialState(policy, windows[0].startTime);
        const stepped = step(file.state, windows, policy);
        return { decision: stepped.decision, reasons: stepped.reasons };
      });
      return send(response, 200, answer);
    }
    // /v1/kill
    const kill = parseKill(parseJsonBody(text));
    const answer = await commit((file) => {
      const time = kill.time ?? now();
      file.state ??= initialState(policy, time);
      const killed = killSwitch(file.state, kill.reason, time, policy);
      return { decision: killed.decision, reasons: killed.reasons };
    });
    return send(response, 200, answer);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof HttpError) {
        send(response, error.status, error.problems ? { error: error.message, problems: error.problems } : { error: error.message }, error.status === 413 ? { connection: 'close' } : {});
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
      while (flushing) await flushing;
    },
    snapshot(): ServiceStateFile {
      return JSON.parse(JSON.stringify(current)) as ServiceStateFile;
    },
  };
}

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
 *
 * The service is three parts wired here: the HTTP router (httpRouter.ts: paths, methods, token,
 * content type, body limit, error statuses), the handlers (rolloutHandlers.ts: what decide,
 * kill, reset, state, gate and the listing mean) and the event store (eventStore.ts over
 * rolloutLedger.ts: the one queue and the fsync'd event log).
 * Every change goes through one queue (rolloutLedger.ts): answered only once on disk, and reads
 * show only what is on disk. Writes (decide, kill, reset) must be `application/json` and, when
 * the service has a token, carry it (writeGuard.ts).
 * Errors: malformed JSON or wrong fields → 400 naming the field, bad token → 401, unknown path →
 * 404, wrong method → 405 (with `Allow`), a window counted differently or out of order → 409,
 * body over the limit → 413, not JSON → 415, a failed write → 500 and nothing changed.
 */

import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Policy } from '../../engine/policy/policy.ts';
import { openEventStore } from './eventStore.ts';
import { defaultBodyLimit } from './httpBody.ts';
import { createRequestListener } from './httpRouter.ts';
import { createRolloutHandlers } from './rolloutHandlers.ts';
import type { ServiceStateFile } from './serviceStateFile.ts';
import type { ServiceStorage } from './serviceStorage.ts';
import { bearerTokenCheck } from './writeGuard.ts';

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

/**
 * A decision service for `policy`, resuming from `stateFile` when it exists (throws an `Error`
 * naming the file when it is not a state of this policy). Not listening until `listen`.
 */
export function createDecisionService(options: DecisionServiceOptions): DecisionService {
  const { policy, stateFile } = options;
  const checkToken = options.token !== undefined ? bearerTokenCheck(options.token) : undefined;
  const ledger = openEventStore({ policy, stateFile, storage: options.storage });
  const handlers = createRolloutHandlers({ policy, ledger, now: options.now ?? (() => Date.now() / 1000) });
  const server = createServer(createRequestListener({ handlers, bodyLimit: options.bodyLimit ?? defaultBodyLimit, checkToken }));
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

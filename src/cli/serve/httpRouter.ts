/**
 * The decision service's HTTP edge: which path is which endpoint, which methods each allows,
 * who may write (bearer token, `application/json`, body limit — writeGuard.ts, httpBody.ts),
 * and how answers and errors are sent (JSON, `cache-control: no-store`; an `HttpError` becomes
 * its status with `{ error, problems?, … }`, anything else a 500). What an endpoint means is in
 * rolloutHandlers.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody } from './httpBody.ts';
import type { RolloutHandlers, WriteAction } from './rolloutHandlers.ts';
import { defaultRolloutId, parseRolloutId } from './rolloutId.ts';
import { requireJsonContentType } from './writeGuard.ts';

/** What each action of a rollout allows, and whether it writes. */
export const actions: Record<string, { methods: string[]; write: boolean }> = {
  decide: { methods: ['POST'], write: true },
  state: { methods: ['GET', 'HEAD'], write: false },
  kill: { methods: ['POST'], write: true },
  reset: { methods: ['POST'], write: true },
  gate: { methods: ['POST', 'GET'], write: false },
};

/** `{ rollout, action }` of a path, `{ special }` for `/v1/rollouts` and `/healthz`; `HttpError` 404/400 otherwise. */
export function route(path: string): { rollout: string; action: string } | { special: 'list' | 'health' } {
  if (path === '/healthz') return { special: 'health' };
  if (path === '/v1/rollouts' || path === '/v1/rollouts/') return { special: 'list' };
  const bare = /^\/v1\/([a-z]+)$/.exec(path);
  if (bare && actions[bare[1]]) return { rollout: defaultRolloutId, action: bare[1] };
  const named = /^\/v1\/rollouts\/([^/]*)\/([a-z]+)$/.exec(path);
  if (named && actions[named[2]]) return { rollout: parseRolloutId(named[1]), action: named[2] };
  throw new HttpError(
    404,
    `no such endpoint '${path.slice(0, 200)}' (endpoints: /v1/rollouts, /v1/rollouts/{id}/{${Object.keys(actions).join(',')}}, the same under /v1/ for the rollout 'default', /healthz)`,
  );
}

/** Sends `body` as one line of JSON with `status`. */
export function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body) + '\n';
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/** Options of `createRequestListener`. */
export interface RouterOptions {
  handlers: RolloutHandlers;
  /** Largest request body in bytes. */
  bodyLimit: number;
  /** Throws an `HttpError` 401 when a write does not carry the token (absent: no token needed). */
  checkToken?: (request: IncomingMessage) => void;
}

/** The `request` listener of the service's `http.Server`. */
export function createRequestListener(options: RouterOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const { handlers, bodyLimit, checkToken } = options;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const [path, queryText] = (request.url ?? '/').split('?');
    const target = route(path);
    const method = request.method ?? 'GET';
    if ('special' in target) {
      if (method !== 'GET' && method !== 'HEAD')
        throw new HttpError(405, `method ${method} is not allowed on ${path}; use GET`, undefined, { allow: 'GET, HEAD' });
      if (target.special === 'health') return send(response, 200, { ok: true });
      return send(response, 200, handlers.list());
    }
    const action = actions[target.action];
    if (!action.methods.includes(method)) {
      throw new HttpError(405, `method ${method} is not allowed on ${path}; use ${action.methods.join(' or ')}`, undefined, {
        allow: action.methods.join(', '),
      });
    }
    if (target.action === 'state') {
      return send(response, 200, handlers.state(target.rollout, new URLSearchParams(queryText ?? '').get('events')));
    }
    if (target.action === 'gate') {
      request.resume();
      const gate = handlers.gate(target.rollout);
      return send(response, gate.status, gate.body);
    }
    // A write: who may write is checked before the body is read.
    checkToken?.(request);
    requireJsonContentType(request);
    const text = await readBody(request, bodyLimit);
    return send(response, 200, await handlers.write(target.action as WriteAction, target.rollout, text));
  }

  return (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      request.resume();
      if (error instanceof HttpError) {
        const headers = { ...(error.headers ?? {}), ...(error.status === 413 ? { connection: 'close' } : {}) };
        send(
          response,
          error.status,
          { error: error.message, ...(error.problems ? { problems: error.problems } : {}), ...(error.details ?? {}) },
          headers,
        );
      } else {
        send(response, 500, { error: `internal error: ${(error as Error).message}` });
      }
    });
  };
}

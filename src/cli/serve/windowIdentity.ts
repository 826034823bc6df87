/**
 * Which window a `decide` request is, so that each window counts once however a client retries.
 *
 * A check (one window, or an array of windows merged into one check) is identified, per rollout,
 * by its explicit `id` field when the client sends one (on the window, or on every window of an
 * array), otherwise by its start time (the earliest `startTime` of the array). Its content is
 * fingerprinted (SHA-256 of the checked windows as canonical JSON, ids left out), so that a resend
 * of the same window is told apart from a different window reusing an id. The service keeps the
 * identity of every counted check in the event log (decisionService.ts decides what a duplicate,
 * a conflict or a late window gets).
 */
import { createHash } from 'node:crypto';
import type { WindowMetrics } from '../../engine/metrics/windowMetrics.ts';
import { parseWindowMetrics } from '../../engine/metrics/windowMetrics.ts';
import { HttpError } from './httpBody.ts';

/** A check's identity within its rollout. */
export interface WindowIdentity {
  /** `id:<the client's id>` (ids of an array joined by `,`) or `start:<startTime>`. */
  id: string;
  /** The check's start (earliest window start), seconds: checks of a rollout are counted in this order. */
  startTime: number;
  /** `sha256:<hex>` of the windows' content. */
  hash: string;
}

/** A parsed `decide` body. */
export interface IdentifiedCheck {
  windows: WindowMetrics[];
  identity: WindowIdentity;
}

/** Longest explicit id accepted. */
export const maxWindowIdLength = 200;

/** JSON with object keys sorted, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/**
 * The windows of a `decide` body and the check's identity; `HttpError` 400 naming the field on
 * a malformed window, a bad `id`, or an array where some windows have an id and others not.
 * Cost O(body).
 */
export function parseDecideBody(body: unknown): IdentifiedCheck {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) throw new HttpError(400, 'body must be a window object or a non-empty array of windows');
  if (list.length > 10_000) throw new HttpError(400, `body holds ${list.length} windows; at most 10000 per request`);
  const windows: WindowMetrics[] = [];
  const ids: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const prefix = Array.isArray(body) ? `[${i}].` : '';
    let item = list[i];
    if (item && typeof item === 'object' && !Array.isArray(item) && 'id' in item) {
      const { id, ...rest } = item as Record<string, unknown>;
      if (typeof id !== 'string' || id.length === 0 || id.length > maxWindowIdLength) {
        throw new HttpError(
          400,
          `${prefix}id: must be a non-empty string of at most ${maxWindowIdLength} characters, got ${JSON.stringify(id)?.slice(0, 80)}`,
          [{ path: `${prefix}id`, message: `must be a non-empty string of at most ${maxWindowIdLength} characters` }],
        );
      }
      ids.push(id);
      item = rest;
    }
    const parsed = parseWindowMetrics(item);
    if (!parsed.ok) {
      const problems = parsed.errors.map((error) => ({ path: `${prefix}${error.path}`, message: error.message }));
      throw new HttpError(400, problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
    }
    windows.push(parsed.window);
  }
  if (ids.length > 0 && ids.length < windows.length) {
    throw new HttpError(
      400,
      `id: ${ids.length} of the ${windows.length} windows have an id; give every window of the array an id, or none`,
      [{ path: 'id', message: 'on some windows of the array only' }],
    );
  }
  let startTime = Infinity;
  for (const window of windows) startTime = Math.min(startTime, window.startTime);
  const id = ids.length > 0 ? `id:${ids.join(',')}` : `start:${startTime}`;
  const hash = `sha256:${createHash('sha256').update(canonicalJson(windows)).digest('hex')}`;
  return { windows, identity: { id, startTime, hash } };
}

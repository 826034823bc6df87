/**
 * Rollout ids of the decision service: one controller state per id (`/v1/rollouts/{id}/…`); the
 * routes without an id (`/v1/decide`, `/v1/state`, …) are the rollout `default`.
 * An id is 1–64 letters, digits, `.`, `_` or `-` (not `.` or `..`, which URL clients rewrite as
 * path steps): safe in a URL path, a log line and a file name without escaping.
 */
import { HttpError } from './httpBody.ts';

/** The rollout the routes without an id address. */
export const defaultRolloutId = 'default';

/** What an id must look like. */
export const rolloutIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** True when `id` is a valid rollout id. */
export function isRolloutId(id: string): boolean {
  return rolloutIdPattern.test(id) && id !== '.' && id !== '..';
}

/** `segment` (a raw URL path segment) as a rollout id, or `HttpError` 400 naming the rule. */
export function parseRolloutId(segment: string): string {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    id = segment;
  }
  if (!isRolloutId(id)) {
    const shown = id.length > 80 ? `${id.slice(0, 80)}…` : id;
    throw new HttpError(400, `rollout id must be 1 to 64 letters, digits, '.', '_' or '-' (not '.' or '..'), got '${shown}'`, [
      { path: 'rollout', message: 'invalid rollout id' },
    ]);
  }
  return id;
}

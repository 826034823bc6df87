/**
 * Who may change a rollout: the checks every write of the decision service passes before its
 * body is read (docs/production.md, "Threat model").
 *
 * - `application/json` only (415 otherwise). A web page on any origin can make the browser send
 *   a "simple" cross-origin POST — `text/plain`, `application/x-www-form-urlencoded` or
 *   `multipart/form-data` — to `http://127.0.0.1:8080` without asking first, and the body may be
 *   JSON text. A POST with `content-type: application/json` is not simple: the browser first
 *   sends a CORS preflight (OPTIONS), which this service never grants (no
 *   `Access-Control-Allow-*` header is ever sent), so the write never leaves the browser.
 *   (Fetch standard, "CORS-safelisted request-header": https://fetch.spec.whatwg.org/#cors-safelisted-request-header)
 * - a bearer token when one is configured (401 otherwise, RFC 6750 §3 `WWW-Authenticate`): for a
 *   shared host or a service bound beyond loopback, where any local process or network peer
 *   could send JSON. The comparison is constant-time over SHA-256 digests, so neither the
 *   token's content nor its length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './httpBody.ts';

/** `HttpError` 415 unless the request's media type is `application/json` (parameters such as `charset` allowed). */
export function requireJsonContentType(request: IncomingMessage): void {
  const header = request.headers['content-type'];
  const mediaType = (header ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new HttpError(
      415,
      `content-type must be application/json for a write, got ${header === undefined ? 'none' : `'${header.slice(0, 100)}'`} (other types are refused so that a web page cannot post here: docs/production.md, threat model)`,
    );
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * A checker of `Authorization: Bearer <token>` for `token`: throws `HttpError` 401 (with
 * `WWW-Authenticate`) when the header is missing or carries another token. Constant time.
 */
export function bearerTokenCheck(token: string): (request: IncomingMessage) => void {
  if (token.length === 0) throw new RangeError('token must not be empty');
  const expected = digest(token);
  return (request) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    const given = digest(match ? match[1] : '');
    if (!match || !timingSafeEqual(given, expected)) {
      throw new HttpError(
        401,
        match
          ? 'the bearer token is not the one this service was started with'
          : 'this service requires Authorization: Bearer <token> on every write (--token-file or ROLLOUT_LAB_TOKEN)',
        undefined,
        { 'www-authenticate': 'Bearer realm="rollout-lab"' },
      );
    }
  };
}

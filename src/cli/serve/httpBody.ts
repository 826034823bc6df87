/**
 * Reading and checking request bodies of the decision service: a size limit (413), JSON that
 * parses (400 with the parser's message), and errors that carry their HTTP status.
 */
import type { IncomingMessage } from 'node:http';

/**
 * An error answered with `status` and `{ "error": message, "problems"?: [...], ...details }`,
 * with extra response `headers` (e.g. `WWW-Authenticate` on a 401).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems?: { path: string; message: string }[],
    readonly headers?: Record<string, string>,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Default body limit: 1 MiB (a window with many segments is a few kB). */
export const defaultBodyLimit = 1 << 20;

/**
 * The body of `request` as text, or an `HttpError` 413 as soon as it passes `limit` bytes (the
 * rest is not buffered). Cost O(body).
 */
export function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      request.resume();
      reject(new HttpError(413, `request body is ${declared} bytes; the limit is ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `request body is larger than the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!failed) resolvePromise(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', (error) => {
      if (!failed) reject(new HttpError(400, `could not read the request body: ${error.message}`));
    });
  });
}

/** `text` parsed as JSON, or `HttpError` 400 naming the problem; an empty body counts as `emptyValue` when given. */
export function parseJsonBody(text: string, emptyValue?: unknown): unknown {
  if (text.trim() === '') {
    if (emptyValue !== undefined) return emptyValue;
    throw new HttpError(400, 'request body is empty; expected JSON');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}

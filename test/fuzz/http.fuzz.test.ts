/**
 * Fuzz of the decision service's HTTP bodies on loopback: 1,500 random and malformed bodies
 * (mutated windows, hostile JSON, raw bytes, invalid UTF-8, kill requests) at concurrency 16.
 * Properties: every answer is 200, 400, 409 or 413 with a JSON body (never 500, never a dropped
 * connection), a 400 names a field or the JSON problem, the server stays up, and afterwards the
 * state file is valid and the event log holds exactly one line per 200 that is not a duplicate.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { createDecisionService } from '../../src/cli/serve/decisionService.ts';
import { eventLogPath } from '../../src/cli/serve/serviceStateFile.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { hostileValue, mutatedDocument } from './mutate.ts';

const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-http-fuzz-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const validWindow = {
  startTime: 0,
  duration: 300,
  control: { requests: 500, errors: 2, timeouts: 0, latency: { p50: 10, p95: 20, p99: 30 } },
  candidate: { requests: 500, errors: 2, timeouts: 0, latency: { p50: 10, p95: 20, p99: 30 } },
};

const body = fc.oneof(
  { weight: 5, arbitrary: mutatedDocument(validWindow, 3).map((value) => ({ path: '/v1/decide', text: JSON.stringify(value) ?? '' })) },
  { weight: 1, arbitrary: fc.constant({ path: '/v1/decide', text: JSON.stringify(validWindow) }) },
  { weight: 1, arbitrary: hostileValue.map((value) => ({ path: '/v1/decide', text: JSON.stringify(value) ?? '' })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((text) => ({ path: '/v1/decide', text })) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ path: '/v1/decide', text: Buffer.from(bytes).toString('latin1') })),
  },
  {
    weight: 1,
    arbitrary: mutatedDocument({ reason: 'incident', time: 10 }, 2).map((value) => ({
      path: '/v1/kill',
      text: JSON.stringify(value) ?? '',
    })),
  },
  { weight: 1, arbitrary: fc.constant({ path: '/v1/decide', text: `[${JSON.stringify(validWindow)},${'1'.repeat(3000)}]` }) },
);

describe('decision service body fuzz', () => {
  test('1,500 random bodies at concurrency 16: 200/400/413 only, state and log consistent', async () => {
    const stateFile = join(directory, 'state.json');
    const service = createDecisionService({ policy: defaultPolicy(), stateFile, bodyLimit: 4096, now: () => 0 });
    const { port } = await service.listen(0, '127.0.0.1');
    const cases = fc.sample(body, { numRuns: 1500, seed: 20261129 });
    let next = 0;
    let accepted = 0;
    const statuses = new Map<number, number>();
    async function worker() {
      while (next < cases.length) {
        const { path, text } = cases[next++];
        const response = await fetch(`http://127.0.0.1:${port}${path}`, {
          method: 'POST',
          body: text,
          headers: { 'content-type': 'application/json' },
        });
        const json = await response.json();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        // 409: a window counted already with other content, or older than the last counted one
        expect([200, 400, 409, 413], `${path} ${text.slice(0, 200)} → ${JSON.stringify(json)}`).toContain(response.status);
        if (response.status === 200) accepted += json.duplicate === true ? 0 : 1;
        else expect(typeof json.error, `${response.status} ${JSON.stringify(json).slice(0, 300)}`).toBe('string');
      }
    }
    try {
      await Promise.all(Array.from({ length: 16 }, worker));
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await service.close();
    }
    expect(statuses.get(400)).toBeGreaterThan(500);
    // most mutated windows keep startTime 0: counted once, then duplicates (200) or conflicts (409)
    expect(accepted).toBeGreaterThan(30);
    expect(statuses.get(409)).toBeGreaterThan(50);
    const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(saved.accepted).toBe(accepted);
    const lines = readFileSync(eventLogPath(stateFile), 'utf8').trim().split('\n');
    expect(lines.length).toBe(accepted);
    for (const line of lines) JSON.parse(line);
  }, 30_000);
});

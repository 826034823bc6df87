/**
 * Synthetic request logs with known structure, for checking the replay (issue 12). The same
 * processes, with the same parameters, are written out independently in
 * scripts/reference/synthetic_logs.py, which computes what the replay must find: the exact
 * false-rollback rate for independent errors (binomial sums) and, for bursty and user-clustered
 * errors, the rate of the generating process itself simulated directly in NumPy.
 *
 * Every process: `requestsPerMinute` requests each minute, evenly spaced (the j-th at
 * (j + ½)/c of the minute), from 2024-01-01T00:00:00Z for `days` days; latency 100 ms for every
 * request (the checks are about errors). Statuses `OK` / `FAILED`.
 * - `independent`: each request fails with probability `errorRate`, independently.
 * - `bursty`: a two-state Markov chain over minutes (normal ↔ burst; P(normal→burst) =
 *   `toBurst`, P(burst→normal) = `toNormal`, started from its stationary law); in a minute of
 *   state s each request fails with probability `errorRates[s]`, independently.
 * - `clustered`: each request's user is `heavyUser` with probability `heavyShare`, else one of
 *   `lightUsers` light users (`light-0` …) uniformly; a request of the heavy user fails with
 *   probability `heavyErrorRate`, of a light user with `lightErrorRate`.
 *
 * Deterministic: draws come from the engine's `streamFor(seed, 0, 'synthetic-log')`.
 */

import type { Random } from '../src/engine/random/prng.ts';
import { streamFor } from '../src/engine/random/streams.ts';

/** The processes and their parameters (mirrored in scripts/reference/synthetic_logs.py). */
export type SyntheticProcess =
  | { kind: 'independent'; errorRate: number }
  | { kind: 'bursty'; errorRates: [number, number]; toBurst: number; toNormal: number }
  | { kind: 'clustered'; heavyUser: string; heavyShare: number; heavyErrorRate: number; lightUsers: number; lightErrorRate: number };

/** A synthetic log: the process, its size and the seed. */
export interface SyntheticLogSpec {
  process: SyntheticProcess;
  days: number;
  requestsPerMinute: number;
  seed: number;
}

const START_MS = Date.UTC(2024, 0, 1);

/** The log as CSV text: `timestamp,latency_ms,status[,user]` (ISO timestamps with milliseconds). */
export function syntheticLogCsv(spec: SyntheticLogSpec): string {
  const { process, days, requestsPerMinute: c, seed } = spec;
  const random: Random = streamFor(seed, 0, 'synthetic-log');
  const clustered = process.kind === 'clustered';
  const lines: string[] = [clustered ? 'timestamp,latency_ms,status,user' : 'timestamp,latency_ms,status'];
  let burst = false;
  if (process.kind === 'bursty') burst = random() < process.toBurst / (process.toBurst + process.toNormal);
  for (let minute = 0; minute < days * 1440; minute++) {
    if (process.kind === 'bursty' && minute > 0) burst = burst ? random() >= process.toNormal : random() < process.toBurst;
    for (let j = 0; j < c; j++) {
      const time = new Date(START_MS + minute * 60_000 + Math.round(((j + 0.5) / c) * 60_000)).toISOString();
      let user = '';
      let p: number;
      if (process.kind === 'independent') p = process.errorRate;
      else if (process.kind === 'bursty') p = process.errorRates[burst ? 1 : 0];
      else if (random() < process.heavyShare) {
        user = process.heavyUser;
        p = process.heavyErrorRate;
      } else {
        user = `light-${Math.floor(random() * process.lightUsers)}`;
        p = process.lightErrorRate;
      }
      const status = random() < p ? 'FAILED' : 'OK';
      lines.push(clustered ? `${time},100,${status},${user}` : `${time},100,${status}`);
    }
  }
  return lines.join('\n') + '\n';
}

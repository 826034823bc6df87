/**
 * Issue 16, "Speed", bullet 3: a scenario's setup must not cost in proportion to its user
 * population, and a sweep must not pay it again per setting. Measures, for 100,000 and
 * 10,000,000 users (Zipf 0.8, and uniform), the CPU time and the memory (array buffers and heap
 * retained, after a full GC when `--expose-gc` is given) of compiling the world — cold, then again
 * as the next setting of a sweep would (memoised population) — and 200 windowed replicates of a
 * 2-hour canary on it; beside the cold setup, what bucketing the ids alone costs, string-free
 * (numberedIdBuckets, what the setup does) and through `user-${i}` strings (normalizedValue, what
 * it did). Then one `sweep` of 50 settings × 200 windowed replicates on 10,000,000 Zipf users in
 * this thread, which must build the population once. CPU seconds (`process.cpuUsage`, all
 * threads), so that a shared machine's load does not inflate the figures.
 * Run alone: `npm run build:cli && node --expose-gc dist/bench/populationSetup.js`.
 */

import type { Policy } from '../src/engine/policy/policy.ts';
import { streamFor } from '../src/engine/random/streams.ts';
import { normalizedValue } from '../src/engine/routing/bucketing.ts';
import { numberedIdBuckets } from '../src/engine/routing/numberedIdBuckets.ts';
import { planPolicy, runReplicate } from '../src/sim/replicate.ts';
import { parseScenario, type Scenario } from '../src/sim/scenario.ts';
import { sweep } from '../src/sim/sweep.ts';
import { compileWorld } from '../src/sim/world.ts';

function canaryPolicy(group: string): Policy {
  return {
    version: 1,
    name: 'canary 5% for 2 h',
    flag: { name: group, group },
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, failureLimit: 1 },
    stages: [
      {
        kind: 'canary',
        traffic: 0.05,
        minDuration: '2h',
        checkInterval: '5m',
        rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }],
      },
      { kind: 'promote' },
    ],
  } as Policy;
}

function populationScenario(count: number, zipfExponent: number, candidateErrorRate: number): Scenario {
  const parsed = parseScenario({
    version: 1,
    name: 'population bench',
    horizon: '4h',
    traffic: { requestsPerSecond: 100, users: { count, zipfExponent } },
    control: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01 },
    candidate: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: candidateErrorRate },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

function retained(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** What `work` returns and the CPU seconds (user + system, all threads) it spent. */
function timed<T>(work: () => T): [T, number] {
  const start = process.cpuUsage();
  const value = work();
  const spent = process.cpuUsage(start);
  return [value, (spent.user + spent.system) / 1e6];
}

/** CPU seconds spent by `work`. */
function cpuSeconds(work: () => void): number {
  return timed(work)[1];
}

/** CPU s of the router's buckets of `user-0 … user-(count−1)` string-free, in the setup's 64 KB chunks. */
function bucketPass(count: number, group: string): number {
  let sum = 0;
  const seconds = cpuSeconds(() => {
    const chunk = new Uint8Array(Math.min(count, 65536));
    for (let from = 0; from < count; from += chunk.length) {
      const users = Math.min(chunk.length, count - from);
      const buckets = numberedIdBuckets(group, 'user-', from, users === chunk.length ? chunk : chunk.subarray(0, users));
      for (let j = 0; j < users; j++) sum += buckets[j];
    }
  });
  if (sum < count) throw new Error('buckets are 1…100');
  return seconds;
}

/** CPU s of the same buckets through one `user-${i}` string per user, as the setup hashed them before. */
function stringBucketPass(count: number, group: string): number {
  let sum = 0;
  const seconds = cpuSeconds(() => {
    for (let i = 0; i < count; i++) sum += normalizedValue(`user-${i}`, group);
  });
  if (sum < count) throw new Error('buckets are 1…100');
  return seconds;
}

/** One row per population, then the sweep. */
export function populationSetupBenchmark(): void {
  console.log(
    'users        zipf  setup cold CPU s  buckets only s  via strings s  setup again s  retained MB  200 windowed replicates CPU s',
  );
  let run = 0;
  for (const zipfExponent of [0.8, 0]) {
    for (const count of [100_000, 10_000_000]) {
      const scenario = populationScenario(count, zipfExponent, 0.03);
      // A group of its own per run: the first compile is cold whatever ran before.
      const group = `population-bench-${run++}`;
      const before = retained();
      const [world, cold] = timed(() => compileWorld(scenario, group));
      const memory = (retained() - before) / 1e6;
      const again = cpuSeconds(() => compileWorld(scenario, group));
      const policy = canaryPolicy(group);
      const plan = planPolicy(policy);
      const replicates = cpuSeconds(() => {
        for (let i = 0; i < 200; i++) runReplicate(world, policy, plan, streamFor(1, i), { mode: 'window' });
      });
      const buckets = bucketPass(count, `${group}-buckets`);
      const strings = stringBucketPass(count, `${group}-strings`);
      console.log(
        `${String(count).padEnd(11)}  ${String(zipfExponent).padEnd(4)}  ${cold.toFixed(3).padStart(16)}  ${buckets.toFixed(3).padStart(14)}  ${strings.toFixed(3).padStart(13)}  ${again.toFixed(4).padStart(13)}  ${memory.toFixed(1).padStart(11)}  ${replicates.toFixed(2).padStart(29)}`,
      );
    }
  }
  // The sweep the issue measured (3 min 12 s when each setting rebuilt the population).
  const settings = Array.from({ length: 50 }, (_, i) => Math.round((1.1 + 0.06 * i) * 100) / 100);
  const scenario = populationScenario(10_000_000, 0.8, 0.01);
  const policy = canaryPolicy('population-bench-sweep');
  const options = { replicates: 200, seed: 7, mode: 'window' as const };
  const [rows, sweepSeconds] = timed(() => sweep([scenario], policy, [{ name: 'errorRatio', values: settings }], options));
  console.log(
    `sweep of ${rows.length} settings × 200 windowed replicates on 10,000,000 Zipf (0.8) users, one thread: ${sweepSeconds.toFixed(2)} CPU s`,
  );
}

if (process.argv[1]?.endsWith('populationSetup.js')) populationSetupBenchmark();

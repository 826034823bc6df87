/**
 * Issue 16, "Speed", bullet 3: a scenario's setup must not cost in proportion to its user
 * population, and a sweep must not pay it again per setting. Measures, for 100,000 and
 * 10,000,000 users (Zipf 0.8, and uniform), the time and the memory (array buffers and heap
 * retained, after a full GC when `--expose-gc` is given) of compiling the world — cold, then again
 * as the next setting of a sweep would (memoised population) — and 200 windowed replicates of a
 * 2-hour canary on it. Run alone: `npm run build:cli && node --expose-gc dist/bench/populationSetup.js`.
 */

import type { Policy } from '../src/engine/policy/policy.ts';
import { streamFor } from '../src/engine/random/streams.ts';
import { normalizedValue } from '../src/engine/routing/bucketing.ts';
import { planPolicy, runReplicate } from '../src/sim/replicate.ts';
import { parseScenario } from '../src/sim/scenario.ts';
import { compileWorld } from '../src/sim/world.ts';

const policy: Policy = {
  version: 1,
  name: 'canary 5% for 2 h',
  baseline: { mode: 'concurrent' },
  guards: { minRequests: 100, failureLimit: 1 },
  stages: [
    { kind: 'canary', traffic: 0.05, minDuration: '2h', checkInterval: '5m', rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }] },
    { kind: 'promote' },
  ],
} as Policy;

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

function retained(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * The part of a cold setup that must stay O(users): MurmurHash3 of every user id, once
 * (the sticky buckets cannot be had without hashing each id). Returns seconds.
 */
function hashPass(count: number, group: string): number {
  const start = performance.now();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += normalizedValue(`user-${i}`, group);
  const seconds = (performance.now() - start) / 1000;
  if (sum < count) throw new Error('buckets are 1…100');
  return seconds;
}

/** One row: users, Zipf exponent, cold setup s (of which hashing the ids), memoised setup s, retained MB, 200 replicates s. */
export function populationSetupBenchmark(): void {
  console.log('users        zipf  setup cold s  hashes only s  setup again s  retained MB  200 windowed replicates s');
  let run = 0;
  for (const zipfExponent of [0.8, 0]) {
    for (const count of [100_000, 10_000_000]) {
      const parsed = parseScenario({
        version: 1,
        name: 'population bench',
        horizon: '4h',
        traffic: { requestsPerSecond: 100, users: { count, zipfExponent } },
        control: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01 },
        candidate: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.03 },
      });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      // A group of its own per run: the first compile is cold whatever ran before.
      const group = `population-bench-${run++}`;
      const before = retained();
      let start = performance.now();
      const world = compileWorld(parsed.scenario, group);
      const cold = (performance.now() - start) / 1000;
      const memory = (retained() - before) / 1e6;
      start = performance.now();
      compileWorld(parsed.scenario, group);
      const again = (performance.now() - start) / 1000;
      const plan = planPolicy(policy);
      start = performance.now();
      for (let i = 0; i < 200; i++) runReplicate(world, policy, plan, streamFor(1, i), { mode: 'window' });
      const replicates = (performance.now() - start) / 1000;
      const hashes = hashPass(count, `${group}-hashes`);
      console.log(
        `${String(count).padEnd(11)}  ${String(zipfExponent).padEnd(4)}  ${cold.toFixed(3).padStart(12)}  ${hashes.toFixed(3).padStart(13)}  ${again.toFixed(4).padStart(13)}  ${memory.toFixed(1).padStart(11)}  ${replicates.toFixed(2).padStart(25)}`,
      );
    }
  }
}

if (process.argv[1]?.endsWith('populationSetup.js')) populationSetupBenchmark();

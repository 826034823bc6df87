/**
 * `npm run bench`: throughput of the simulator's two fidelity modes against the naive reference
 * (store every request, sort each window), measured in one process so the ratios are fair.
 *
 * Workload: a 24-hour canary with 5-minute checks (288 windows): concurrent baseline, one canary
 * stage at 50% for 24 h with the framework's ratio rules (error rate ≤ 2×, p95 ≤ 1.5×,
 * p50 ≤ 1.2×, timeout rate ≤ 2×), failure limit 3; an identical candidate at 100 requests per
 * second (≈ 15,000 requests per arm per window, 8.6 million per replicate), lognormal latency
 * (median 120 ms, p95 400 ms), 1% errors, no timeout (the timeout-rate rule then compares 0 with 0), 20,000 Zipf users.
 * Then the metric-folding part alone (sketch fold vs store-and-sort), and memory.
 */

import type { Policy } from '../src/engine/policy/policy.ts';
import { streamFor } from '../src/engine/random/streams.ts';
import { LatencySketch } from '../src/engine/stats/latencySketch.ts';
import { mannWhitneyU } from '../src/engine/stats/mannWhitney.ts';
import { quantileSorted } from '../src/engine/stats/quantile.ts';
import type { ReplicateOptions } from '../src/sim/replicate.ts';
import { planPolicy, runReplicate } from '../src/sim/replicate.ts';
import { flagGroup } from '../src/sim/runner.ts';
import type { Scenario } from '../src/sim/scenario.ts';
import { parseScenario } from '../src/sim/scenario.ts';
import { SketchBuffer } from '../src/sim/sketchBuffer.ts';
import { compileWorld } from '../src/sim/world.ts';
import { zigguratNormal } from '../src/sim/zigguratNormal.ts';
import { naiveWindows } from './naiveReference.ts';

const model = { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01 };

function benchScenario(requestsPerSecond: number): Scenario {
  const parsed = parseScenario({
    version: 1,
    name: 'benchmark: identical candidate',
    horizon: '24h',
    traffic: { requestsPerSecond, users: { count: 20000, zipfExponent: 0.8 } },
    control: model,
    candidate: model,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

const policy: Policy = {
  version: 1,
  name: '24-hour canary, 5-minute checks',
  baseline: { mode: 'concurrent' },
  guards: { minRequests: 100, failureLimit: 3 },
  stages: [
    {
      kind: 'canary',
      traffic: 0.5,
      minDuration: '24h',
      checkInterval: '5m',
      rules: [
        { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
        { type: 'ratio', metric: 'latencyP95', maxRatio: 1.5 },
        { type: 'ratio', metric: 'latencyP50', maxRatio: 1.2 },
        { type: 'ratio', metric: 'timeoutRate', maxRatio: 2 },
      ],
    },
    { kind: 'promote' },
  ],
};

interface Measurement {
  name: string;
  replicates: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds of this process (user + system): the fair figure on a shared machine. */
  cpuSeconds: number;
  windows: number;
  requests: number;
}

function measure(
  name: string,
  scenario: Scenario,
  options: ReplicateOptions,
  minimumSeconds: number,
  requestsPerReplicate: (windows: number) => number,
): Measurement {
  const world = compileWorld(scenario, flagGroup(policy));
  const plan = planPolicy(policy);
  // Warm-up (JIT), not counted.
  for (let i = 0; i < 3; i++) runReplicate(world, policy, plan, streamFor('bench-warmup', i), options);
  let replicates = 0;
  let windows = 0;
  let requests = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < minimumSeconds * 1000 || replicates < 2) {
    const outcome = runReplicate(world, policy, plan, streamFor('bench', replicates), options);
    replicates += 1;
    windows += outcome.windows;
    requests += requestsPerReplicate(outcome.windows);
    elapsed = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpuStart);
  return { name, replicates, seconds: elapsed / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, windows, requests };
}

function format(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}

const requestsPerSecond = 100;
const scenario = benchScenario(requestsPerSecond);
const perWindowRequests = requestsPerSecond * 300;
const countRequests = (windows: number) => windows * perWindowRequests; // expected arrivals

const windowed = measure('windowed (order statistics)', scenario, { mode: 'window' }, 3, countRequests);
const perRequest = measure('per-request (sketch)', scenario, { mode: 'request' }, 5, countRequests);
const naive = measure('naive reference (store + sort)', scenario, { mode: 'request', generator: naiveWindows }, 5, countRequests);

// Rates per CPU second (one core), which stay fair when other processes share the machine.
const rows = [windowed, perRequest, naive].map((m) => ({
  mode: m.name,
  replicates: m.replicates,
  seconds: m.seconds,
  cpuSeconds: m.cpuSeconds,
  replicatesPerSecond: m.replicates / m.cpuSeconds,
  windowsPerSecond: m.windows / m.cpuSeconds,
  requestsPerSecond: m.requests / m.cpuSeconds,
  windowsPerReplicate: m.windows / m.replicates,
}));
const header = ['mode', 'replicates', 'wall s', 'CPU s', 'replicates/CPU s', 'windows/CPU s', 'requests/CPU s', 'windows/replicate'];
const table = rows.map((r) => [
  r.mode,
  String(r.replicates),
  r.seconds.toFixed(2),
  r.cpuSeconds.toFixed(2),
  format(r.replicatesPerSecond),
  format(r.windowsPerSecond),
  format(r.requestsPerSecond),
  r.windowsPerReplicate.toFixed(1),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
const load = (await import('node:os')).loadavg()[0];
console.log(
  `workload: ${policy.name}; ${requestsPerSecond} requests/s (${perWindowRequests} per window); node ${process.version}; one core; load average ${load.toFixed(2)} on ${(await import('node:os')).cpus().length} CPUs`,
);
console.log(line(header));
for (const row of table) console.log(line(row));
console.log('');
console.log(
  `windowed vs naive:     ${format(rows[0].replicatesPerSecond / rows[2].replicatesPerSecond)}× the replicates per second (target ≥ 50×; ≥ 2,000 replicates/s)`,
);
console.log(
  `per-request vs naive:  ${format(rows[1].requestsPerSecond / rows[2].requestsPerSecond)}× the requests per second (≥ 10 million requests/s; the issue's ≥ 50× cannot hold when both draw every request: see the metric-folding ratio below)`,
);
console.log(`windowed vs per-request: ${format(rows[0].replicatesPerSecond / rows[1].replicatesPerSecond)}× the replicates per second`);

/**
 * The metric-folding part alone: one window's latencies (15,000 per arm at 100 requests/s, drawn
 * beforehand, outside the timing) turned into p50, p95 and p99 — by the per-request mode's fold
 * (`SketchBuffer.addLog` per request, then `flush` and three sketch quantiles), by a plain
 * `LatencySketch.add` per request, and by the naive reference's store-and-sort (push into an
 * array, sort, three type-7 quantiles). This is the part the "≥ 50× the naive approach"
 * can be about: generating the requests costs both approaches the same.
 */
function foldingBenchmark(): { sketchBuffer: number; sketchAdd: number; storeAndSort: number; bufferRatio: number; addRatio: number } {
  const perArm = perWindowRequests / 2;
  const random = streamFor('folding', 0);
  const normal = zigguratNormal(random);
  const mu = Math.log(120);
  const sigma = Math.log(400 / 120) / 1.6448536269514722;
  const logs = new Float64Array(perArm);
  const values = new Float64Array(perArm);
  for (let i = 0; i < perArm; i++) {
    logs[i] = mu + sigma * normal();
    values[i] = Math.exp(logs[i]);
  }
  const buffer = new SketchBuffer();
  let sink = 0;
  const folds = {
    sketchBuffer: () => {
      buffer.reset(1);
      for (let i = 0; i < perArm; i++) buffer.addLog(logs[i]);
      const sketch = buffer.flush();
      sink += sketch.quantile(0.5) + sketch.quantile(0.95) + sketch.quantile(0.99);
    },
    sketchAdd: () => {
      const sketch = new LatencySketch();
      for (let i = 0; i < perArm; i++) sketch.add(values[i]);
      sink += sketch.quantile(0.5) + sketch.quantile(0.95) + sketch.quantile(0.99);
    },
    storeAndSort: () => {
      const stored: number[] = [];
      for (let i = 0; i < perArm; i++) stored.push(values[i]);
      stored.sort((x, y) => x - y);
      sink += quantileSorted(stored, 0.5) + quantileSorted(stored, 0.95) + quantileSorted(stored, 0.99);
    },
  };
  // Folds per CPU second, each measured for 0.3 s after a warm-up, the three in alternation over 9
  // rounds; rates are medians, and the ratios medians of each round's ratio (neighbours in time
  // see the same load from other processes).
  const rates: Record<keyof typeof folds, number[]> = { sketchBuffer: [], sketchAdd: [], storeAndSort: [] };
  for (const fold of Object.values(folds)) for (let i = 0; i < 20; i++) fold();
  const rounds = 9;
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(folds) as (keyof typeof folds)[]) {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      let count = 0;
      while (performance.now() - start < 300) {
        folds[name]();
        count += 1;
      }
      const cpu = process.cpuUsage(cpuStart);
      rates[name].push(count / ((cpu.user + cpu.system) / 1e6));
    }
  }
  if (Number.isNaN(sink)) throw new Error('unreachable');
  const median = (list: number[]) => [...list].sort((x, y) => x - y)[list.length >> 1];
  const ratio = (name: keyof typeof folds) => median(rates[name].map((rate, round) => rate / rates.storeAndSort[round]));
  return {
    sketchBuffer: median(rates.sketchBuffer),
    sketchAdd: median(rates.sketchAdd),
    storeAndSort: median(rates.storeAndSort),
    bufferRatio: ratio('sketchBuffer'),
    addRatio: ratio('sketchAdd'),
  };
}

const folding = foldingBenchmark();
const perFold = (rate: number) => `${format(rate)} windows/CPU s (${format((rate * perWindowRequests) / 2 / 1e6)} million latencies/CPU s)`;
console.log('');
console.log(`metric folding alone (one arm's window of ${perWindowRequests / 2} latencies → p50, p95, p99; generation excluded):`);
console.log(`  per-request mode's fold (SketchBuffer): ${perFold(folding.sketchBuffer)}`);
console.log(`  LatencySketch.add per latency:          ${perFold(folding.sketchAdd)}`);
console.log(`  naive store + sort:                     ${perFold(folding.storeAndSort)}`);
console.log(
  `  fold vs store + sort: ${format(folding.bufferRatio)}× (target ≥ 50×); LatencySketch.add vs store + sort: ${format(folding.addRatio)}× (medians of per-round ratios)`,
);
console.log('');

/**
 * Mann–Whitney U on 200,000 heavily tied values per arm (integers 0…1000), against the floor any
 * rank test pays: copying both arms into one typed array and sorting it. Alternated over 7 rounds;
 * the ratio is the median of each round's time ratio.
 */
function mannWhitneyBenchmark(): { testSeconds: number; sortSeconds: number; ratio: number } {
  const n = 200_000;
  const random = streamFor('mann-whitney', 0);
  const x = Float64Array.from({ length: n }, () => Math.round(random() * 1000));
  const y = Float64Array.from({ length: n }, () => Math.round(random() * 1000));
  let sink = 0;
  const cpuSeconds = (run: () => void): number => {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6;
  };
  const test = () => (sink += mannWhitneyU(x, y).u);
  const sort = () => {
    const all = new Float64Array(2 * n);
    all.set(x);
    all.set(y, n);
    sink += all.sort()[n];
  };
  test();
  sort();
  const tests: number[] = [];
  const sorts: number[] = [];
  for (let round = 0; round < 7; round++) {
    tests.push(cpuSeconds(test));
    sorts.push(cpuSeconds(sort));
  }
  if (Number.isNaN(sink)) throw new Error('unreachable');
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[list.length >> 1];
  return { testSeconds: median(tests), sortSeconds: median(sorts), ratio: median(tests.map((t, i) => t / Math.max(sorts[i], 1e-6))) };
}

const mannWhitney = mannWhitneyBenchmark();
console.log(
  `Mann–Whitney U, 200,000 tied values per arm: ${(mannWhitney.testSeconds * 1000).toFixed(0)} ms CPU; sorting the 400,000 values alone: ${(mannWhitney.sortSeconds * 1000).toFixed(0)} ms; ratio ${format(mannWhitney.ratio)}× (median per round; target: O(n log n), well under a second)`,
);
console.log('');

/**
 * Memory: the heap retained (after a full garbage collection) at the end of every window of one
 * replicate of the first six hours, at 100 and at 1,000 requests per second, minus the heap
 * before it; the largest value is reported. The per-request mode keeps one sketch per arm per
 * window, so this must not grow with the traffic. The naive reference is sampled inside its
 * window instead (its stored latencies are garbage once the window is summarised), at the
 * moment of its largest array.
 */
const { setFlagsFromString } = await import('node:v8');
const { runInNewContext } = await import('node:vm');
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function retainedHeap(rate: number, options: ReplicateOptions): number {
  const short = { ...benchScenario(rate), horizon: 6 * 3600 };
  const world = compileWorld(short, flagGroup(policy));
  const plan = planPolicy(policy);
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  runReplicate(world, policy, plan, streamFor('memory', 0), {
    ...options,
    onWindow: () => {
      collectGarbage();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    },
  });
  return (peak - before) / 1e6;
}

function naiveWindowHeap(rate: number): number {
  // The naive generator's arrays live during `next`; measure one window's worth directly.
  const requests = rate * 300;
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const latencies: number[] = [];
  for (let i = 0; i < requests; i++) latencies.push(100 + (i % 7));
  collectGarbage();
  const during = process.memoryUsage().heapUsed;
  return (during - before) / 1e6 + 0 * latencies.length;
}
const memory = [100, 1000].map((rate) => [retainedHeap(rate, { mode: 'request' }), naiveWindowHeap(rate)]);
console.log(
  `retained heap during a replicate, per-request mode: ${memory[0][0].toFixed(2)} MB at 100 requests/s, ${memory[1][0].toFixed(2)} MB at 1,000 requests/s (sketches and counters only)`,
);
console.log(
  `heap of one window's stored latencies, naive reference: ${memory[0][1].toFixed(2)} MB at 100 requests/s, ${memory[1][1].toFixed(2)} MB at 1,000 requests/s (grows with traffic)`,
);

// Issue 16: the exact evaluator against windowed Monte-Carlo at 2,000 replicates (bench/exact.ts).
const { exactVsWindowedBenchmark } = await import('./exact.ts');
console.log('');
exactVsWindowedBenchmark();

// Issue 16: the lab's Monte-Carlo sweep in Chromium's Web Workers against the Node pool (bench/browserPool.ts).
const { browserPoolBenchmark } = await import('./browserPool.ts');
console.log('');
await browserPoolBenchmark();

// Issue 16: the lab's question answered exactly, in Chromium's worker and in Node (bench/labExact.ts).
const { labExactBenchmark } = await import('./labExact.ts');
console.log('');
await labExactBenchmark();

/**
 * Bench entry (issue 16): the Policy lab's Monte-Carlo sweep on the browser's simulation pool
 * (Web Workers in Debian's Chromium, through playwright-core) against the same sweep on the Node
 * pool (`worker_threads`) and in-process (what `rollout-lab sweep --workers 1` runs), in one run
 * of this process, with the same number of workers. Target: browser ≤ 1.5× the CLI.
 *
 * The work is the lab's default question exactly as the lab builds it — its default settings, the
 * six error-ratio thresholds, the healthy and the regressed world, 200 replicates each (12
 * simulations) — taken from the page, which runs the lab's own code (`bench/browserPool.html`,
 * built by `vite build` with the app's `vite.config.ts`, so the workers are bundled as the app's
 * are, and served by Vite's preview server). Node runs the very requests the page returns.
 *
 * Rounds alternate browser and Node so that a change in the machine's load hits both; the figure
 * is the median of each round's ratio. The merged states are compared: the browser must give
 * exactly the Node pool's and the in-process result (same seed, same streams).
 *
 * Run alone: `npm run build:cli && node dist/bench/browserPool.js [--rounds N] [--workers N]`;
 * `CHROME_PATH` overrides the browser (default `/usr/bin/chromium`).
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { prepareSimulation, runReplicates } from '../src/sim/runner.ts';
import type { SummaryState } from '../src/sim/summary.ts';
import { createNodeSimulationPool } from '../workers/nodePool.ts';
import type { SimulationRequest } from '../workers/simulationEndpoint.ts';
import { openBenchPage } from './benchPage.ts';

/** What the page exposes (see `bench/browserPool.html`). */
interface BenchmarkPage {
  labSweep(): { requests: SimulationRequest[]; replicates: number };
  runSweep(
    requests: SimulationRequest[],
    replicates: number,
    workers: number,
    batched: boolean,
  ): Promise<{ milliseconds: number; states: SummaryState[] }>;
}

/** One measured way of running the sweep. */
export interface SweepTiming {
  name: string;
  /** Median wall-clock seconds over the rounds. */
  seconds: number;
  /** Median CPU seconds over the rounds (0 where it cannot be read: the browser's off Linux). */
  cpuSeconds: number;
  /** Wall-clock seconds of each round. */
  rounds: number[];
  states: SummaryState[];
}

/** The entry's figures. */
export interface BrowserPoolBenchmark {
  workers: number;
  simulations: number;
  replicates: number;
  timings: SweepTiming[];
  /** Median over rounds of (browser pool seconds / Node pool seconds), per way of running the sweep. */
  ratios: { name: string; ratio: number }[];
  /** True when every way gave the in-process states exactly. */
  identical: boolean;
}

const outDir = 'dist/bench-app';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Processes descended from this one (the Chromium this entry launched, not other browsers on the machine). */
function descendants(): Set<string> {
  const parents = new Map<string, string>();
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parents.set(pid, stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      // A process that ended while being read.
    }
  }
  const mine = new Set<string>([String(process.pid)]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!mine.has(pid) && mine.has(parent)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  return mine;
}

/** CPU seconds of the launched Chromium's renderer threads by kind (Linux `/proc`; empty elsewhere), for the report. */
function rendererThreadSeconds(): Map<string, number> {
  const seconds = new Map<string, number>();
  if (!existsSync('/proc/self/task')) return seconds;
  for (const pid of descendants()) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!command.includes('--type=renderer')) continue;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // utime + stime, in clock ticks (100 per second on Linux).
        const cpu = (Number(fields[11]) + Number(fields[12])) / 100;
        const key = name === 'DedicatedWorker' ? 'workers' : tid === pid ? 'main thread' : 'other threads';
        seconds.set(key, (seconds.get(key) ?? 0) + cpu);
      }
    } catch {
      // A process or thread that ended while being read.
    }
  }
  return seconds;
}

/** Runs the entry: builds the page, starts the preview server and Chromium, measures, closes everything. */
export async function browserPoolBenchmark(options: { rounds?: number; workers?: number } = {}): Promise<BrowserPoolBenchmark> {
  const rounds = options.rounds ?? 3;
  const workers = options.workers ?? 1;
  const { page, problems, close } = await openBenchPage('browserPool', outDir);
  const nodePool = createNodeSimulationPool(workers);
  try {
    const { requests, replicates } = await page.evaluate(() =>
      (globalThis as unknown as { benchmark: BenchmarkPage }).benchmark.labSweep(),
    );

    const inProcess = (): SummaryState[] =>
      requests.map((request) =>
        runReplicates(prepareSimulation(request.scenario, request.policy, request.mode, request.seed), 0, replicates),
      );
    const onNode = async (): Promise<SummaryState[]> => {
      const states: SummaryState[] = [];
      for (const request of requests) {
        const result = await nodePool.run(request, { replicates });
        if (result.status !== 'complete') throw new Error(`the Node pool's run ended ${result.status}`);
        states.push(result.merged);
      }
      return states;
    };
    const inBrowser = (batched: boolean) =>
      page.evaluate(
        ([requests, replicates, workers, batched]) =>
          (globalThis as unknown as { benchmark: BenchmarkPage }).benchmark.runSweep(requests, replicates, workers, batched),
        [requests, replicates, workers, batched] as const,
      );
    const timed = async (run: () => Promise<SummaryState[]> | SummaryState[]): Promise<{ seconds: number; states: SummaryState[] }> => {
      const start = performance.now();
      const states = await run();
      return { seconds: (performance.now() - start) / 1000, states };
    };

    // Warm-up, not counted: workers started, code compiled, in both environments.
    await inBrowser(false);
    await onNode();
    inProcess();

    const ways = [
      'in-process (sweep --workers 1)',
      `Node pool, ${workers} worker(s)`,
      `browser pool, ${workers} worker(s), setting by setting`,
      `browser pool, ${workers} worker(s), one batch`,
    ];
    const seconds: number[][] = ways.map(() => []);
    /** CPU seconds per run: this process's for the in-process and Node runs, Chromium's renderer's for the browser's. */
    const cpuSeconds: number[][] = ways.map(() => []);
    const states: SummaryState[][] = [];
    const cpuBefore = rendererThreadSeconds();
    for (let round = 0; round < rounds; round++) {
      const runs = [
        () => timed(inProcess),
        () => timed(onNode),
        async () => {
          const result = await inBrowser(false);
          return { seconds: result.milliseconds / 1000, states: result.states };
        },
        async () => {
          const result = await inBrowser(true);
          return { seconds: result.milliseconds / 1000, states: result.states };
        },
      ];
      for (const [index, run] of runs.entries()) {
        // CPU: this process's (all its threads: the Node pool's worker too) and Chromium's renderer's.
        const cpuStart = process.cpuUsage();
        const rendererStart = rendererThreadSeconds();
        const result = await run();
        const used = process.cpuUsage(cpuStart);
        const rendererEnd = rendererThreadSeconds();
        const renderer = [...rendererEnd].reduce((sum, [name, value]) => sum + value - (rendererStart.get(name) ?? 0), 0);
        cpuSeconds[index].push(index < 2 ? (used.user + used.system) / 1e6 : renderer);
        seconds[index].push(result.seconds);
        states[index] = result.states;
      }
    }
    const cpuAfter = rendererThreadSeconds();
    if (problems.length > 0) throw new Error(`the benchmark page failed: ${problems.join('; ')}`);
    const timings = ways.map((name, index) => ({
      name,
      seconds: median(seconds[index]),
      cpuSeconds: median(cpuSeconds[index]),
      rounds: seconds[index],
      states: states[index],
    }));
    const ratios = [2, 3].map((index) => ({
      name: ways[index],
      ratio: median(seconds[index].map((value, round) => value / seconds[1][round])),
    }));
    const identical = states.every((list) => isDeepStrictEqual(list, states[0]));
    const result: BrowserPoolBenchmark = { workers, simulations: requests.length, replicates, timings, ratios, identical };
    const cpu = [...cpuAfter].map(([name, value]) => `${name} ${(value - (cpuBefore.get(name) ?? 0)).toFixed(1)} s`).join(', ');
    console.log(
      `browser pool vs Node pool — the lab's default sweep: ${requests.length} simulations × ${replicates} replicates, ${workers} worker(s), median of ${rounds} alternating rounds`,
    );
    for (const timing of timings) {
      const cpu = timing.cpuSeconds > 0 ? `, ${timing.cpuSeconds.toFixed(2)} s CPU` : '';
      console.log(
        `  ${timing.name.padEnd(52)} ${timing.seconds.toFixed(2)} s wall${cpu} (rounds: ${timing.rounds.map((value) => value.toFixed(2)).join(', ')})`,
      );
    }
    for (const { name, ratio } of ratios) console.log(`  ${name} / Node pool: ${ratio.toFixed(2)}× (target ≤ 1.5×)`);
    console.log(`  identical results in the browser, on the Node pool and in-process: ${identical ? 'yes' : 'NO'}`);
    if (cpu !== '') console.log(`  Chromium renderer CPU over the measured rounds: ${cpu}`);
    return result;
  } finally {
    nodePool.terminate();
    await close();
  }
}

function option(name: string): number | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : undefined;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rounds = option('--rounds');
  const workers = option('--workers');
  const result = await browserPoolBenchmark({ ...(rounds !== undefined ? { rounds } : {}), ...(workers !== undefined ? { workers } : {}) });
  if (!result.identical) process.exitCode = 1;
}

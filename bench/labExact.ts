/**
 * Bench entry (issue 16, "Speed"): the lab's default question answered exactly — the lab's
 * first-visit settings (the framework default policy on the lab's identical-candidate worlds),
 * `settings` error-rate thresholds (default 20, the current 2× among them), the healthy and the
 * regressed world — in Chromium's Web Worker (the lab's own worker, labExactInWorker.ts) and in
 * Node in-process (`exactOperatingCurve`), in one run of this process. Target: < 200 ms in Chromium.
 *
 * Timed as the lab asks it (src/ui/lab/labExact.ts `runLabExact`): the current setting alone
 * first (what the verdict waits for), then the curve's other thresholds in one request; then an edit — the current
 * error-rate threshold set to `editedThreshold` — asks its current setting and its curve again.
 * Two ways:
 * - cold: each request in a worker started for it (the lab before its worker was kept: module load,
 *   cold JIT, and every per-scenario memo of the evaluator empty); in Node, each on a fresh
 *   structured clone of the request (the memos empty, the JIT warm);
 * - warm: the four requests in sequence on ONE kept worker (the lab's now: keptWorker.ts, whose
 *   endpoint evaluates content-equal scenarios on the kept objects, labExactEndpoint.ts), its
 *   first request starting it; in Node, on one endpoint in-process (`createLabExactEndpoint`).
 * The kept worker's heap after the sequence is printed too (`keptWorkerHeap`: in a Node worker
 * thread, as Chromium gives a page no worker's heap size), for the idle time chosen in
 * labExactInWorker.ts.
 *
 * An edit during the curve (the first-visit question): on a kept worker of its own, the current
 * setting, then the curve, aborted `editDelays` ms in by the edit, whose current setting is asked
 * at once; timed from the abort to that answer in Chromium, with the worker terminated at once
 * (before: a cold worker answers) and with the lab's cooperative cancel (after: the worker stops
 * at its next step and answers warm, or is terminated at the lab's bound, `labExactCancelBound`), alternated,
 * plus the time from the cancel to "cancelled" without a bound (how long the steps' remainders
 * are where the edits landed: what the bound is chosen from).
 *
 * The floor under the first visit (`FloorTiming`): a cold worker answering no setting, and the
 * current setting at the evaluator's starting 16 nodes without refinement — what the first visit
 * costs in Chromium at any tolerance.
 *
 * Each line also prints what the answer rests on (the evaluator's named approximations and the
 * largest neglected mass over the curve), or the features when the evaluator refuses — the
 * refusal is timed too. Two more questions: `covered`, the same with the shadow and A/B stages off
 * (the canary-and-full part of the default policy on its own), and `flat100`, the whole default
 * policy at 100 req/s without the daily cycle (one edit away in the lab, and answered exactly with
 * the A/B test's normal-law approximation). The answers are compared: Chromium's with Node's
 * (same numbers, up to V8's last bits), and the warm worker's with the cold ones (identical).
 *
 * Run alone: `npm run build:cli && node dist/bench/labExact.js [--settings N] [--out DIR] [--only firstVisit|covered|flat100]`;
 * `CHROME_PATH` overrides the browser (default `/usr/bin/chromium`); `--out` the directory the
 * page is built into (default `dist/bench-lab-exact`).
 */

import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExactCurveRequest, ExactCurveResult } from '../src/sim/exact/exactOperatingCurve.ts';
import type { CancelledCurve } from '../workers/labExactEndpoint.ts';
import { createLabExactEndpoint, labExactCurve } from '../workers/labExactEndpoint.ts';
import { openBenchPage } from './benchPage.ts';

/** The questions timed (module comment). */
type Question = 'firstVisit' | 'covered' | 'flat100';

const questions: Record<Question, string> = {
  firstVisit: "the lab's first-visit question (framework default policy)",
  covered: "the lab's first-visit settings without the shadow and A/B stages",
  flat100: 'the framework default policy at 100 req/s without the daily cycle',
};

/** What the page exposes (see `bench/labExact.html`). */
interface BenchmarkPage {
  request(settings: number, variant: Question, current?: number): ExactCurveRequest;
  /** In a cold worker of its own. */
  runExact(request: ExactCurveRequest): Promise<Timed>;
  /** On the page's kept worker (started by its first request). */
  runWarm(request: ExactCurveRequest): Promise<Timed>;
  closeWarm(): void;
  /** An edit during the curve (bench/labExact.html). */
  editDuringCurve(
    current: ExactCurveRequest,
    curve: ExactCurveRequest,
    edited: ExactCurveRequest,
    delayMs: number,
    withinMs: number | null | undefined,
  ): Promise<EditTimed>;
}

/** How a cancelled worker was stopped (workers/keptWorker.ts `CancelOutcome`; not imported: it needs the DOM's Worker type). */
interface CancelOutcome {
  kept: boolean;
  milliseconds: number;
  withinMs: number;
}

interface EditTimed extends Timed {
  cancel: CancelOutcome | null;
  curveEnded: boolean;
}

/** Milliseconds into the curve at which the edit lands (`editDuringCurve`): spread over a first-visit curve's 1–2 s. */
export const editDelays = [100, 250, 400, 600, 800, 1000];

/**
 * A bound no step reaches: the edit waits for the cancelled curve whatever its step's length, so
 * the time from the cancel to "cancelled" is measured in full (the lab's bound cuts it off).
 */
const unboundedMs = 60_000;

/** An edit during the curve, timed (module comment): before (the worker terminated) and after (cancelled cooperatively). */
export interface EditDuringCurveTiming {
  /** Milliseconds from the abort to the edit's current-setting answer, per delay in `editDelays`: terminated at once, and with the lab's bound. */
  terminated: number[];
  cancelled: number[];
  /** How each cancel with the lab's bound ended: settled (kept) or terminated at the bound. */
  cancels: CancelOutcome[];
  /** Milliseconds from the cancel to "cancelled" without a bound (`unboundedMs`): the steps' remaining length where the edit landed. */
  unbounded: number[];
  /** Edits whose curve had already ended when they landed (nothing to cancel), per way. */
  curveEnded: { terminated: number; cancelled: number };
  /** Largest difference between the edit's answers (both ways) and Node's (`labExactCurve`). */
  difference: number;
}

/** The page's globals (page.evaluate's functions read them there). */
interface PageGlobals {
  benchmark: BenchmarkPage;
}

interface Timed {
  milliseconds: number;
  result: ExactCurveResult;
}

/** The current error-rate threshold after the edit (the first visit's is 2×): a value a user types. */
export const editedThreshold = 3;

/** The lab's four requests (module comment), in the order it asks them. */
const steps = ['current', 'curve', 'editCurrent', 'editCurve'] as const;
type Step = (typeof steps)[number];

/** Milliseconds of each of the lab's four requests. */
export type LabRequestTimes = Record<Step, number>;

/** One question's figures. */
export interface LabExactTiming {
  question: string;
  settings: number;
  /** Chromium, one worker: the current setting alone (the lab's first request). */
  browserCurrentMilliseconds: number;
  /** Chromium, one worker: every setting in one request (the lab's second request). */
  browserMilliseconds: number;
  /** Node in-process: the current setting alone, and every setting. */
  nodeCurrentMilliseconds: number;
  nodeMilliseconds: number;
  /** The four requests each in a cold worker (Chromium) / on fresh clones (Node), and in sequence on one kept worker / endpoint. */
  browserCold: LabRequestTimes;
  browserWarm: LabRequestTimes;
  nodeCold: LabRequestTimes;
  nodeWarm: LabRequestTimes;
  /** The kept worker's heap when started and after the four requests (`keptWorkerHeap`), bytes. */
  workerHeapBytes: { started: number; after: number };
  supported: boolean;
  /** The features when the question has no exact form. */
  features: string[];
  /** The approximations the evaluator names for the answer (empty when none, or when refused). */
  approximations: string[];
  /** Settings answered as bounded, not exact (`ExactCurvePoint.bounded`: the lab's `boundedUpTo`), and why. */
  bounded: number;
  boundedBecause: string[];
  /** Largest neglected probability mass over the curve's settings and worlds (null when refused). */
  neglectedMass: number | null;
  /** Largest difference between Chromium's and Node's answers (every request; `largestDifference`); 0 when identical. */
  difference: number;
  /** Largest difference between the warm and the cold answers (Chromium and Node, every request): 0 expected. */
  warmDifference: number;
  /** The first-visit question only: an edit during the curve (`EditDuringCurveTiming`). */
  editDuringCurve?: EditDuringCurveTiming;
  /** The first-visit question only: what a cold worker costs before and at the evaluator's coarsest answer (`FloorTiming`). */
  floor?: FloorTiming;
}

/**
 * The floor under the first visit in Chromium, each in a cold worker (medians of `floorRounds`):
 * `empty`, a request with no setting — the worker's start, its module and the request's
 * structured clone; `coarsest`, the current setting at the evaluator's starting 16 nodes with no
 * refinement (`maxBaselineNodes` 16: its answer bounded by the discretisation estimate, printed)
 * — what any tolerance costs at least, the JIT cold.
 */
export interface FloorTiming {
  empty: number;
  coarsest: number;
  /** The coarsest answer's neglected mass (its bound). */
  coarsestNeglected: number;
}

/** Cold workers timed per floor figure. */
const floorRounds = 3;

const defaultOutDir = 'dist/bench-lab-exact';

/**
 * The largest difference between two answers' numbers, relative above 1 (|a − b| / max(1, |a|,
 * |b|): expected requests run to millions), 0 when identical; Infinity when their shapes or any
 * non-number differ. Chromium's V8 and Node's round differently in the last bits (measured on
 * the 100 req/s question: 427 numbers differ, by at most 2.6e-13 relative), so exact answers are
 * compared number by number. Why: their Math functions are not the same libm — 200,000
 * arguments each, Node 20.20.2 against Chromium 156 (2026-12-05): Math.exp differs by an ulp at
 * 4.8 % of them, Math.pow 4.6 %, Math.log 0.5 %, Math.log1p and Math.expm1 < 0.05 %; Math.hypot
 * and the arithmetic operators agree. A sum with cancellation (a detection time's mean) turns
 * those ulps into ~1e-12 relative. O(size).
 */
function largestDifference(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b) ? 0 : Number.POSITIVE_INFINITY;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  let largest = 0;
  for (const key of keys) {
    largest = Math.max(largest, largestDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  }
  return largest;
}

const answerDifference = (a: ExactCurveResult, b: ExactCurveResult) =>
  largestDifference(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));

/**
 * The kept worker's heap, measured in a Node worker thread (an isolate of its own, as a Web
 * Worker is: Chromium gives a page no worker's heap size): the used heap plus the typed arrays'
 * buffers outside it (the memos' tables), after a collection, once the endpoint's module is
 * loaded and again after `requests` answered in sequence on one endpoint. Bytes.
 */
async function keptWorkerHeap(requests: ExactCurveRequest[]): Promise<{ started: number; after: number }> {
  const endpoint = new URL('../workers/labExactEndpoint.js', import.meta.url).href;
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const v8 = require('node:v8');
     v8.setFlagsFromString('--expose-gc');
     const collect = require('node:vm').runInNewContext('gc');
     const held = () => { collect(); const heap = v8.getHeapStatistics(); return heap.used_heap_size + heap.external_memory; };
     import(workerData.endpoint).then(({ createLabExactEndpoint }) => {
       const started = held();
       const kept = createLabExactEndpoint();
       return workerData.requests.reduce((done, request) => done.then(() => kept.operatingCurve(request)), Promise.resolve())
         .then(() => parentPort.postMessage({ started, after: held() }));
     });`,
    { eval: true, workerData: { endpoint, requests } },
  );
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

/** Runs the entry: builds the page, starts the preview server and Chromium, measures, closes everything. */
export async function labExactBenchmark(options: { settings?: number; outDir?: string; only?: Question } = {}): Promise<LabExactTiming[]> {
  const settings = options.settings ?? 20;
  const { page, problems, close } = await openBenchPage('labExact', options.outDir ?? defaultOutDir);
  // page.evaluate sends each function's text to the page: each names the page's `benchmark` itself.
  const inNode = async (
    run: (request: ExactCurveRequest) => ExactCurveResult | Promise<ExactCurveResult | CancelledCurve>,
    asked: ExactCurveRequest,
  ): Promise<Timed> => {
    // A structured clone, as the worker receives it.
    const request = structuredClone(asked);
    const start = performance.now();
    const result = await run(request);
    if ('cancelled' in result) throw new Error('a call nobody cancelled answered "cancelled"');
    return { milliseconds: performance.now() - start, result };
  };
  try {
    const timings: LabExactTiming[] = [];
    for (const question of (Object.keys(questions) as Question[]).filter((asked) => options.only === undefined || asked === options.only)) {
      const curveOf = (current?: number) =>
        page.evaluate(([count, question, current]) => (globalThis as unknown as PageGlobals).benchmark.request(count, question, current), [
          settings,
          question,
          current,
        ] as const);
      const visited = await curveOf();
      const edited = await curveOf(editedThreshold);
      // The lab's requests (runLabExact): the current setting (first in the request) alone, then
      // the curve's other thresholds; the same after the edit.
      const requests: Record<Step, ExactCurveRequest> = {
        current: { ...visited, settings: visited.settings.slice(0, 1) },
        curve: { ...visited, settings: visited.settings.slice(1) },
        editCurrent: { ...edited, settings: edited.settings.slice(0, 1) },
        editCurve: { ...edited, settings: edited.settings.slice(1) },
      };
      const browserCold = {} as Record<Step, Timed>;
      const browserWarm = {} as Record<Step, Timed>;
      const nodeCold = {} as Record<Step, Timed>;
      const nodeWarm = {} as Record<Step, Timed>;
      for (const step of steps)
        browserCold[step] = await page.evaluate(
          (request) => (globalThis as unknown as PageGlobals).benchmark.runExact(request),
          requests[step],
        );
      await page.evaluate(() => (globalThis as unknown as PageGlobals).benchmark.closeWarm());
      for (const step of steps)
        browserWarm[step] = await page.evaluate(
          (request) => (globalThis as unknown as PageGlobals).benchmark.runWarm(request),
          requests[step],
        );
      await page.evaluate(() => (globalThis as unknown as PageGlobals).benchmark.closeWarm());
      // Cold: a fresh clone each time, so the evaluator's per-scenario memos start empty.
      for (const step of steps) nodeCold[step] = await inNode(labExactCurve, requests[step]);
      const endpoint = createLabExactEndpoint();
      for (const step of steps) nodeWarm[step] = await inNode((request) => endpoint.operatingCurve(request), requests[step]);
      const heap = await keptWorkerHeap(steps.map((step) => requests[step]));
      // An edit during the curve (the lab's first visit): the edit's current setting, after the worker is terminated or cancelled, alternated.
      let editDuringCurve: EditDuringCurveTiming | undefined;
      if (question === 'firstVisit') {
        const timing: EditDuringCurveTiming = {
          terminated: [],
          cancelled: [],
          cancels: [],
          unbounded: [],
          curveEnded: { terminated: 0, cancelled: 0 },
          difference: 0,
        };
        for (const delay of editDelays) {
          for (const way of ['terminated', 'cancelled', 'unbounded'] as const) {
            const withinMs = { terminated: null, cancelled: undefined, unbounded: unboundedMs }[way];
            const edit = await page.evaluate(
              ([current, curve, edited, delay, withinMs]) =>
                (globalThis as unknown as PageGlobals).benchmark.editDuringCurve(current, curve, edited, delay, withinMs),
              [requests.current, requests.curve, requests.editCurrent, delay, withinMs] as const,
            );
            if (way === 'unbounded') {
              if (edit.cancel !== null && !edit.curveEnded) timing.unbounded.push(edit.cancel.milliseconds);
            } else {
              timing[way].push(edit.milliseconds);
              if (edit.curveEnded) timing.curveEnded[way]++;
            }
            if (way === 'cancelled' && edit.cancel !== null) timing.cancels.push(edit.cancel);
            timing.difference = Math.max(timing.difference, answerDifference(edit.result, nodeCold.editCurrent.result));
          }
        }
        editDuringCurve = timing;
      }
      let floor: FloorTiming | undefined;
      if (question === 'firstVisit') {
        const cold = async (request: ExactCurveRequest) => {
          const runs: Timed[] = [];
          for (let round = 0; round < floorRounds; round++)
            runs.push(await page.evaluate((asked) => (globalThis as unknown as PageGlobals).benchmark.runExact(asked), request));
          return { milliseconds: median(runs.map((run) => run.milliseconds)), result: runs[0].result };
        };
        const empty = await cold({ ...requests.current, settings: [] });
        const coarsest = await cold({ ...requests.current, maxBaselineNodes: 16 });
        if (!coarsest.result.supported) throw new Error('the coarsest first-visit answer is refused');
        const point = coarsest.result.points[0];
        floor = {
          empty: empty.milliseconds,
          coarsest: coarsest.milliseconds,
          coarsestNeglected: Math.max(point.healthy.neglectedMass, point.regressed.neglectedMass),
        };
      }
      // The whole curve as the lab shows it: the current setting's point, then the others'.
      const current = nodeCold.current.result;
      const others = nodeCold.curve.result;
      const answer: ExactCurveResult =
        current.supported && others.supported
          ? {
              supported: true,
              points: [...current.points, ...others.points],
              approximations: [...new Set([...(current.approximations ?? []), ...(others.approximations ?? [])])],
              boundedBecause: [...new Set([...(current.boundedBecause ?? []), ...(others.boundedBecause ?? [])])],
            }
          : current.supported
            ? others
            : current;
      const milliseconds = (timed: Record<Step, Timed>) =>
        Object.fromEntries(steps.map((step) => [step, timed[step].milliseconds])) as LabRequestTimes;
      timings.push({
        question: questions[question],
        settings: visited.settings.length,
        browserCurrentMilliseconds: browserCold.current.milliseconds,
        browserMilliseconds: browserCold.curve.milliseconds,
        nodeCurrentMilliseconds: nodeCold.current.milliseconds,
        nodeMilliseconds: nodeCold.curve.milliseconds,
        browserCold: milliseconds(browserCold),
        browserWarm: milliseconds(browserWarm),
        nodeCold: milliseconds(nodeCold),
        nodeWarm: milliseconds(nodeWarm),
        workerHeapBytes: heap,
        supported: answer.supported,
        features: answer.supported ? [] : answer.features,
        approximations: answer.supported ? (answer.approximations ?? []) : [],
        bounded: answer.supported ? answer.points.filter((point) => point.bounded).length : 0,
        boundedBecause: answer.supported ? (answer.boundedBecause ?? []) : [],
        neglectedMass: answer.supported
          ? Math.max(...answer.points.flatMap((point) => [point.healthy.neglectedMass, point.regressed.neglectedMass]))
          : null,
        difference: Math.max(...steps.map((step) => answerDifference(browserCold[step].result, nodeCold[step].result))),
        warmDifference: Math.max(
          ...steps.flatMap((step) => [
            answerDifference(browserWarm[step].result, browserCold[step].result),
            answerDifference(nodeWarm[step].result, nodeCold[step].result),
          ]),
        ),
        ...(editDuringCurve !== undefined ? { editDuringCurve } : {}),
        ...(floor !== undefined ? { floor } : {}),
      });
    }
    if (problems.length > 0) throw new Error(`the benchmark page failed: ${problems.join('; ')}`);
    console.log(
      `the lab's question answered exactly: ${settings} error-rate thresholds × healthy and regressed world, one worker in Chromium vs in-process in Node (target < 200 ms in Chromium)`,
    );
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    const sameness = (difference: number) =>
      difference === 0
        ? 'yes'
        : difference < 1e-12
          ? `yes, within ${difference.toExponential(1)}`
          : `NO, ${difference.toExponential(1)} apart (relative above 1)`;
    const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
    for (const timing of timings) {
      const exactness =
        timing.bounded > 0
          ? `${timing.bounded} of ${timing.settings} settings BOUNDED, not exact (${[...new Set(timing.boundedBecause.map((why) => why.split(' (')[0]))].join('; ')})`
          : 'exact';
      const answer = timing.supported
        ? `${exactness}, neglected mass ≤ ${timing.neglectedMass?.toExponential(1)}; ${
            timing.approximations.length === 0
              ? 'no named approximation'
              : `approximations: ${timing.approximations.map((note) => note.split(' (')[0]).join('; ')}`
          }`
        : `no exact form: ${timing.features.map((feature) => feature.split(' (')[0]).join(', ')}`;
      console.log(
        `  ${timing.question}: Chromium ${ms(timing.browserMilliseconds)} for the ${timing.settings} settings ` +
          `(current setting alone ${ms(timing.browserCurrentMilliseconds)}), Node ${ms(timing.nodeMilliseconds)} ` +
          `(alone ${ms(timing.nodeCurrentMilliseconds)}) — ${answer}; same answer: ${sameness(timing.difference)}`,
      );
      // The lab's four requests, cold (a worker each) → warm (one kept worker), and the ratio.
      const line = (cold: LabRequestTimes, warm: LabRequestTimes) =>
        steps
          .map(
            (step) =>
              `${{ current: 'current', curve: 'curve', editCurrent: `edit to ${editedThreshold}×: current`, editCurve: 'its curve' }[step]} ` +
              `${ms(cold[step])} → ${ms(warm[step])} (${(cold[step] / warm[step]).toFixed(1)}×)`,
          )
          .join(', ');
      console.log(`    cold → warm worker, Chromium: ${line(timing.browserCold, timing.browserWarm)}`);
      console.log(
        `    cold → warm memos, Node: ${line(timing.nodeCold, timing.nodeWarm)}; ` +
          `warm answers the cold ones: ${sameness(timing.warmDifference)}; the kept worker's heap ${megabytes(timing.workerHeapBytes.started)} started, ` +
          `${megabytes(timing.workerHeapBytes.after)} after the four requests (a Node worker thread)`,
      );
      if (timing.floor !== undefined) {
        console.log(
          `    the floor, a cold worker each (median of ${floorRounds}): no setting (start, module, clone) ${ms(timing.floor.empty)}; ` +
            `the current setting at the evaluator's starting 16 nodes, not refined, ${ms(timing.floor.coarsest)} ` +
            `(bounded within ${timing.floor.coarsestNeglected.toExponential(1)})`,
        );
      }
      const edit = timing.editDuringCurve;
      if (edit !== undefined) {
        const spread = (values: number[]) => `median ${ms(median(values))} (${ms(Math.min(...values))}–${ms(Math.max(...values))})`;
        const kept = edit.cancels.filter((outcome) => outcome.kept);
        console.log(
          `    an edit ${editDelays[0]}–${editDelays[editDelays.length - 1]} ms into the curve, to its current setting's answer in Chromium: ` +
            `worker terminated → cold ${spread(edit.terminated)}, cancelled → warm ${spread(edit.cancelled)}; ` +
            `cancel → "cancelled" ${kept.length > 0 ? spread(kept.map((outcome) => outcome.milliseconds)) : '—'}, ` +
            `${kept.length} of ${edit.cancels.length} workers kept (bound ${[...new Set(edit.cancels.map((outcome) => ms(outcome.withinMs)))].join(', ')}); ` +
            `without a bound, cancel → "cancelled" ${edit.unbounded.length > 0 ? spread(edit.unbounded) : '—'} ` +
            `(${edit.unbounded.map((value) => value.toFixed(0)).join(', ')} ms); ` +
            `curves already ended when the edit landed: ${edit.curveEnded.terminated} / ${edit.curveEnded.cancelled}; ` +
            `same answer as Node: ${sameness(edit.difference)}`,
        );
      }
    }
    return timings;
  } finally {
    await close();
  }
}

/** The median of `values` (the mean of the middle two for an even count). O(n log n). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The value after `flag` on the command line, if any. */
function argument(flag: string): string | undefined {
  const index = process.argv.indexOf(flag);
  return index > 0 ? process.argv[index + 1] : undefined;
}

// Run alone: `node dist/bench/labExact.js [--settings N] [--out DIR] [--only QUESTION]`.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const settings = argument('--settings');
  const outDir = argument('--out');
  const only = argument('--only');
  if (only !== undefined && !(only in questions))
    throw new RangeError(`--only must be one of ${Object.keys(questions).join(', ')}, got ${only}`);
  await labExactBenchmark({
    ...(only !== undefined ? { only: only as Question } : {}),
    ...(settings !== undefined ? { settings: Number(settings) } : {}),
    ...(outDir !== undefined ? { outDir } : {}),
  });
}

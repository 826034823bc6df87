/**
 * Bench entry (issue 16, "Speed"): the lab's default question answered exactly — the lab's
 * first-visit settings (the framework default policy on the lab's identical-candidate worlds),
 * `settings` error-rate thresholds (default 20, the current 2× among them), the healthy and the
 * regressed world — in Chromium's Web Worker (the lab's own `labExactInWorker`, one worker,
 * started per request as the lab starts it) and in Node in-process (`exactOperatingCurve`), in
 * one run of this process. Target: < 200 ms in Chromium.
 *
 * Timed as the lab asks it (src/ui/lab/labExact.ts `runLabExact`): the current setting alone
 * first (what the verdict waits for), then the curve in one request. Each line also prints what
 * the answer rests on (the evaluator's named approximations and the largest neglected mass over
 * the curve), or the features when the evaluator refuses — the refusal is timed too. Two more
 * questions: `covered`, the same with the shadow and A/B stages off (the canary-and-full part of
 * the default policy on its own), and `flat100`, the whole default policy at 100 req/s without
 * the daily cycle (one edit away in the lab, and answered exactly with the A/B test's normal-law
 * approximation). The two environments' answers are compared (same numbers).
 *
 * Run alone: `npm run build:cli && node dist/bench/labExact.js [--settings N]`; `CHROME_PATH`
 * overrides the browser (default `/usr/bin/chromium`).
 */

import { fileURLToPath } from 'node:url';
import type { ExactCurveRequest, ExactCurveResult } from '../src/sim/exact/exactOperatingCurve.ts';
import { exactOperatingCurve } from '../src/sim/exact/exactOperatingCurve.ts';
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
  request(settings: number, variant: Question): ExactCurveRequest;
  runExact(request: ExactCurveRequest): Promise<{ milliseconds: number; result: ExactCurveResult }>;
}

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
  /** Largest difference between Chromium's and Node's answers (the current setting and the curve; `largestDifference`); 0 when identical. */
  difference: number;
}

const outDir = 'dist/bench-lab-exact';

/**
 * The largest difference between two answers' numbers, relative above 1 (|a − b| / max(1, |a|,
 * |b|): expected requests run to millions), 0 when identical; Infinity when their shapes or any
 * non-number differ. Chromium's V8 and Node's may round differently in the last bits (measured on
 * the 100 req/s question: 427 numbers differ, by at most 2.6e-13 relative), so exact answers are
 * compared number by number. O(size).
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

/** Runs the entry: builds the page, starts the preview server and Chromium, measures, closes everything. */
export async function labExactBenchmark(options: { settings?: number } = {}): Promise<LabExactTiming[]> {
  const settings = options.settings ?? 20;
  const { page, problems, close } = await openBenchPage('labExact', outDir);
  const inBrowser = (request: ExactCurveRequest) =>
    page.evaluate((request) => (globalThis as unknown as { benchmark: BenchmarkPage }).benchmark.runExact(request), request);
  const inNode = (asked: ExactCurveRequest) => {
    // A fresh copy, as the worker receives: the evaluator's memos are per scenario object, and the
    // current setting's run must not warm the curve's.
    const request = structuredClone(asked);
    const start = performance.now();
    const result = exactOperatingCurve(request);
    return { milliseconds: performance.now() - start, result };
  };
  try {
    const timings: LabExactTiming[] = [];
    for (const question of Object.keys(questions) as Question[]) {
      const request = await page.evaluate(
        ([count, question]) => (globalThis as unknown as { benchmark: BenchmarkPage }).benchmark.request(count, question),
        [settings, question] as const,
      );
      // The lab's two requests: the current setting (first in the request) alone, then the curve.
      const current: ExactCurveRequest = { ...request, settings: request.settings.slice(0, 1) };
      const browserCurrent = await inBrowser(current);
      const browserCurve = await inBrowser(request);
      const nodeCurrent = inNode(current);
      const nodeCurve = inNode(request);
      const answer = nodeCurve.result;
      timings.push({
        question: questions[question],
        settings: request.settings.length,
        browserCurrentMilliseconds: browserCurrent.milliseconds,
        browserMilliseconds: browserCurve.milliseconds,
        nodeCurrentMilliseconds: nodeCurrent.milliseconds,
        nodeMilliseconds: nodeCurve.milliseconds,
        supported: answer.supported,
        features: answer.supported ? [] : answer.features,
        approximations: answer.supported ? (answer.approximations ?? []) : [],
        bounded: answer.supported ? answer.points.filter((point) => point.bounded).length : 0,
        boundedBecause: answer.supported ? (answer.boundedBecause ?? []) : [],
        neglectedMass: answer.supported
          ? Math.max(...answer.points.flatMap((point) => [point.healthy.neglectedMass, point.regressed.neglectedMass]))
          : null,
        difference: Math.max(answerDifference(browserCurve.result, answer), answerDifference(browserCurrent.result, nodeCurrent.result)),
      });
    }
    if (problems.length > 0) throw new Error(`the benchmark page failed: ${problems.join('; ')}`);
    console.log(
      `the lab's question answered exactly: ${settings} error-rate thresholds × healthy and regressed world, one worker in Chromium vs in-process in Node (target < 200 ms in Chromium)`,
    );
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
        `  ${timing.question}: Chromium ${timing.browserMilliseconds.toFixed(0)} ms for the ${timing.settings} settings ` +
          `(current setting alone ${timing.browserCurrentMilliseconds.toFixed(0)} ms), Node ${timing.nodeMilliseconds.toFixed(0)} ms ` +
          `(alone ${timing.nodeCurrentMilliseconds.toFixed(0)} ms) — ${answer}; same answer: ${
            timing.difference === 0 ? 'yes' : timing.difference < 1e-12 ? `yes, within ${timing.difference.toExponential(1)}` : 'NO'
          }`,
      );
    }
    return timings;
  } finally {
    await close();
  }
}

// Run alone: `node dist/bench/labExact.js [--settings N]`.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const index = process.argv.indexOf('--settings');
  await labExactBenchmark(index > 0 ? { settings: Number(process.argv[index + 1]) } : {});
}

/**
 * Bench entry (issue 16, "Speed"): the lab's question answered exactly — the lab's first-visit
 * settings, `settings` error-rate thresholds (default 20, the current 2× among them), the healthy
 * and the regressed world — in Chromium's Web Worker (the lab's own `labExactInWorker`, one worker,
 * started per question as the lab starts it) and in Node in-process (`exactOperatingCurve`), in
 * one run of this process. Target: < 200 ms in Chromium.
 *
 * The lab's first-visit policy (the framework default) has a shadow and an A/B stage, which the
 * exact evaluator does not cover: that question is timed too (the time to say so, with the
 * features), and the question is then timed with those two stages off (`covered`), the rest of
 * the lab's settings unchanged. The two environments' answers are compared (same numbers).
 *
 * Run alone: `npm run build:cli && node dist/bench/labExact.js [--settings N]`; `CHROME_PATH`
 * overrides the browser (default `/usr/bin/chromium`).
 */

import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { ExactCurveRequest, ExactCurveResult } from '../src/sim/exact/exactOperatingCurve.ts';
import { exactOperatingCurve } from '../src/sim/exact/exactOperatingCurve.ts';
import { openBenchPage } from './benchPage.ts';

/** What the page exposes (see `bench/labExact.html`). */
interface BenchmarkPage {
  request(settings: number, covered: boolean): ExactCurveRequest;
  runExact(request: ExactCurveRequest): Promise<{ milliseconds: number; result: ExactCurveResult }>;
}

/** One question's figures. */
export interface LabExactTiming {
  question: string;
  settings: number;
  browserMilliseconds: number;
  nodeMilliseconds: number;
  supported: boolean;
  /** The features when the question has no exact form. */
  features: string[];
  /** True when Chromium and Node gave the same answer. */
  identical: boolean;
}

const outDir = 'dist/bench-lab-exact';

/** Runs the entry: builds the page, starts the preview server and Chromium, measures, closes everything. */
export async function labExactBenchmark(options: { settings?: number } = {}): Promise<LabExactTiming[]> {
  const settings = options.settings ?? 20;
  const { page, problems, close } = await openBenchPage('labExact', outDir);
  try {
    const timings: LabExactTiming[] = [];
    for (const covered of [false, true]) {
      const request = await page.evaluate(
        ([count, covered]) => (globalThis as unknown as { benchmark: BenchmarkPage }).benchmark.request(count, covered),
        [settings, covered] as const,
      );
      const inBrowser = await page.evaluate(
        (request) => (globalThis as unknown as { benchmark: BenchmarkPage }).benchmark.runExact(request),
        request,
      );
      const start = performance.now();
      const inNode = exactOperatingCurve(request);
      const nodeMilliseconds = performance.now() - start;
      timings.push({
        question: covered
          ? "the lab's first-visit settings without the shadow and A/B stages"
          : "the lab's first-visit settings (framework default policy)",
        settings: request.settings.length,
        browserMilliseconds: inBrowser.milliseconds,
        nodeMilliseconds,
        supported: inNode.supported,
        features: inNode.supported ? [] : inNode.features,
        identical: isDeepStrictEqual(JSON.parse(JSON.stringify(inBrowser.result)), JSON.parse(JSON.stringify(inNode))),
      });
    }
    if (problems.length > 0) throw new Error(`the benchmark page failed: ${problems.join('; ')}`);
    console.log(
      `the lab's question answered exactly: ${settings} error-rate thresholds × healthy and regressed world, one worker in Chromium vs in-process in Node (target < 200 ms in Chromium)`,
    );
    for (const timing of timings) {
      const answer = timing.supported ? 'exact' : `no exact form: ${timing.features.map((feature) => feature.split(' (')[0]).join(', ')}`;
      console.log(
        `  ${timing.question}: Chromium ${timing.browserMilliseconds.toFixed(0)} ms, Node ${timing.nodeMilliseconds.toFixed(0)} ms (${answer}; same answer: ${timing.identical ? 'yes' : 'NO'})`,
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

/**
 * The endpoint of the lab's exact worker: the exact operating characteristic
 * (`exactOperatingCurve`, src/sim/exact/exactOperatingCurve.ts) off the main thread, so the page
 * never blocks while the chains run.
 */

import type { ExactCurveRequest, ExactCurveResult } from '../src/sim/exact/exactOperatingCurve.ts';
import { exactOperatingCurve } from '../src/sim/exact/exactOperatingCurve.ts';

/** What the lab's exact worker serves. */
export interface LabExactEndpoint {
  /** `exactOperatingCurve(request)`, reporting the fraction of settings done; its RangeErrors for invalid policies. */
  operatingCurve(request: ExactCurveRequest, onProgress?: (fraction: number) => void): ExactCurveResult;
}

/** The endpoint (callable in-process too). */
export const labExactEndpoint: LabExactEndpoint = {
  operatingCurve: (request, onProgress) =>
    exactOperatingCurve(request, onProgress === undefined ? undefined : (done, total) => void onProgress(done / total)),
};

import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import { boundInPoints } from '../format.ts';
import { type DetectionTimeBin, detectionTimeBins } from './detectionTimePlot.ts';

/** The chart's title. */
export const exactDetectionTimeTitle = 'Time to detect the regression (exact distribution)';

/**
 * The exact detection-time distribution (an `ExactSummary`'s `detectionTime.histogram`: seconds
 * → probability that the regressed candidate is rolled back then) binned as the Monte-Carlo
 * histogram is (`detectionTimeBins`), each bin's `count` holding a probability. O(times + bins).
 */
export function exactDetectionTimeBins(distribution: Record<string, number>, binCount = 24): DetectionTimeBin[] {
  return detectionTimeBins(distribution, binCount);
}

/**
 * Plot spec of the exact detection-time distribution: a bar per bin of hours, the probability
 * that a regressed rollout is rolled back in that bin (the bars sum to the probability that the
 * regression is caught at all); titled as bounded, not exact, when `bound` is given.
 */
export function exactDetectionTimePlot(bins: readonly DetectionTimeBin[], bound?: number): PlotOptions {
  // `bound`: the answer's neglected mass when it is bounded, not exact (`ExactCurvePoint.bounded`).
  const title = bound === undefined ? exactDetectionTimeTitle : 'Time to detect the regression (bounded, not exact)';
  const within = bound === undefined ? '' : ` Each probability within ${boundInPoints(bound)} points.`;
  return {
    title,
    subtitle: `Probability that the regressed candidate is rolled back, by hours from the regression to the rollback.${within}`,
    ariaLabel: title,
    width: 520,
    height: 300,
    marginLeft: 50,
    x: { label: 'Hours from the regression to the rollback', grid: false },
    y: { label: 'Probability', grid: true, tickFormat: '.0%' },
    marks: [Plot.rectY(bins, { x1: 'fromHours', x2: 'toHours', y: 'count', fill: '#2456c7', insetLeft: 1, tip: true }), Plot.ruleY([0])],
  };
}

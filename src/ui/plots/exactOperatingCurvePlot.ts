import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import { boundInPoints } from '../format.ts';
import {
  currentSettingRing,
  type OperatingCharacteristicPoint,
  operatingCharacteristicFrame,
  thresholdLabels,
} from './operatingCharacteristicPlot.ts';

/** The chart's title. */
export const exactOperatingCurveTitle = 'Operating characteristic (exact): false rollbacks against missed regressions';

/** The chart's title when some of its points are bounded, not exact (`ExactCurvePoint.bounded`). */
export const boundedOperatingCurveTitle = 'Operating characteristic (bounded, not exact): false rollbacks against missed regressions';

/**
 * Plot spec of an exact operating characteristic over many error-rate thresholds (the lab's 50), or
 * a bounded one (`bound`: the largest neglected mass, titled and subtitled as not exact):
 * false-rollback rate against missed-regression rate as a curve in threshold order — exact rates,
 * so no intervals — with a dot per threshold, a label on every `labelEvery`-th threshold and on the
 * current one, and the current setting ringed. Both axes 0–100%: the best corner is the origin.
 */
export function exactOperatingCurvePlot(points: readonly OperatingCharacteristicPoint[], labelEvery = 10, bound?: number): PlotOptions {
  const ordered = [...points].sort((a, b) => a.errorRatio - b.errorRatio);
  const labelled = ordered.filter((point, index) => point.current || index % labelEvery === 0 || index === ordered.length - 1);
  // `bound`: the largest neglected mass of the bounded points, when any is bounded.
  const title = bound === undefined ? exactOperatingCurveTitle : boundedOperatingCurveTitle;
  const how =
    bound === undefined
      ? 'computed exactly'
      : `computed without sampling, each rate within ${boundInPoints(bound)} points (bounded, not exact)`;
  return {
    title,
    subtitle: `${ordered.length} error-rate thresholds, ${how}; the ring marks the current setting. Lower left is better.`,
    ariaLabel: title,
    ...operatingCharacteristicFrame,
    marks: [
      Plot.line(ordered, { x: 'falseRollbackRate', y: 'missedRegressionRate', stroke: '#2456c7', strokeWidth: 2 }),
      Plot.dot(ordered, { x: 'falseRollbackRate', y: 'missedRegressionRate', fill: '#2456c7', r: 2, tip: true }),
      thresholdLabels(labelled),
      currentSettingRing(ordered),
    ],
  };
}

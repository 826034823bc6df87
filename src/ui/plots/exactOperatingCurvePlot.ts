import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import {
  currentSettingRing,
  type OperatingCharacteristicPoint,
  operatingCharacteristicFrame,
  thresholdLabels,
} from './operatingCharacteristicPlot.ts';

/** The chart's title. */
export const exactOperatingCurveTitle = 'Operating characteristic (exact): false rollbacks against missed regressions';

/**
 * Plot spec of an exact operating characteristic over many error-rate thresholds (the lab's 50):
 * false-rollback rate against missed-regression rate as a curve in threshold order — exact rates,
 * so no intervals — with a dot per threshold, a label on every `labelEvery`-th threshold and on the
 * current one, and the current setting ringed. Both axes 0–100%: the best corner is the origin.
 */
export function exactOperatingCurvePlot(points: readonly OperatingCharacteristicPoint[], labelEvery = 10): PlotOptions {
  const ordered = [...points].sort((a, b) => a.errorRatio - b.errorRatio);
  const labelled = ordered.filter((point, index) => point.current || index % labelEvery === 0 || index === ordered.length - 1);
  return {
    title: exactOperatingCurveTitle,
    subtitle: `${ordered.length} error-rate thresholds, computed exactly; the ring marks the current setting. Lower left is better.`,
    ariaLabel: exactOperatingCurveTitle,
    ...operatingCharacteristicFrame,
    marks: [
      Plot.line(ordered, { x: 'falseRollbackRate', y: 'missedRegressionRate', stroke: '#2456c7', strokeWidth: 2 }),
      Plot.dot(ordered, { x: 'falseRollbackRate', y: 'missedRegressionRate', fill: '#2456c7', r: 2, tip: true }),
      thresholdLabels(labelled),
      currentSettingRing(ordered),
    ],
  };
}

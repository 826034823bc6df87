import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import type { OperatingCharacteristicPoint } from './operatingCharacteristicPlot.ts';

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
  const current = ordered.filter((point) => point.current);
  const labelled = ordered.filter((point, index) => point.current || index % labelEvery === 0 || index === ordered.length - 1);
  return {
    title: exactOperatingCurveTitle,
    subtitle: `${ordered.length} error-rate thresholds, computed exactly; the ring marks the current setting. Lower left is better.`,
    ariaLabel: exactOperatingCurveTitle,
    width: 520,
    height: 360,
    marginLeft: 50,
    x: { label: 'False-rollback rate (healthy candidate rolled back)', domain: [0, 1], tickFormat: '.0%', grid: true },
    y: { label: 'Missed-regression rate (bad candidate promoted)', domain: [0, 1], tickFormat: '.0%', grid: true },
    marks: [
      Plot.line(ordered, { x: 'falseRollbackRate', y: 'missedRegressionRate', stroke: '#2456c7', strokeWidth: 2 }),
      Plot.dot(ordered, { x: 'falseRollbackRate', y: 'missedRegressionRate', fill: '#2456c7', r: 2, tip: true }),
      Plot.text(labelled, {
        x: 'falseRollbackRate',
        y: 'missedRegressionRate',
        text: (point: OperatingCharacteristicPoint) => `${point.errorRatio}×`,
        dx: 8,
        textAnchor: 'start',
      }),
      Plot.dot(current, { x: 'falseRollbackRate', y: 'missedRegressionRate', r: 10, stroke: '#d62728', strokeWidth: 2.5 }),
    ],
  };
}

import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';

/** One setting of the sweep: its threshold and measured rates. */
export interface OperatingCharacteristicPoint {
  /** The error-rate ratio threshold (e.g. 2 for "2×"). */
  errorRatio: number;
  falseRollbackRate: number;
  missedRegressionRate: number;
  /** True for the setting currently chosen in the lab. */
  current: boolean;
}

/** The chart's title. */
export const operatingCharacteristicTitle = 'Operating characteristic: false rollbacks against missed regressions';

/**
 * Plot spec of the operating characteristic of a threshold sweep: false-rollback rate (healthy
 * candidate rolled back) against missed-regression rate (bad candidate promoted), one point per
 * error-ratio threshold joined in threshold order, each labelled "k×", the current setting
 * ringed. Both axes 0–100%: the best corner is the origin.
 */
export function operatingCharacteristicPlot(points: readonly OperatingCharacteristicPoint[]): PlotOptions {
  const ordered = [...points].sort((a, b) => a.errorRatio - b.errorRatio);
  const current = ordered.filter((point) => point.current);
  return {
    title: operatingCharacteristicTitle,
    subtitle: 'One point per error-rate threshold; the ring marks the current setting. Lower left is better.',
    ariaLabel: operatingCharacteristicTitle,
    // Wide and low: it sits in the lab's answer panel (about 650 px at 1440×900) under the
    // verdict and the rates, and must stay on the first screen there.
    width: 640,
    height: 320,
    marginLeft: 50,
    // Room for the label of a threshold at 100% false rollbacks ("1.25×").
    marginRight: 40,
    x: { label: 'False-rollback rate (healthy candidate rolled back)', domain: [0, 1], tickFormat: '.0%', grid: true },
    y: { label: 'Missed-regression rate (bad candidate promoted)', domain: [0, 1], tickFormat: '.0%', grid: true },
    marks: [
      Plot.line(ordered, { x: 'falseRollbackRate', y: 'missedRegressionRate', stroke: '#6b7a99' }),
      Plot.dot(ordered, { x: 'falseRollbackRate', y: 'missedRegressionRate', fill: '#2456c7', r: 4, tip: true }),
      Plot.text(ordered, {
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

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

/** A point's label, "k×" at its position (the threshold it stands for). */
export function thresholdLabels(points: readonly OperatingCharacteristicPoint[]): Plot.Markish {
  return Plot.text(points, {
    x: 'falseRollbackRate',
    y: 'missedRegressionRate',
    text: (point: OperatingCharacteristicPoint) => `${point.errorRatio}×`,
    dx: 8,
    textAnchor: 'start',
  });
}

/** The ring around the current setting. */
export function currentSettingRing(points: readonly OperatingCharacteristicPoint[]): Plot.Markish {
  return Plot.dot(
    points.filter((point) => point.current),
    { x: 'falseRollbackRate', y: 'missedRegressionRate', r: 10, stroke: '#d62728', strokeWidth: 2.5 },
  );
}

/**
 * The frame every operating-characteristic chart shares (the Monte-Carlo sweep's and the exact
 * curve's): size, margins and both axes 0–100% with the best corner at the origin.
 */
export const operatingCharacteristicFrame = {
  // Wide and low: it sits in the lab's answer panel (about 650 px at 1440×900) under the
  // verdict and the rates, and must stay on the first screen there.
  width: 640,
  height: 320,
  marginLeft: 50,
  // Room for the label of a threshold at 100% false rollbacks ("1.25×").
  marginRight: 40,
  x: { label: 'False-rollback rate (healthy candidate rolled back)', domain: [0, 1], tickFormat: '.0%', grid: true },
  y: { label: 'Missed-regression rate (bad candidate promoted)', domain: [0, 1], tickFormat: '.0%', grid: true },
} satisfies PlotOptions;

/**
 * Plot spec of the operating characteristic of a threshold sweep: false-rollback rate (healthy
 * candidate rolled back) against missed-regression rate (bad candidate promoted), one point per
 * error-ratio threshold joined in threshold order, each labelled "k×", the current setting
 * ringed. Both axes 0–100%: the best corner is the origin.
 */
export function operatingCharacteristicPlot(points: readonly OperatingCharacteristicPoint[]): PlotOptions {
  const ordered = [...points].sort((a, b) => a.errorRatio - b.errorRatio);
  return {
    title: operatingCharacteristicTitle,
    subtitle: 'One point per error-rate threshold; the ring marks the current setting. Lower left is better.',
    ariaLabel: operatingCharacteristicTitle,
    ...operatingCharacteristicFrame,
    marks: [
      Plot.line(ordered, { x: 'falseRollbackRate', y: 'missedRegressionRate', stroke: '#6b7a99' }),
      Plot.dot(ordered, { x: 'falseRollbackRate', y: 'missedRegressionRate', fill: '#2456c7', r: 4, tip: true }),
      thresholdLabels(ordered),
      currentSettingRing(ordered),
    ],
  };
}

import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';

/** One tuning candidate as drawn: its measured rates and whether it is on the front or recommended. */
export interface ParetoFrontPoint {
  id: number;
  /** The setting in words (shown in the tooltip). */
  label: string;
  falseRollbackRate: number;
  /** Regression not rolled back within the detection window. */
  missedDetectionRate: number;
  pareto: boolean;
  recommended: boolean;
}

/** The targets drawn as the acceptable corner. */
export interface ParetoFrontTargets {
  maxFalseRollbackRate: number;
  minDetectionRate: number;
  /** The detection window, minutes (for the axis label). */
  withinMinutes: number;
}

/** The chart's title. */
export const paretoFrontTitle = 'Auto-tune: the Pareto front of the candidates tried';

/**
 * Plot spec of a tuning run: every candidate tried as a grey dot at (false-rollback rate,
 * missed-detection rate); the Pareto-front candidates in blue, joined in order of false-rollback
 * rate; the recommended one ringed in red; the targets as dashed rules at x = a and y = 1 − b,
 * so the acceptable corner is the lower left. Both axes from 0 to the largest value shown
 * (at least the targets), as percentages.
 */
export function paretoFrontPlot(points: readonly ParetoFrontPoint[], targets: ParetoFrontTargets): PlotOptions {
  const front = points
    .filter((point) => point.pareto)
    .sort((a, b) => a.falseRollbackRate - b.falseRollbackRate || a.missedDetectionRate - b.missedDetectionRate);
  const others = points.filter((point) => !point.pareto);
  const recommended = points.filter((point) => point.recommended);
  const maxMissed = 1 - targets.minDetectionRate;
  const xMax = Math.min(1, Math.max(targets.maxFalseRollbackRate * 2, ...points.map((point) => point.falseRollbackRate)) * 1.05);
  const yMax = Math.min(1, Math.max(maxMissed * 2, ...points.map((point) => point.missedDetectionRate)) * 1.05);
  const tip = (point: ParetoFrontPoint) => `#${point.id}: ${point.label}`;
  return {
    title: paretoFrontTitle,
    subtitle:
      'Grey: candidates tried; blue: the Pareto front; red ring: the recommendation; dashed: your targets (lower left is acceptable).',
    ariaLabel: paretoFrontTitle,
    width: 560,
    height: 380,
    marginLeft: 50,
    x: { label: 'False-rollback rate (healthy candidate rolled back)', domain: [0, xMax], tickFormat: '.0%', grid: true },
    y: { label: `Regressions not caught within ${targets.withinMinutes} min`, domain: [0, yMax], tickFormat: '.0%', grid: true },
    marks: [
      Plot.ruleX([targets.maxFalseRollbackRate], { stroke: '#d62728', strokeDasharray: '4 3' }),
      Plot.ruleY([maxMissed], { stroke: '#d62728', strokeDasharray: '4 3' }),
      Plot.dot(others, { x: 'falseRollbackRate', y: 'missedDetectionRate', fill: '#9aa3b5', r: 3, title: tip }),
      Plot.line(front, { x: 'falseRollbackRate', y: 'missedDetectionRate', stroke: '#2456c7' }),
      Plot.dot(front, { x: 'falseRollbackRate', y: 'missedDetectionRate', fill: '#2456c7', r: 4.5, title: tip }),
      Plot.dot(recommended, { x: 'falseRollbackRate', y: 'missedDetectionRate', r: 10, stroke: '#d62728', strokeWidth: 2.5 }),
    ],
  };
}

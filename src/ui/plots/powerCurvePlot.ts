import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import type { PowerPoint } from '../sizer/sizerModel.ts';

/** What a power curve is plotted against. */
export interface PowerCurveOptions {
  title: string;
  /** Label of the horizontal axis, in the user's words. */
  xLabel: string;
  /** Format of the horizontal axis ticks, e.g. `'+.1%'` for an effect or `'d'` for days. */
  xTickFormat: string;
  /** The power the test was sized for: a horizontal rule. */
  targetPower: number;
  /** The planned value on the horizontal axis (the minimum detectable effect, or the days needed): a vertical rule. */
  planned: number;
}

/**
 * Plot spec of power curves, one line per series — a sample-size method, or a metric of the
 * experiment design (the points' `method` names it): power (0–100%) against the true effect, the
 * users in the test or the test's duration, with the target power and the planned value marked.
 */
export function powerCurvePlot(points: readonly PowerPoint[], options: PowerCurveOptions): PlotOptions {
  return {
    title: options.title,
    ariaLabel: options.title,
    width: 520,
    height: 300,
    marginLeft: 50,
    x: { label: options.xLabel, tickFormat: options.xTickFormat, grid: true },
    y: { label: 'Power (chance of detecting it)', domain: [0, 1], tickFormat: '.0%', grid: true },
    color: { legend: true, scheme: 'dark2' },
    marks: [
      Plot.ruleY([options.targetPower], { stroke: '#888', strokeDasharray: '4 3' }),
      Plot.ruleX([options.planned], { stroke: '#888', strokeDasharray: '4 3' }),
      Plot.line(points, { x: 'x', y: 'power', stroke: 'method', strokeWidth: 2, tip: true }),
    ],
  };
}

import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import type { AccrualPoint } from '../sizer/experimentSizer.ts';

/** What the accrual chart marks besides its curves. */
export interface UserAccrualPlotOptions {
  /** Users the test needs (both arms): a horizontal rule. */
  requiredUsers: number;
  /** Days until the test can conclude (with returning users when modelled), or null (never): a vertical rule. */
  days: number | null;
}

/**
 * Plot spec of distinct users against the days of the test: the accrual with returning users (it
 * bends: unique users grow slower than days) beside the linear count, with the required users and
 * the day the test can conclude marked.
 */
export function userAccrualPlot(points: readonly AccrualPoint[], options: UserAccrualPlotOptions): PlotOptions {
  const title = 'Distinct users against the days of the test';
  return {
    title,
    ariaLabel: title,
    width: 520,
    height: 280,
    marginLeft: 60,
    x: { label: 'Days', grid: true },
    y: { label: 'Users in the test', grid: true, tickFormat: '~s' },
    color: { legend: true, scheme: 'dark2' },
    marks: [
      Plot.ruleY([options.requiredUsers], { stroke: '#c0392b', strokeDasharray: '4 3' }),
      Plot.text([options.requiredUsers], {
        y: (d: number) => d,
        frameAnchor: 'left',
        dy: -6,
        dx: 4,
        text: () => 'users needed',
        fill: '#c0392b',
      }),
      ...(options.days === null ? [] : [Plot.ruleX([options.days], { stroke: '#888', strokeDasharray: '4 3' })]),
      Plot.line(points, { x: 'day', y: 'users', stroke: 'model', strokeWidth: 2, tip: true }),
    ],
  };
}

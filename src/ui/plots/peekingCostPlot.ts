import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import type { PeekingPoint } from '../../engine/stats/peekingCost.ts';

/** The chart's title. */
export const peekingCostTitle = 'The cost of peeking: false-positive rate of an A/A test';

/**
 * Plot spec of the cost of peeking: the false-positive rate against the number of looks, one
 * line (with dots) per design for the exact values — naive repeated testing beside a
 * group-sequential design — and, when present, the Monte-Carlo estimates as hollow circles
 * with their 95% interval, so that exact and simulated values are never confused. The nominal α
 * is a dashed rule; the subtitle says which is which.
 */
export function peekingCostPlot(points: readonly PeekingPoint[], alpha: number): PlotOptions {
  const exact = points.filter((point) => point.source === 'exact');
  const simulated = points.filter((point) => point.source === 'simulated');
  const replicates = simulated.length > 0 ? ' Hollow circles with bars: seeded Monte-Carlo simulation in Web Workers, 95% intervals.' : '';
  return {
    title: peekingCostTitle,
    subtitle: `Lines and dots: exact values (numerical integration, no simulation).${replicates} Dashed: α.`,
    ariaLabel: peekingCostTitle,
    width: 640,
    height: 320,
    marginLeft: 50,
    x: { label: 'Number of looks at the data', tickFormat: 'd', grid: true },
    y: { label: 'False-positive rate', tickFormat: '.0%', grid: true, zero: true },
    color: { legend: true, scheme: 'set1' },
    marks: [
      Plot.ruleY([alpha], { stroke: '#888', strokeDasharray: '4 3' }),
      Plot.line(exact, { x: 'looks', y: 'falsePositiveRate', stroke: 'design', strokeWidth: 2 }),
      Plot.dot(exact, { x: 'looks', y: 'falsePositiveRate', fill: 'design', r: 3, tip: true }),
      Plot.ruleX(simulated, { x: 'looks', y1: 'lower', y2: 'upper', stroke: 'design', strokeOpacity: 0.6, dx: 6 }),
      Plot.dot(simulated, { x: 'looks', y: 'falsePositiveRate', stroke: 'design', fill: 'white', r: 4, dx: 6, tip: true }),
    ],
  };
}

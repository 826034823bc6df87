import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import type { SegmentsAnalysis } from '../../engine/analysis/segments.ts';

/** One variant's rate on one slice of traffic (a segment or all of it), with its interval. */
export interface RateRow {
  slice: string;
  variant: string;
  rate: number;
  lower: number;
  upper: number;
}

/** The name of the aggregate slice on the chart. */
export const aggregateSliceName = 'All segments (aggregate)';

/** The rows drawn by `segmentRatesPlot`: each segment, then the aggregate. */
export function segmentRateRows(analysis: SegmentsAnalysis): RateRow[] {
  const slices = [
    ...analysis.segments.map((s) => ({ slice: s.segment, comparison: s })),
    { slice: aggregateSliceName, comparison: analysis.aggregate },
  ];
  return slices.flatMap(({ slice, comparison }) =>
    [comparison.first, comparison.second].map((v) => ({
      slice,
      variant: v.variant,
      rate: v.rate,
      lower: v.interval.lower,
      upper: v.interval.upper,
    })),
  );
}

/**
 * Plot spec of the per-segment against aggregate success rates: one panel per slice (segments,
 * then the aggregate), a dot per variant at its rate and a bar for its Wilson interval.
 */
export function segmentRatesPlot(analysis: SegmentsAnalysis): PlotOptions {
  const rows = segmentRateRows(analysis);
  const confidence = Math.round(100 * (1 - analysis.alpha));
  const title = `Success rate by segment and overall, with ${confidence}% Wilson intervals`;
  return {
    title,
    ariaLabel: title,
    width: 640,
    height: 70 + 60 * (analysis.segments.length + 1),
    marginLeft: 110,
    marginRight: 170,
    x: { label: 'Success rate', tickFormat: '.0%', grid: true },
    y: { label: null, domain: analysis.variants },
    fy: { label: null, domain: rows.map((row) => row.slice).filter((s, i, all) => all.indexOf(s) === i) },
    color: { legend: true, domain: analysis.variants, scheme: 'dark2' },
    marks: [
      Plot.frame({ stroke: '#e1e5ee' }),
      Plot.ruleY(rows, { fy: 'slice', y: 'variant', x1: 'lower', x2: 'upper', stroke: 'variant', strokeWidth: 3 }),
      Plot.dot(rows, { fy: 'slice', y: 'variant', x: 'rate', fill: 'variant', r: 5, tip: true }),
    ],
  };
}

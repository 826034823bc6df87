import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';

/** One bar of the detection-time distribution. */
export interface DetectionTimeBin {
  /** Bin edges, hours since the candidate first became worse. */
  fromHours: number;
  toHours: number;
  /** Rolled-back regressions detected in this bin. */
  count: number;
}

/** The chart's title. */
export const detectionTimeTitle = 'Time to detect the regression';

/**
 * Bins a histogram of detection times (seconds → count, as `SummaryState.detectionTimes`) into
 * `binCount` equal bins of whole hours, from 0 to the longest time. O(distinct times + bins).
 */
export function detectionTimeBins(histogram: Record<string, number>, binCount = 24): DetectionTimeBin[] {
  const entries = Object.entries(histogram).map(([seconds, count]) => ({ hours: Number(seconds) / 3600, count }));
  if (entries.length === 0) return [];
  const longest = Math.max(...entries.map((entry) => entry.hours));
  const width = Math.max(1, Math.ceil(longest / binCount));
  const bins = Array.from({ length: Math.floor(longest / width) + 1 }, (_, i) => ({
    fromHours: i * width,
    toHours: (i + 1) * width,
    count: 0,
  }));
  for (const { hours, count } of entries) bins[Math.min(bins.length - 1, Math.floor(hours / width))].count += count;
  return bins;
}

/** Plot spec of the detection-time distribution: a bar per bin of hours, rollbacks counted. */
export function detectionTimePlot(bins: readonly DetectionTimeBin[]): PlotOptions {
  return {
    title: detectionTimeTitle,
    subtitle: 'Regressed candidates rolled back, by hours from the regression to the rollback.',
    ariaLabel: detectionTimeTitle,
    width: 520,
    height: 300,
    marginLeft: 50,
    x: { label: 'Hours from the regression to the rollback', grid: false },
    y: { label: 'Rollouts', grid: true },
    marks: [Plot.rectY(bins, { x1: 'fromHours', x2: 'toHours', y: 'count', fill: '#2456c7', insetLeft: 1, tip: true }), Plot.ruleY([0])],
  };
}

import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import type { PlaybackWindow } from '../playback/playbackModel.ts';

/** Titles of the playback charts. */
export const trafficSplitTitle = 'Traffic split over time';
export const errorRatioTitle = "Candidate error rate ÷ control's, window by window";

/**
 * Plot spec of the candidate's share of live traffic over the windows played so far (a step
 * line from each window's start to its end), on the whole run's time axis.
 */
export function trafficSplitPlot(windows: readonly PlaybackWindow[], position: number): PlotOptions {
  const shown = windows.slice(0, position + 1);
  const end = windows.at(-1)?.endHours ?? 1;
  return {
    title: trafficSplitTitle,
    ariaLabel: trafficSplitTitle,
    width: 520,
    height: 220,
    marginLeft: 50,
    x: { label: 'Hours since the rollout began', domain: [0, end], grid: true },
    y: { label: 'Candidate share of traffic', domain: [0, 1], tickFormat: '.0%', grid: true },
    marks: [
      Plot.rectY(shown, { x1: 'startHours', x2: 'endHours', y: 'candidateShare', fill: '#2456c7', fillOpacity: 0.35 }),
      Plot.ruleX(shown.slice(-1), { x: 'endHours', stroke: '#d62728' }),
    ],
  };
}

/**
 * Plot spec of the candidate's observed error rate divided by control's in each window played so
 * far (a dot per window where both arms had traffic; red when the window's decision was a
 * rollback), with the policy's threshold as a dashed rule.
 */
export function errorRatioPlot(windows: readonly PlaybackWindow[], position: number, threshold: number): PlotOptions {
  const shown = windows.slice(0, position + 1).filter((w) => w.errorRatio !== null);
  const end = windows.at(-1)?.endHours ?? 1;
  return {
    title: errorRatioTitle,
    subtitle: `Dashed: the policy's threshold, ${threshold}×. Red: the window that triggered a rollback.`,
    ariaLabel: errorRatioTitle,
    width: 520,
    height: 240,
    marginLeft: 50,
    x: { label: 'Hours since the rollout began', domain: [0, end], grid: true },
    y: { label: 'Error-rate ratio (candidate ÷ control)', grid: true, zero: true },
    marks: [
      Plot.ruleY([threshold], { stroke: '#888', strokeDasharray: '4 3' }),
      Plot.dot(shown, { x: 'endHours', y: 'errorRatio', r: 2, fill: (w: PlaybackWindow) => (w.decision === 'rollback' ? '#d62728' : '#2456c7'), tip: true }),
    ],
  };
}

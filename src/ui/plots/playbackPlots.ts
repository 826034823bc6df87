import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import { formatPercent } from '../../engine/text/format.ts';
import type { PanelMetric, PlaybackWindow } from '../../sim/playbackReplicate.ts';

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
      Plot.dot(shown, {
        x: 'endHours',
        y: 'errorRatio',
        r: 2,
        fill: (w: PlaybackWindow) => (w.decision === 'rollback' ? '#d62728' : '#2456c7'),
        tip: true,
      }),
    ],
  };
}

/** Each panel metric in the user's words: the chart's title, its y label, and whether it is a rate (percent axis) or ms. */
export const metricPanels: Record<PanelMetric, { title: string; label: string; rate: boolean }> = {
  errorRate: { title: 'Error rate: candidate against its reference and limit', label: 'Error rate', rate: true },
  timeoutRate: { title: 'Timeout rate: candidate against its reference and limit', label: 'Timeout rate', rate: true },
  latencyP50: { title: 'p50 latency: candidate against its reference and limit', label: 'p50 latency (ms)', rate: false },
  latencyP95: { title: 'p95 latency: candidate against its reference and limit', label: 'p95 latency (ms)', rate: false },
};

/** One point of a metric panel: a window's end and a value. */
interface PanelPoint {
  hours: number;
  value: number;
  rollback: boolean;
}

/**
 * Plot spec of one health metric over the windows played so far: the candidate's value per
 * window (dots, red in the window that triggered a rollback), the reference it is judged
 * against (grey line: the historical baseline or control's value in the same window), and the
 * current stage's limit (dashed red step line: maxRatio × reference or an absolute maximum,
 * whichever is lower) where a rule watches the metric.
 */
export function metricPanelPlot(windows: readonly PlaybackWindow[], position: number, metric: PanelMetric): PlotOptions {
  const panel = metricPanels[metric];
  const shown = windows.slice(0, position + 1);
  const end = windows.at(-1)?.endHours ?? 1;
  const series = (pick: (w: PlaybackWindow) => number | null): PanelPoint[] =>
    shown.flatMap((w) => {
      const value = pick(w);
      return value === null ? [] : [{ hours: w.endHours, value, rollback: w.decision === 'rollback' }];
    });
  const candidate = series((w) => w.metrics[metric].candidate);
  const reference = series((w) => w.metrics[metric].reference);
  // The limit as a step line, broken where no rule watches the metric (undefined y breaks a Plot line).
  const limit = shown.map((w) => ({ hours: w.endHours, value: w.metrics[metric].limit ?? undefined }));
  const current = windows[position]?.metrics[metric];
  const format = (value: number | null | undefined) =>
    value === null || value === undefined ? '—' : panel.rate ? formatPercent(value, 2) : `${value.toFixed(0)} ms`;
  return {
    title: panel.title,
    subtitle: `Now: candidate ${format(current?.candidate)}, reference ${format(current?.reference)}, limit ${format(current?.limit)}. Blue dots: candidate; grey line: reference; dashed red: the stage's limit.`,
    ariaLabel: panel.title,
    width: 520,
    height: 240,
    marginLeft: 56,
    x: { label: 'Hours since the rollout began', domain: [0, end], grid: true },
    y: { label: panel.label, grid: true, zero: true, ...(panel.rate ? { tickFormat: '.1%' } : {}) },
    marks: [
      Plot.line(reference, { x: 'hours', y: 'value', stroke: '#888', strokeWidth: 1.5, ariaDescription: 'reference' }),
      Plot.line(limit, {
        x: 'hours',
        y: 'value',
        stroke: '#d62728',
        strokeDasharray: '5 3',
        curve: 'step-before',
        ariaDescription: 'threshold',
      }),
      Plot.dot(candidate, {
        x: 'hours',
        y: 'value',
        r: 2,
        fill: (p: PanelPoint) => (p.rollback ? '#d62728' : '#2456c7'),
        ariaDescription: 'candidate',
        tip: true,
      }),
    ],
  };
}

/** The shadow-agreement chart's title. */
export const shadowAgreementTitle = "Shadow: the candidate's agreement with control so far";

/** Plot spec of the shadow stage's running agreement rate (dots) against its gate (dashed rule), over the windows played so far. */
export function shadowAgreementPlot(windows: readonly PlaybackWindow[], position: number): PlotOptions {
  const shown = windows
    .slice(0, position + 1)
    .flatMap((w) =>
      w.shadow && w.shadow.agreement !== null ? [{ hours: w.endHours, agreement: w.shadow.agreement, gate: w.shadow.minAgreement }] : [],
    );
  const gate = windows.find((w) => w.shadow)?.shadow?.minAgreement;
  return {
    title: shadowAgreementTitle,
    subtitle: gate === undefined ? 'No shadow stage.' : `Dashed red: the gate — agreement must be above ${gate}.`,
    ariaLabel: shadowAgreementTitle,
    width: 520,
    height: 220,
    marginLeft: 56,
    x: { label: 'Hours since the rollout began', grid: true },
    y: {
      label: 'Agreement with control',
      domain: [Math.min(0.5, gate ?? 1, ...shown.map((p) => p.agreement)), 1],
      tickFormat: '.0%',
      grid: true,
    },
    marks: [
      ...(gate === undefined ? [] : [Plot.ruleY([gate], { stroke: '#d62728', strokeDasharray: '5 3', ariaDescription: 'threshold' })]),
      Plot.line(shown, { x: 'hours', y: 'agreement', stroke: '#2456c7', ariaDescription: 'agreement' }),
    ],
  };
}

/** The A/B charts' titles. */
export const abRatesTitle = 'A/B test: success rate of each arm so far';
export const abZTitle = 'A/B test: z of the candidate against control so far';

/** Plot spec of the A/B stage's running success rates of both arms, over the windows played so far. */
export function abRatesPlot(windows: readonly PlaybackWindow[], position: number): PlotOptions {
  const shown = windows
    .slice(0, position + 1)
    .flatMap((w) =>
      w.ab
        ? [
            ...(w.ab.controlRate === null ? [] : [{ hours: w.endHours, rate: w.ab.controlRate, arm: 'control' }]),
            ...(w.ab.candidateRate === null ? [] : [{ hours: w.endHours, rate: w.ab.candidateRate, arm: 'candidate' }]),
          ]
        : [],
    );
  return {
    title: abRatesTitle,
    subtitle: 'Successes ÷ outcomes since the A/B stage began.',
    ariaLabel: abRatesTitle,
    width: 520,
    height: 220,
    marginLeft: 56,
    x: { label: 'Hours since the rollout began', grid: true },
    y: { label: 'Success rate', tickFormat: '.1%', grid: true },
    color: { domain: ['control', 'candidate'], range: ['#888888', '#2456c7'], legend: true },
    marks: [Plot.line(shown, { x: 'hours', y: 'rate', stroke: 'arm', ariaDescription: 'success rate' })],
  };
}

/** Plot spec of the A/B stage's running pooled two-proportion z, with ±1.96 (two-sided 5%, uncorrected for looks) dashed for orientation. */
export function abZPlot(windows: readonly PlaybackWindow[], position: number): PlotOptions {
  const shown = windows.slice(0, position + 1).flatMap((w) => (w.ab && w.ab.z !== null ? [{ hours: w.endHours, z: w.ab.z }] : []));
  return {
    title: abZTitle,
    subtitle: "Dashed: ±1.96, a single look at two-sided 5% (the policy's design decides; see the decisions).",
    ariaLabel: abZTitle,
    width: 520,
    height: 220,
    marginLeft: 56,
    x: { label: 'Hours since the rollout began', grid: true },
    y: { label: 'z (candidate − control)', grid: true },
    marks: [
      Plot.ruleY([-1.96, 1.96], { stroke: '#d62728', strokeDasharray: '5 3', ariaDescription: 'threshold' }),
      Plot.ruleY([0], { stroke: '#bbb' }),
      Plot.line(shown, { x: 'hours', y: 'z', stroke: '#2456c7', ariaDescription: 'z' }),
    ],
  };
}

import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import type { HourlyArrivals } from '../../sim/replay/logSummary.ts';

/** The title (and accessible name) of the arrivals-by-hour chart. */
export const arrivalsByHourTitle = 'Arrivals by hour of day (UTC): requests per second';

/** One bar of the chart: an hour of the day the log covers, and its mean request rate. */
export interface ArrivalsBar {
  hour: number;
  requestsPerSecond: number;
  requests: number;
}

/** The bars drawn by `arrivalsByHourPlot`: the hours the log's span covers (others have no rate). */
export function arrivalsByHourBars(hours: readonly HourlyArrivals[]): ArrivalsBar[] {
  return hours
    .filter((h) => h.requestsPerSecond !== null)
    .map((h) => ({ hour: h.hour, requestsPerSecond: h.requestsPerSecond as number, requests: h.requests }));
}

/**
 * Plot spec of the log's daily pattern (`summarizeLog(...).arrivalsByHour`): one bar per UTC hour
 * of the day at the log's mean request rate in that hour (requests / seconds of that hour covered
 * by the log), all 24 hours on the axis so that gaps show.
 */
export function arrivalsByHourPlot(hours: readonly HourlyArrivals[]): PlotOptions {
  const bars = arrivalsByHourBars(hours);
  return {
    title: arrivalsByHourTitle,
    ariaLabel: arrivalsByHourTitle,
    width: 640,
    height: 260,
    marginLeft: 55,
    x: {
      label: 'Hour of day (UTC)',
      domain: Array.from({ length: 24 }, (_, hour) => hour),
      tickFormat: (hour: number) => String(hour).padStart(2, '0'),
    },
    y: { label: 'Requests per second', grid: true, zero: true },
    marks: [Plot.barY(bars, { x: 'hour', y: 'requestsPerSecond', fill: '#2456c7', tip: true }), Plot.ruleY([0])],
  };
}

import { describe, expect, it } from 'vitest';
import type { HourlyArrivals } from '../../../src/sim/replay/logSummary.ts';
import { arrivalsByHourBars, arrivalsByHourPlot, arrivalsByHourTitle } from '../../../src/ui/plots/arrivalsByHourPlot.ts';

// Three hours of a day: 3 600 requests at 09h (1 per second), 7 200 at 10h, and a half-covered 11h.
const hours: HourlyArrivals[] = Array.from({ length: 24 }, (_, hour) => ({
  hour,
  requests: hour === 9 ? 3600 : hour === 10 ? 7200 : hour === 11 ? 900 : 0,
  coveredSeconds: hour === 9 || hour === 10 ? 3600 : hour === 11 ? 1800 : 0,
  requestsPerSecond: hour === 9 ? 1 : hour === 10 ? 2 : hour === 11 ? 0.5 : null,
}));

describe('arrivalsByHourPlot', () => {
  it('draws one bar per covered hour at its rate, with all 24 hours on the axis', () => {
    expect(arrivalsByHourBars(hours)).toEqual([
      { hour: 9, requestsPerSecond: 1, requests: 3600 },
      { hour: 10, requestsPerSecond: 2, requests: 7200 },
      { hour: 11, requestsPerSecond: 0.5, requests: 900 },
    ]);
    const spec = arrivalsByHourPlot(hours);
    expect(spec.title).toBe(arrivalsByHourTitle);
    expect(spec.ariaLabel).toBe(arrivalsByHourTitle);
    expect((spec.x as { domain: number[] }).domain).toHaveLength(24);
    expect((spec.x as { tickFormat: (h: number) => string }).tickFormat(7)).toBe('07');
    const bar = spec.marks?.[0] as unknown as {
      constructor: { name: string };
      data: unknown;
      channels: Record<string, { value: unknown }>;
    };
    expect(bar.constructor.name).toBe('BarY');
    // barY stacks its y channel (y1, y2), so the channels hold arrays; the bars are the data.
    expect(Object.keys(bar.channels).sort()).toEqual(['x', 'y1', 'y2']);
    expect((bar.data as unknown[]).length).toBe(3);
  });

  it('draws no bar for a log without rows', () => {
    const empty = hours.map((h) => ({ ...h, requests: 0, coveredSeconds: 0, requestsPerSecond: null }));
    expect(arrivalsByHourBars(empty)).toEqual([]);
    expect(() => arrivalsByHourPlot(empty)).not.toThrow();
  });
});

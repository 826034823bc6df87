import { describe, expect, it } from 'vitest';
import { paretoFrontPlot, paretoFrontTitle } from '../../src/ui/plots/paretoFrontPlot.ts';

/** A mark's class name, data and the fields its channels read. */
function describeMark(mark: unknown) {
  const object = mark as { constructor: { name: string }; channels: Record<string, { value: unknown }>; data: unknown };
  return {
    type: object.constructor.name,
    data: object.data,
    channels: Object.fromEntries(
      Object.entries(object.channels).map(([name, channel]) => [name, typeof channel.value === 'string' ? channel.value : 'constant']),
    ),
  };
}

describe('paretoFrontPlot', () => {
  const points = [
    { id: 0, label: 'error ≤ 2×', falseRollbackRate: 0.4, missedDetectionRate: 0, pareto: true, recommended: false },
    { id: 1, label: 'error ≤ 3×', falseRollbackRate: 0.02, missedDetectionRate: 0.05, pareto: true, recommended: true },
    { id: 2, label: 'error ≤ 4×', falseRollbackRate: 0.03, missedDetectionRate: 0.3, pareto: false, recommended: false },
    { id: 3, label: 'error ≤ 6×', falseRollbackRate: 0, missedDetectionRate: 0.6, pareto: true, recommended: false },
  ];
  const targets = { maxFalseRollbackRate: 0.05, minDetectionRate: 0.9, withinMinutes: 30 };
  const spec = paretoFrontPlot(points, targets);

  it('plots false rollbacks against regressions not caught in time, with the targets as rules', () => {
    expect(spec.title).toBe(paretoFrontTitle);
    expect(spec.x).toMatchObject({ label: 'False-rollback rate (healthy candidate rolled back)', tickFormat: '.0%' });
    expect(spec.y).toMatchObject({ label: 'Regressions not caught within 30 min', tickFormat: '.0%' });
    // Domains: the largest value shown (0.4 and 0.6) plus 5%.
    expect((spec.x as { domain: number[] }).domain[1]).toBeCloseTo(0.42, 12);
    expect((spec.y as { domain: number[] }).domain[1]).toBeCloseTo(0.63, 12);
    const marks = spec.marks!.map(describeMark);
    expect(marks.map((mark) => mark.type)).toEqual(['RuleX', 'RuleY', 'Dot', 'Line', 'Dot', 'Dot']);
    expect(marks[0].data).toEqual([0.05]);
    expect((marks[1].data as number[])[0]).toBeCloseTo(0.1, 12);
  });

  it('draws the others grey, joins the front by false-rollback rate and rings the recommendation', () => {
    const marks = spec.marks!.map(describeMark);
    expect((marks[2].data as typeof points).map((point) => point.id)).toEqual([2]);
    expect((marks[3].data as typeof points).map((point) => point.id)).toEqual([3, 1, 0]);
    expect(marks[3].channels).toMatchObject({ x: 'falseRollbackRate', y: 'missedDetectionRate' });
    expect((marks[5].data as typeof points).map((point) => point.id)).toEqual([1]);
  });

  it('keeps the targets in view when every candidate is near the origin', () => {
    const near = paretoFrontPlot([{ ...points[1], falseRollbackRate: 0.001, missedDetectionRate: 0.001 }], targets);
    expect((near.x as { domain: number[] }).domain[1]).toBeCloseTo(0.105, 12);
    expect((near.y as { domain: number[] }).domain[1]).toBeCloseTo(0.21, 12);
  });
});

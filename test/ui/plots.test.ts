import type { Markish } from '@observablehq/plot';
import { describe, expect, it } from 'vitest';
import { analyzeSegments } from '../../src/engine/analysis/segments.ts';
import { peekingCost } from '../../src/engine/stats/peekingCost.ts';
import { detectionTimeBins, detectionTimePlot, detectionTimeTitle } from '../../src/ui/plots/detectionTimePlot.ts';
import { operatingCharacteristicPlot, operatingCharacteristicTitle } from '../../src/ui/plots/operatingCharacteristicPlot.ts';
import { peekingCostPlot, peekingCostTitle } from '../../src/ui/plots/peekingCostPlot.ts';
import { powerCurvePlot } from '../../src/ui/plots/powerCurvePlot.ts';
import { aggregateSliceName, segmentRateRows, segmentRatesPlot } from '../../src/ui/plots/segmentRatesPlot.ts';
import { parseSegmentsCsv } from '../../src/ui/segments/segmentsCsv.ts';
import { kidneyStonesData } from '../../src/ui/segments/segmentsState.ts';
import { powerAgainstEffect, type SizerInputs, sizeABTest } from '../../src/ui/sizer/sizerModel.ts';

/** A mark's class name and the fields its channels read (`{ x: 'looks', … }`). */
function describeMark(mark: Markish | undefined) {
  const object = mark as unknown as {
    constructor: { name: string };
    channels: Record<string, { value: unknown }>;
    data: unknown;
    fy?: unknown;
  };
  return {
    type: object.constructor.name,
    facetY: object.fy,
    channels: Object.fromEntries(
      Object.entries(object.channels).map(([name, channel]) => [name, typeof channel.value === 'string' ? channel.value : 'constant']),
    ),
    data: object.data,
  };
}

const inputs: SizerInputs = {
  baseline: 0.1,
  effect: 0.02,
  effectKind: 'absolute',
  alpha: 0.05,
  power: 0.8,
  sides: 2,
  split: 0.5,
  trafficPerDay: 2000,
};

describe('powerCurvePlot', () => {
  const points = powerAgainstEffect(inputs, sizeABTest(inputs));
  const spec = powerCurvePlot(points, {
    title: 'Power against the true effect',
    xLabel: 'True effect (rate points)',
    xTickFormat: '+.1%',
    targetPower: 0.8,
    planned: 0.02,
  });

  it('is titled and labelled in the user’s words', () => {
    expect(spec.title).toBe('Power against the true effect');
    expect(spec.ariaLabel).toBe('Power against the true effect');
    expect(spec.x).toMatchObject({ label: 'True effect (rate points)', tickFormat: '+.1%' });
    expect(spec.y).toMatchObject({ label: 'Power (chance of detecting it)', domain: [0, 1], tickFormat: '.0%' });
    expect(spec.color).toMatchObject({ legend: true });
  });

  it('draws the target power, the planned effect and one line per method', () => {
    const marks = spec.marks!.map(describeMark);
    expect(marks.map((mark) => mark.type)).toEqual(['RuleY', 'RuleX', 'Line']);
    expect(marks[0].data).toEqual([0.8]);
    expect(marks[1].data).toEqual([0.02]);
    expect(marks[2].channels).toMatchObject({ x: 'x', y: 'power', stroke: 'method' });
    expect(new Set((marks[2].data as typeof points).map((point) => point.method))).toEqual(
      new Set(['Pooled variance (R power.prop.test)', "Arcsine, Cohen's h (statsmodels NormalIndPower)"]),
    );
  });
});

describe('peekingCostPlot', () => {
  const exact = peekingCost(0.05, 4, 'pocock');
  const simulated = [{ looks: 4, design: exact[0].design, falsePositiveRate: 0.12, source: 'simulated' as const, lower: 0.1, upper: 0.14 }];

  it('says what is plotted, and which values are exact and which simulated', () => {
    const spec = peekingCostPlot(exact, 0.05);
    expect(spec.title).toBe(peekingCostTitle);
    expect(spec.subtitle).toBe('Lines and dots: exact values (numerical integration, no simulation). Dashed: α.');
    expect(peekingCostPlot([...exact, ...simulated], 0.05).subtitle).toMatch(
      /Hollow circles with bars: seeded Monte-Carlo simulation in Web Workers, 95% intervals\./,
    );
    expect(spec.x).toMatchObject({ label: 'Number of looks at the data' });
    expect(spec.y).toMatchObject({ label: 'False-positive rate', tickFormat: '.0%' });
  });

  it('draws α, a line with dots per design for exact values, and hollow circles with intervals for simulated ones', () => {
    const marks = peekingCostPlot([...exact, ...simulated], 0.05).marks!.map(describeMark);
    expect(marks.map((mark) => mark.type)).toEqual(['RuleY', 'Line', 'Dot', 'RuleX', 'Dot']);
    expect(marks[0].data).toEqual([0.05]);
    expect(marks[1].channels).toMatchObject({ x: 'looks', y: 'falsePositiveRate', stroke: 'design' });
    expect(marks[1].data).toHaveLength(8);
    expect(marks[2].channels).toMatchObject({ x: 'looks', y: 'falsePositiveRate', fill: 'design' });
    expect(marks[3]).toMatchObject({ data: simulated, channels: { x: 'looks', y1: 'lower', y2: 'upper', stroke: 'design' } });
    expect(marks[4]).toMatchObject({ data: simulated, channels: { x: 'looks', y: 'falsePositiveRate', stroke: 'design' } });
  });
});

describe('segmentRatesPlot', () => {
  const analysis = analyzeSegments({ ...parseSegmentsCsv(kidneyStonesData) });
  const spec = segmentRatesPlot(analysis);

  it('shows every segment then the aggregate, per variant, with intervals', () => {
    const rows = segmentRateRows(analysis);
    expect(rows.map((row) => `${row.slice}/${row.variant}`)).toEqual([
      'small/A',
      'small/B',
      'large/A',
      'large/B',
      `${aggregateSliceName}/A`,
      `${aggregateSliceName}/B`,
    ]);
    // Kidney stones: A succeeds in 81/87 small stones, B overall in 289/350.
    expect(rows[0].rate).toBeCloseTo(81 / 87, 15);
    expect(rows[5].rate).toBeCloseTo(289 / 350, 15);
    expect(rows.every((row) => row.lower < row.rate && row.rate < row.upper)).toBe(true);
  });

  it('is titled and labelled, one panel per slice', () => {
    expect(spec.title).toBe('Success rate by segment and overall, with 95% Wilson intervals');
    expect(spec.x).toMatchObject({ label: 'Success rate', tickFormat: '.0%' });
    expect(spec.fy).toMatchObject({ domain: ['small', 'large', aggregateSliceName] });
    const marks = spec.marks!.map(describeMark);
    expect(marks.map((mark) => mark.type)).toEqual(['Frame', 'RuleY', 'Dot']);
    expect(marks[1]).toMatchObject({ facetY: 'slice', channels: { y: 'variant', x1: 'lower', x2: 'upper', stroke: 'variant' } });
    expect(marks[2]).toMatchObject({ facetY: 'slice', channels: { y: 'variant', x: 'rate', fill: 'variant' } });
  });
});

describe('operatingCharacteristicPlot', () => {
  const points = [
    { errorRatio: 4, falseRollbackRate: 0.01, missedRegressionRate: 0.3, current: false },
    { errorRatio: 1.5, falseRollbackRate: 0.4, missedRegressionRate: 0, current: false },
    { errorRatio: 2, falseRollbackRate: 0.1, missedRegressionRate: 0.05, current: true },
  ];
  const spec = operatingCharacteristicPlot(points);

  it('plots false rollbacks against missed regressions, both 0–100%', () => {
    expect(spec.title).toBe(operatingCharacteristicTitle);
    expect(spec.x).toMatchObject({ label: 'False-rollback rate (healthy candidate rolled back)', domain: [0, 1], tickFormat: '.0%' });
    expect(spec.y).toMatchObject({ label: 'Missed-regression rate (bad candidate promoted)', domain: [0, 1], tickFormat: '.0%' });
  });

  it('joins the settings in threshold order, labels them and rings the current one', () => {
    const marks = spec.marks!.map(describeMark);
    expect(marks.map((mark) => mark.type)).toEqual(['Line', 'Dot', 'Text', 'Dot']);
    expect((marks[0].data as typeof points).map((point) => point.errorRatio)).toEqual([1.5, 2, 4]);
    expect(marks[0].channels).toMatchObject({ x: 'falseRollbackRate', y: 'missedRegressionRate' });
    const text = (spec.marks![2] as unknown as { channels: { text: { value: (point: (typeof points)[0]) => string } } }).channels.text
      .value;
    expect(text(points[1])).toBe('1.5×');
    expect(marks[3].data).toEqual([points[2]]);
  });
});

describe('detectionTimePlot', () => {
  it('bins detection times in whole hours', () => {
    // 30 min, 1.5 h ×2, 5 h ×3 (seconds → count), 24 bins over 5 h → 1-hour bins.
    const bins = detectionTimeBins({ 1800: 1, 5400: 2, 18000: 3 });
    expect(bins).toEqual([
      { fromHours: 0, toHours: 1, count: 1 },
      { fromHours: 1, toHours: 2, count: 2 },
      { fromHours: 2, toHours: 3, count: 0 },
      { fromHours: 3, toHours: 4, count: 0 },
      { fromHours: 4, toHours: 5, count: 0 },
      { fromHours: 5, toHours: 6, count: 3 },
    ]);
    // 48 h over 24 bins → 2-hour bins.
    expect(detectionTimeBins({ 172800: 4 }).at(-1)).toEqual({ fromHours: 48, toHours: 50, count: 4 });
    expect(detectionTimeBins({})).toEqual([]);
  });

  it('draws a bar per bin, titled and labelled', () => {
    const spec = detectionTimePlot(detectionTimeBins({ 1800: 1 }));
    expect(spec.title).toBe(detectionTimeTitle);
    expect(spec.x).toMatchObject({ label: 'Hours from the regression to the rollback' });
    expect(spec.y).toMatchObject({ label: 'Rollouts' });
    const marks = spec.marks!.map(describeMark);
    expect(marks.map((mark) => mark.type)).toEqual(['Rect', 'RuleY']);
    // rectY stacks the count on zero: y becomes y1 (0) and y2 (the count).
    expect(marks[0].channels).toMatchObject({ x1: 'fromHours', x2: 'toHours', y1: 'constant', y2: 'constant' });
  });
});

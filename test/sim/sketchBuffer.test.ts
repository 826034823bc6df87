import { describe, expect, it } from 'vitest';
import { streamFor } from '../../src/engine/random/streams.ts';
import { LatencySketch } from '../../src/engine/stats/latencySketch.ts';
import { SketchBuffer } from '../../src/sim/sketchBuffer.ts';
import { zigguratNormal } from '../../src/sim/zigguratNormal.ts';

/** The sketch's observable state: everything its quantiles depend on. */
function state(sketch: LatencySketch) {
  const json = sketch.toJSON();
  return { count: json.count, zeroCount: json.zeroCount, min: json.min, max: json.max, offset: json.offset, counts: json.counts };
}

const quantiles = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1];

describe('SketchBuffer', () => {
  it('addLog gives the sketch of adding scale·exp(y) one by one (same buckets, counts, min, max, quantiles)', () => {
    const random = streamFor('sketch-buffer', 0);
    const normal = zigguratNormal(random);
    const buffer = new SketchBuffer();
    for (const [scale, n, mu, sigma] of [
      [1, 20000, Math.log(120), 0.73],
      [1.7, 5000, Math.log(40), 1.5],
      [0.3, 3, 2, 0.1],
      [1, 1, 0, 1],
    ] as const) {
      buffer.reset(scale);
      const reference = new LatencySketch();
      for (let i = 0; i < n; i++) {
        const y = mu + sigma * normal();
        buffer.addLog(y);
        reference.add(scale * Math.exp(y));
      }
      const sketch = buffer.flush();
      expect(state(sketch)).toEqual(state(reference));
      for (const q of quantiles) expect(sketch.quantile(q)).toBe(reference.quantile(q));
      // The sum is approximate: each value is counted within its bucket (α = 1%).
      expect(Math.abs(sketch.sum / reference.sum - 1)).toBeLessThan(0.01);
    }
  });

  it('add (other laws) does the same, with zeros and values beyond the table going to the sketch directly', () => {
    const random = streamFor('sketch-buffer', 1);
    const buffer = new SketchBuffer();
    buffer.reset(1);
    const reference = new LatencySketch();
    const values = [0, 0, 1e-30, 1e30, 5, 5, 5];
    for (let i = 0; i < 10000; i++) values.push(-80 * Math.log1p(-random()));
    for (const value of values) {
      buffer.add(value);
      reference.add(value);
    }
    const sketch = buffer.flush();
    expect(state(sketch)).toEqual(state(reference));
    for (const q of quantiles) expect(sketch.quantile(q)).toBe(reference.quantile(q));
  });

  it('buckets values next to a bucket edge exactly as the sketch does', () => {
    // y·m exactly on and next to integers, where ln(exp(y)) may fall on the other side.
    const buffer = new SketchBuffer();
    const m = 1 / Math.log(1.01 / 0.99);
    for (const scale of [1, 3]) {
      buffer.reset(scale);
      const reference = new LatencySketch();
      for (let i = -300; i <= 600; i++) {
        for (const nudge of [-1e-12, 0, 1e-12, 1e-10]) {
          const y = (i + nudge) / m - Math.log(scale);
          buffer.addLog(y);
          reference.add(scale * Math.exp(y));
        }
      }
      expect(state(buffer.flush())).toEqual(state(reference));
    }
  });

  it('one bucket holding everything keeps min and max apart; reset clears the counts', () => {
    const buffer = new SketchBuffer();
    buffer.reset(1);
    buffer.add(100);
    buffer.add(100.5);
    buffer.add(100.2);
    const sketch = buffer.flush();
    expect([sketch.count, sketch.min, sketch.max]).toEqual([3, 100, 100.5]);
    buffer.reset(1);
    buffer.add(7);
    expect(state(buffer.flush())).toEqual(state(new LatencySketch().add(7)));
    buffer.reset(1);
    expect(buffer.flush().count).toBe(0);
  });
});

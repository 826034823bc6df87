/**
 * The exact curve in steps (src/sim/exact/exactOperatingCurve.ts `exactOperatingCurveSteps`), on
 * the issue's hand case (exactOperatingCurve.test.ts: at the 0.2% limit the healthy candidate is
 * rolled back with probability 0.960558369954671, scripts/reference/exact_chain.py, scipy 1.10.1).
 *
 * What chunking may change, and what not: one block IS `exactOperatingCurve`, to the bit. Smaller
 * blocks run the settings' vector chains in smaller groups, and a column of a vector run agrees
 * with the same column beside other columns up to the order in which merged states are summed
 * (vectorChain.ts; its tests compare within 1e-12), so their numbers may differ from one block's
 * in the last bits — checked here within 1e-12 relative — while for a given block size they are
 * a pure function of the request: bit-identical on fresh scenario objects and on objects whose
 * memos are warm (the lab's kept worker evaluates in fixed blocks for that reason).
 */
import { describe, expect, it } from 'vitest';
import type { ExactCurveRequest, ExactCurveResult } from '../../../src/sim/exact/exactOperatingCurve.ts';
import { exactOperatingCurve, exactOperatingCurveSteps } from '../../../src/sim/exact/exactOperatingCurve.ts';
import { alwaysValidDefaultPolicy } from '../../helpers/alwaysValidDefaultPolicy.ts';
import { curveHandPolicy as handPolicy, curveHandScenario as handScenario } from '../../helpers/exactChainCases.ts';

const limits = [0.002, 0.0015, 0.003, 0.0025, 0.0012];
/** The hand case's curve over `limits` on fresh scenario objects (every per-scenario memo cold). */
const freshRequest = (): ExactCurveRequest => ({
  healthy: handScenario(0.001),
  regressed: handScenario(0.003),
  settings: limits.map((value) => ({ value, policy: handPolicy(value) })),
});

/** Runs the steps to the end: the result, the values yielded and the progress reported. */
function drain(request: ExactCurveRequest, settingsPerStep: number) {
  const yielded: number[] = [];
  const progress: string[] = [];
  const steps = exactOperatingCurveSteps(request, settingsPerStep, (done, total) => progress.push(`${done}/${total}`));
  for (;;) {
    const step = steps.next();
    if (step.done) return { result: step.value, yielded, progress };
    yielded.push(step.value);
  }
}

/** The largest difference between two answers' numbers, relative above 1; Infinity when anything else differs. */
function largestDifference(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
  if (a instanceof Map && b instanceof Map) return largestDifference(Object.fromEntries(a), Object.fromEntries(b));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b) ? 0 : Number.POSITIVE_INFINITY;
  let largest = 0;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
    largest = Math.max(largest, largestDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  return largest;
}

describe('exactOperatingCurveSteps', () => {
  const whole: ExactCurveResult = exactOperatingCurve(freshRequest());

  it('in one block is exactOperatingCurve to the bit, with one pause (between the two worlds)', () => {
    const { result, yielded, progress } = drain(freshRequest(), limits.length);
    expect(result).toStrictEqual(whole);
    expect(yielded).toEqual([0]);
    expect(progress).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
    if (!whole.supported) throw new Error('the hand case is refused');
    expect(whole.points[0].healthy.falseRollbackRate.rate).toBeCloseTo(0.960558369954671, 9);
  });

  it('in blocks pauses after each world of each block, reports each block’s settings, and answers within 1e-12 of one block', () => {
    const { result, yielded, progress } = drain(freshRequest(), 2);
    // Blocks [0, 2), [2, 4), [4, 5): a pause after each healthy run, and after each regressed run but the last.
    expect(yielded).toEqual([0, 2, 2, 4, 4]);
    expect(progress).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
    if (!result.supported || !whole.supported) throw new Error('the hand case is refused');
    expect(result.points.map((point) => point.value)).toEqual(limits);
    expect(result.approximations).toEqual(whole.approximations);
    expect(largestDifference(result, whole)).toBeLessThanOrEqual(1e-12);
    expect(result.points[0].healthy.falseRollbackRate.rate).toBeCloseTo(0.960558369954671, 9);
  });

  it('for a given block size, is a pure function of the request: the same bits cold and on scenario objects whose memos are warm', () => {
    const cold = drain(freshRequest(), 2).result;
    const warm = freshRequest();
    drain({ ...warm, settings: warm.settings.slice(3) }, 1); // warms the objects' memos with other settings, in other blocks
    drain(warm, limits.length);
    expect(drain(warm, 2).result).toStrictEqual(cold);
    expect(drain(freshRequest(), 1).result).toStrictEqual(drain(warm, 1).result);
  });

  it('refuses as one block does: the first refused setting’s features, and an invalid policy anywhere before any refusal', () => {
    const request = freshRequest();
    const refusedLater: ExactCurveRequest = {
      ...request,
      settings: [request.settings[0], { value: 2, policy: alwaysValidDefaultPolicy() }, request.settings[2]],
    };
    const refusal = exactOperatingCurve(refusedLater);
    expect(refusal.supported).toBe(false);
    if (refusal.supported) return;
    expect(refusal.features.some((feature) => feature.startsWith('always-valid A/B design'))).toBe(true);
    expect(drain(refusedLater, 1).result).toStrictEqual(refusal);
    // The last block's policy is invalid: a RangeError though the first block's setting is refused.
    const invalid = handPolicy(0.002);
    (invalid.guards as { failureLimit: number }).failureLimit = 0;
    const invalidLast: ExactCurveRequest = {
      ...request,
      settings: [{ value: 2, policy: alwaysValidDefaultPolicy() }, request.settings[1], { value: 0.002, policy: invalid }],
    };
    const wholeError = (() => {
      try {
        exactOperatingCurve(invalidLast);
      } catch (error) {
        return error;
      }
    })();
    expect(wholeError).toBeInstanceOf(RangeError);
    expect(() => drain(invalidLast, 1)).toThrow(wholeError as RangeError);
  });

  it('rejects a block size that is not a whole number ≥ 1', () => {
    expect(() => drain(freshRequest(), 0)).toThrow(new RangeError('settingsPerStep must be a whole number ≥ 1, got 0'));
    expect(() => drain(freshRequest(), 1.5)).toThrow(new RangeError('settingsPerStep must be a whole number ≥ 1, got 1.5'));
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_ERROR_RULE, parseErrorRule } from '../../../src/sim/replay/errorRule.ts';

function classify(rule: string, statuses: string[]): (boolean | undefined)[] {
  const compiled = parseErrorRule(rule);
  return statuses.map((status) => compiled.isError(status));
}

describe('DEFAULT_ERROR_RULE', () => {
  it('reads 5xx as errors and 1xx–4xx as successes', () => {
    expect(['200', '404', '499', '500', '503', '599', ' 502 '].map(DEFAULT_ERROR_RULE.isError)).toEqual([
      false,
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
  });
  it('recognises odd status words regardless of case, spaces and separators', () => {
    expect(['OK', 'ok ', 'Success', 'error', 'TIMEOUT', 'Failed', '5xx', 'Timed_Out', 'timed-out'].map(DEFAULT_ERROR_RULE.isError)).toEqual(
      [false, false, false, true, true, true, true, true, true],
    );
  });
  it('does not guess: other numbers, words and booleans are unrecognised', () => {
    expect(['0', '14', '700', '200.5', 'maybe', 'true', 'false', ''].map(DEFAULT_ERROR_RULE.isError)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('parseErrorRule', () => {
  it('compares numbers, and is false for words under numeric comparisons', () => {
    expect(classify('status>=500', ['499', '500', '503.0', 'error'])).toEqual([false, true, true, false]);
    expect(classify('status < 200', ['199', '200'])).toEqual([true, false]);
    expect(classify('status<=200', ['200', '201'])).toEqual([true, false]);
    expect(classify('status > 399', ['400', '399'])).toEqual([true, false]);
    expect(parseErrorRule('status>=500').numericOnly).toBe(true);
  });
  it('reads != as the negation of ==, for numbers and words', () => {
    expect(classify('status!=200', ['200', ' 200', '201', 'OK'])).toEqual([false, false, true, true]);
    expect(classify('status <> ok', ['OK', 'ok ', 'error'])).toEqual([false, false, true]);
  });
  it('matches word lists case-insensitively', () => {
    expect(classify('status in (error,timeout,failed)', ['ERROR', 'Timeout', 'failed', 'ok', '500'])).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(classify('status not in (ok, 200)', ['OK', '200', 'weird'])).toEqual([false, false, true]);
    expect(parseErrorRule('status in (error)').numericOnly).toBe(false);
  });
  it('reads status classes like 5xx', () => {
    expect(classify('status == 5xx', ['500', '599', '600', '5XX', '499'])).toEqual([true, true, false, true, false]);
    expect(classify('status in (4xx, timeout)', ['404', 'TIMEOUT', '200'])).toEqual([true, true, false]);
  });
  it('combines with and, or, not and parentheses (and binds tighter than or)', () => {
    expect(classify('status>=500 and status!=503 or status==timeout', ['500', '503', 'timeout', '200'])).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(classify('status>=500 && (status!=503 || status==timeout)', ['500', '503'])).toEqual([true, false]);
    expect(classify('not (status < 400)', ['404', '200'])).toEqual([true, false]);
    expect(classify('!status==200', ['200', '500'])).toEqual([false, true]);
    expect(classify('STATUS = "Timed Out" OR status = \'5xx\'', ['timed_out', '5xx', '503'])).toEqual([true, true, false]);
  });
  it('rejects bad syntax with the position and the reason, and never evaluates code', () => {
    expect(() => parseErrorRule('')).toThrow('error rule must not be empty');
    expect(() => parseErrorRule('latency > 5')).toThrow("error rule: expected 'status' at position 1 in 'latency > 5'");
    expect(() => parseErrorRule('status >= error')).toThrow("'>=' needs a number, got 'error'");
    expect(() => parseErrorRule('status in (error')).toThrow("expected ')' at the end");
    expect(() => parseErrorRule('status == 500 500')).toThrow("unexpected '500' at position 15");
    expect(() => parseErrorRule('status == "oops')).toThrow('unclosed quote');
    expect(() => parseErrorRule('status == process.exit(1)')).toThrow(RangeError);
    expect(() => parseErrorRule('status; 1')).toThrow("unexpected character ';'");
  });
});

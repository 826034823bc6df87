/**
 * The policy lab's exact answer as plain functions (src/ui/lab/labExact.ts, labAgreement.ts,
 * labExactPanel.ts's helpers) and its plots. Reference numbers are worked by hand beside each
 * assertion (the binomial standard error √(p(1 − p)/n)).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExactCurveResult } from '../../src/sim/exact/exactOperatingCurve.ts';
import { exactRate } from '../../src/sim/exact/exactTally.ts';
import type { RateEstimate, SimulationSummary } from '../../src/sim/summary.ts';
import { labAgreement, rateAgreement } from '../../src/ui/lab/labAgreement.ts';
import {
  curveThresholdsWithin,
  exactThresholds,
  type LabExactAnswer,
  labBoundedUpTo,
  labExactAnswer,
  labExactRequest,
  runLabExact,
} from '../../src/ui/lab/labExact.ts';
import { formatBoundPoints, formatRate, labVerdict, type OperatingPoint } from '../../src/ui/lab/labModel.ts';
import type { LabSettings } from '../../src/ui/lab/labSettings.ts';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { exactDetectionTimeBins, exactDetectionTimePlot } from '../../src/ui/plots/exactDetectionTimePlot.ts';
import { exactOperatingCurvePlot, exactOperatingCurveTitle } from '../../src/ui/plots/exactOperatingCurvePlot.ts';
import { initialState } from '../../src/ui/state/viewState.ts';
import { labExactCurve } from '../../workers/labExactEndpoint.ts';

const defaults: LabSettings = readLabSettings(initialState(labSchema));

const rate = (value: number, total: number): RateEstimate => ({
  rate: value,
  lower: value - 0.01,
  upper: value + 0.01,
  count: value * total,
  total,
});

function point(errorRatio: number, falseRollback: RateEstimate, missed: RateEstimate): OperatingPoint {
  const summary = (fields: Partial<SimulationSummary>) => fields as SimulationSummary;
  return {
    errorRatio,
    current: true,
    healthy: summary({ falseRollbackRate: falseRollback }),
    regressed: summary({ missedRegressionRate: missed }),
  };
}

describe('exactThresholds', () => {
  it('spreads 50 thresholds from 1.1× to 10× on a log scale, plus the current one', () => {
    const thresholds = exactThresholds(2.345);
    expect(thresholds.length).toBe(51);
    expect(thresholds[0]).toBe(1.1);
    expect(thresholds.at(-1)).toBe(10);
    // 1.1 × (10/1.1)^(1/49) = 1.1520…, rounded to 3 significant digits.
    expect(thresholds[1]).toBe(1.15);
    expect(thresholds).toContain(2.345);
    expect([...thresholds].sort((a, b) => a - b)).toEqual(thresholds);
  });

  it('does not repeat a current threshold that is on the ladder', () => {
    expect(exactThresholds(10).length).toBe(50);
  });
});

describe('labExactRequest and labExactAnswer', () => {
  it('asks for the current threshold first, then the rest of the curve, each with the lab policy at that threshold', () => {
    const request = labExactRequest(defaults, [1.5, 2, 3]);
    expect(request.settings.map((setting) => setting.value)).toEqual([2, 1.5, 3]);
    const ratios = request.settings.map((setting) => {
      const canary = setting.policy.stages.find((stage) => stage.kind === 'canary');
      const rule =
        canary && 'rules' in canary ? canary.rules.find((entry) => entry.type === 'ratio' && entry.metric === 'errorRate') : undefined;
      return rule && 'maxRatio' in rule ? rule.maxRatio : undefined;
    });
    expect(ratios).toEqual([2, 1.5, 3]);
    expect(request.healthy.name).toBe('healthy candidate');
    expect(request.regressed.name).toBe('regressed candidate');
  });

  it('marks the first point current and sorts the curve', () => {
    const summary = {} as never;
    const result: ExactCurveResult = {
      supported: true,
      points: [2, 1.5, 3].map((value) => ({ value, healthy: summary, regressed: summary })),
    };
    const answer = labExactAnswer(result);
    expect(
      answer.supported && [answer.current.errorRatio, answer.curve.map((entry) => `${entry.errorRatio}${entry.current ? '*' : ''}`)],
    ).toEqual([2, ['1.5', '2*', '3']]);
  });
});

describe('runLabExact', () => {
  it('on the first-visit settings answers with bounded rates, the neglected mass and the refusal that made them bounded', async () => {
    const partials: LabExactAnswer[] = [];
    const answer = await runLabExact(
      defaults,
      async (request) => labExactCurve(request),
      (partial) => partials.push(partial),
      { signal: new AbortController().signal },
      // A curve budget no setting fits: the current setting alone (the curve is the browser test's).
      { currentMs: 600_000, currentLimitMs: 600_000, curveMs: 0, now: () => performance.now() },
    );
    if (!answer.supported) throw new Error(`refused: ${answer.features.join('; ')}`);
    expect(labExactRequest(defaults).boundedUpTo).toBe(labBoundedUpTo);
    // The evaluator refuses at its 1e-6 tolerance: the shadow stage is exact (shadowGateLaw.ts), the
    // A/B stage too (abTestLaw.ts, by the normal law of its z statistic), the historical latency
    // references too (the pooled p50 and p95 of the day's 1.73M requests: one sketch bucket each
    // but for ~2e-12, baselineLaw.ts); what is left is the historical error rate's discretisation,
    // refined to the 256-node cap and still 2 × 1.76e-6 — 3.53e-6 in all. The answer is bounded,
    // and says why.
    expect(answer.boundedBecause?.map((feature) => feature.split(' (')[0])).toEqual([
      'numerical tolerance: historical baseline discretisation',
    ]);
    expect(answer.boundedBecause?.[0]).toMatch(
      /the answers at 256, 128 and 64 nodes of the baseline's law differ by up to 1\.76e-6; × 2 is above 0\.000001; refined from 16 nodes up to the cap, maxBaselineNodes 256/,
    );
    // The healthy world's mass (the regressed world's is below the tolerance).
    expect(answer.neglectedMass).toBeGreaterThan(3.5e-6);
    expect(answer.neglectedMass).toBeLessThan(3.6e-6);
    expect(answer.current.bound).toBe(answer.neglectedMass);
    expect(formatRate(answer.current.healthy.falseRollbackRate, answer.current.bound)).toMatch(
      /^\d+\.\d\d% \(bounded within ±0\.00036 points\)$/,
    );
    // Never exact: the rates carry the bound as their interval.
    const falseRollback = answer.current.healthy.falseRollbackRate;
    expect((falseRollback.upper ?? 0) - (falseRollback.lower ?? 0)).toBeCloseTo(2 * answer.neglectedMass, 12);
    expect(answer.curveOmitted).toMatch(/^the exact curve would take about \d+ s at this setting's cost; the lab leaves it out$/);
    expect(partials.map((partial) => partial.supported && partial.boundedBecause !== undefined)).toEqual([true]);
  });

  it('answers the current setting alone first (a partial answer), then the whole curve', async () => {
    const asked: number[] = [];
    const summary = {} as never;
    const answer = await runLabExact(
      { ...defaults, 'errorRate.maxRatio': 2 },
      async (request) => {
        asked.push(request.settings.length);
        return {
          supported: true,
          points: request.settings.map((setting) => ({ value: setting.value, healthy: summary, regressed: summary })),
        };
      },
      (partial) => expect(partial.supported && [partial.curveComplete, partial.curve.length]).toEqual([false, 1]),
      { signal: new AbortController().signal },
    );
    expect(asked).toEqual([1, 50]); // the curve asks the other thresholds: the current one is answered
    expect(answer.supported && [answer.curveComplete, answer.curve.length, answer.current.errorRatio]).toEqual([true, 51, 2]);
  });

  const instantCurve = (asked: number[]) => async (request: { settings: readonly { value: number }[] }) => {
    asked.push(request.settings.length);
    return {
      supported: true as const,
      points: request.settings.map((setting) => ({ value: setting.value, healthy: {} as never, regressed: {} as never })),
    };
  };
  /** A clock that advances `step` ms at each reading after the first. */
  const steppingClock = (step: number) => {
    let reading = -step;
    return () => (reading += step);
  };

  describe('past the budget', () => {
    afterEach(() => {
      vi.useRealTimers();
    });
    const settings = { ...defaults, 'errorRate.maxRatio': 2 };
    const budget = { currentMs: 3000, currentLimitMs: 60000, curveMs: 15000, now: steppingClock(0) };

    it('shows Monte-Carlo while the current setting is still computing, then the exact answer when it is in', async () => {
      vi.useFakeTimers();
      let finish: (result: ExactCurveResult) => void = () => {};
      const asked: number[] = [];
      const slowThenInstant = (request: { settings: readonly { value: number }[] }) => {
        asked.push(request.settings.length);
        return asked.length === 1 ? new Promise<ExactCurveResult>((resolve) => (finish = resolve)) : instantCurve([])(request);
      };
      const partials: LabExactAnswer[] = [];
      const answer = runLabExact(
        settings,
        slowThenInstant,
        (partial) => partials.push(partial),
        { signal: new AbortController().signal },
        budget,
      );
      await vi.advanceTimersByTimeAsync(2999);
      expect(partials).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(partials).toEqual([
        {
          supported: false,
          stillComputing: true,
          features: [
            "speed: the exact evaluation of this setting takes longer than the lab's 3 s budget (every window of this scenario is a new law); the lab keeps computing it, up to 60 s",
          ],
        },
      ]);
      // 10 s later the current setting is in: the exact answer replaces the note (the clock reads 0, so the whole curve fits).
      await vi.advanceTimersByTimeAsync(10000);
      finish(await instantCurve([])({ settings: [{ value: 2 }] }));
      const done = await answer;
      expect(partials.map((partial) => partial.supported)).toEqual([false, true]);
      expect(done.supported && [done.current.errorRatio, done.curve.length]).toEqual([2, 51]);
      expect(asked).toEqual([1, 50]); // the curve asks the other thresholds: the current one is answered
    });

    it('gives up at the limit, saying why, and answers with Monte-Carlo alone', async () => {
      vi.useFakeTimers();
      const neverDone = (_request: unknown, context: { signal: AbortSignal }) =>
        new Promise<never>((_resolve, reject) => context.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      const partials: LabExactAnswer[] = [];
      const answer = runLabExact(
        settings,
        neverDone,
        (partial) => partials.push(partial),
        { signal: new AbortController().signal },
        budget,
      );
      await vi.advanceTimersByTimeAsync(60000);
      const done = await answer;
      expect(partials.map((partial) => !partial.supported && partial.stillComputing)).toEqual([true]);
      expect(done).toEqual({
        supported: false,
        features: [
          "speed: the exact evaluation of this setting takes longer than the lab's 60 s limit (every window of this scenario is a new law); `rollout-lab simulate --mode exact` waits for it",
        ],
      });
    });

    it('stops waiting when a newer edit aborts the run, without a late note', async () => {
      vi.useFakeTimers();
      const edit = new AbortController();
      const neverDone = (_request: unknown, context: { signal: AbortSignal }) =>
        new Promise<never>((_resolve, reject) => context.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      const partials: LabExactAnswer[] = [];
      const answer = runLabExact(settings, neverDone, (partial) => partials.push(partial), { signal: edit.signal }, budget);
      const settled = answer.then(
        () => 'resolved',
        (error: Error) => error.message,
      );
      await vi.advanceTimersByTimeAsync(1000);
      edit.abort();
      await vi.advanceTimersByTimeAsync(5000);
      expect(await settled).toBe('aborted');
      expect(partials).toEqual([]);
    });
  });

  it("asks for as many thresholds as fit the curve budget at the current setting's cost, and leaves the curve out below six", async () => {
    const settings = { ...defaults, 'errorRate.maxRatio': 2 };
    const signal = new AbortController().signal;
    const budget = (step: number) => ({ currentMs: 20000, currentLimitMs: 60000, curveMs: 15000, now: steppingClock(step) });
    // cost(n) ≈ T₁ (1 + 0.25 (n − 1)): at 1 s for the current setting, 1 + 14/0.25 = 57 thresholds fit — the whole curve, one request.
    const asked: number[] = [];
    const whole = await runLabExact(settings, instantCurve(asked), () => {}, { signal }, budget(1000));
    expect(asked).toEqual([1, 50]); // the curve asks the other thresholds: the current one is answered
    expect(whole.supported && [whole.curveComplete, whole.curve.length, whole.curveOmitted]).toEqual([true, 51, undefined]);
    // At 5 s: 1 + 2/0.25 = 9 thresholds (plus the current one, 2×, not on that ladder).
    const fitted: number[] = [];
    const part = await runLabExact(settings, instantCurve(fitted), () => {}, { signal }, budget(5000));
    expect(fitted).toEqual([1, 9]); // the 9 ladder thresholds; the current one is answered
    expect(part.supported && part.curve.length).toBe(10);
    // At 12 s: 1 + 0.25/0.25 = 2, too few for a curve — the current setting's answer stands alone, with the reason
    // (the 50 thresholds of the curve: 12 s × (1 + 0.25 × 49) = 159 s).
    const few: number[] = [];
    const alone = await runLabExact(settings, instantCurve(few), () => {}, { signal }, budget(12000));
    expect(few).toEqual([1]);
    expect(alone.supported && [alone.curve.length, alone.curveOmitted]).toEqual([
      1,
      "the exact curve would take about 159 s at this setting's cost; the lab leaves it out",
    ]);
  });

  it("joins the current setting's answer to the curve's other thresholds without asking it again, with both answers' notes once each", async () => {
    const settings = { ...defaults, 'errorRate.maxRatio': 2 };
    const requests: number[][] = [];
    const marked = (value: number, neglectedMass: number) =>
      ({ falseRollbackRate: exactRate(value / 100, 1), missedRegressionRate: exactRate(0, 1), neglectedMass }) as never;
    const answer = await runLabExact(
      settings,
      async (request) => {
        requests.push(request.settings.map((setting) => setting.value));
        const alone = request.settings.length === 1;
        return {
          supported: true,
          points: request.settings.map((setting) => ({
            value: setting.value,
            healthy: marked(setting.value, 2e-6),
            regressed: marked(setting.value, 0),
            ...(setting.value <= 1.2 || alone ? { bounded: true as const, neglectedMass: 2e-6 } : {}),
          })),
          approximations: ['A/B test by the normal law'],
          boundedBecause: [alone ? 'numerical tolerance: the current one' : 'numerical tolerance: a low threshold'],
        };
      },
      () => {},
      { signal: new AbortController().signal },
      { currentMs: 3000, currentLimitMs: 60000, curveMs: 15000, now: steppingClock(1) },
    );
    expect(requests[0]).toEqual([2]);
    expect(requests[1]).toHaveLength(50);
    expect(requests[1]).not.toContain(2);
    if (!answer.supported) throw new Error('refused');
    expect(answer.curve).toHaveLength(51);
    expect(answer.curve.filter((point) => point.current).map((point) => [point.errorRatio, point.bound])).toEqual([[2, 2e-6]]);
    expect(answer.current.healthy.falseRollbackRate.rate).toBe(0.02);
    expect(answer.approximations).toEqual(['A/B test by the normal law']);
    // The current setting's own refusal says why it is bounded.
    expect(answer.boundedBecause).toEqual(['numerical tolerance: the current one']);
  });

  it('keeps the current setting exact when the evaluator refuses another threshold of the curve', async () => {
    const settings = { ...defaults, 'errorRate.maxRatio': 2 };
    const refusedCurve = async (request: { settings: readonly { value: number }[] }) =>
      request.settings.length === 1
        ? instantCurve([])(request)
        : { supported: false as const, features: ['numerical tolerance: historical baseline discretisation (…)'] };
    const answer = await runLabExact(
      settings,
      refusedCurve,
      () => {},
      { signal: new AbortController().signal },
      { currentMs: 3000, currentLimitMs: 60000, curveMs: 15000, now: steppingClock(1000) },
    );
    expect(answer.supported && [answer.current.errorRatio, answer.curve.length, answer.curveOmitted]).toEqual([
      2,
      1,
      'the exact curve is left out: at another threshold the evaluator has no exact answer (numerical tolerance: historical baseline discretisation (…))',
    ]);
  });

  it('counts the thresholds a curve request holds from the vector run cost model', () => {
    expect(curveThresholdsWithin(15000, 1390)).toBe(40); // 1 + (10.79 − 1)/0.25 = 40.2
    expect(curveThresholdsWithin(15000, 15000)).toBe(1);
  });
});

describe('labAgreement', () => {
  it('agrees within 4 standard errors of the exact rate at the Monte-Carlo denominator', () => {
    // p = 0.2, n = 200: SE = √(0.2 · 0.8 / 200) = 0.028284…; 0.3 is 3.536 SE away, 0.32 is 4.243.
    const near = rateAgreement('falseRollback', exactRate(0.2, 1), rate(0.3, 200));
    expect(near.standardError).toBeCloseTo(0.0282842712, 9);
    expect(near.distance).toBeCloseTo(3.5355339, 6);
    expect(near.agrees).toBe(true);
    expect(rateAgreement('falseRollback', exactRate(0.2, 1), rate(0.32, 200)).agrees).toBe(false);
  });

  it('needs equality where the exact rate is 0, and has nothing to compare without data', () => {
    expect(rateAgreement('missedRegression', exactRate(0, 1), rate(0, 200)).agrees).toBe(true);
    expect(rateAgreement('missedRegression', exactRate(0, 1), rate(0.005, 200)).distance).toBe(Number.POSITIVE_INFINITY);
    expect(rateAgreement('missedRegression', exactRate(0, 0), rate(0, 200)).agrees).toBe(null);
  });

  it('combines both rates of a setting, and refuses to compare two settings', () => {
    const exact = point(2, exactRate(0.2, 1), exactRate(0.01, 1));
    expect(labAgreement(exact, point(2, rate(0.21, 200), rate(0.01, 200))).agrees).toBe(true);
    expect(labAgreement(exact, point(2, rate(0.21, 200), rate(0.1, 200))).agrees).toBe(false);
    expect(() => labAgreement(exact, point(3, rate(0.21, 200), rate(0.01, 200)))).toThrow(/3× threshold, the exact answer for 2×/);
  });

  it('takes a bounded exact rate as an interval of its bound: agrees within 4 SE of [p − X, p + X]', () => {
    // p = 0.5, n = 200: SE = √(0.25 / 200) = 0.0353553…; 0.7 is 0.2 away: 5.657 SE exact, (0.2 − 0.1) / SE = 2.828 with X = 0.1.
    expect(rateAgreement('falseRollback', exactRate(0.5, 1), rate(0.7, 200)).agrees).toBe(false);
    const bounded = rateAgreement('falseRollback', exactRate(0.5, 1), rate(0.7, 200), 0.1);
    expect(bounded.distance).toBeCloseTo(2.8284271, 6);
    expect(bounded.agrees).toBe(true);
    // Inside the bound: 0 SE.
    expect(rateAgreement('falseRollback', exactRate(0.5, 1), rate(0.55, 200), 0.1).distance).toBe(0);
    // labAgreement reads the bound from the exact point.
    const exact = { ...point(2, exactRate(0.5, 1), exactRate(0.01, 1)), bound: 0.1 };
    expect(labAgreement(exact, point(2, rate(0.7, 200), rate(0.01, 200))).agrees).toBe(true);
  });

  it('prints an exact rate without an interval', () => {
    expect(formatRate(exactRate(0.123456, 1))).toBe('12.35% (exact)');
    expect(formatRate(rate(0.2, 200))).toBe('20.0% [19.0%, 21.0%]');
  });
});

describe('a bounded answer in the verdict', () => {
  /** A point with the verdict's fields: the two rates, no detection. */
  const verdictPoint = (falseRollback: number, missed: number, bound?: number): OperatingPoint => {
    const summary = (fields: Partial<SimulationSummary>) =>
      ({ ...fields, detectionTime: { median: null }, exposure: { usersServedWhileWorse: 0 } }) as unknown as SimulationSummary;
    return {
      errorRatio: 2,
      current: true,
      healthy: summary({ falseRollbackRate: exactRate(falseRollback, 1) }),
      regressed: summary({ missedRegressionRate: exactRate(missed, 1) }),
      ...(bound === undefined ? {} : { bound }),
    };
  };

  it('rounds the bound up to 2 significant digits, in points', () => {
    expect(formatBoundPoints(0.004563031610830848)).toBe('±0.46 points');
    expect(formatBoundPoints(0.0045)).toBe('±0.45 points');
    expect(formatBoundPoints(0.01)).toBe('±1.0 points');
    expect(formatBoundPoints(1.0018656168168492e-11)).toBe('±1.1e-9 points');
  });

  it('reads a bounded point as an exact one where the bound cannot flip the verdict, and says "bounded", never "exact"', () => {
    // The first visit's kind of answer: 82% false rollbacks ± 0.46 points is surely above 10%.
    const triggerHappy = labVerdict(verdictPoint(0.8241353372160447, 0, 0.004563031610830848), defaults);
    expect(triggerHappy.tone).toBe('bad');
    expect(triggerHappy.text).toMatch(/^Too trigger-happy\. /);
    expect(triggerHappy.text).toContain('rolled back in 82.41% (bounded within ±0.46 points) of rollouts');
    expect(triggerHappy.text).not.toContain('exact');
    expect(labVerdict(verdictPoint(0.05, 0.02, 0.005), defaults).tone).toBe('good');
    expect(labVerdict(verdictPoint(0.05, 0.06, 0.005), defaults).text).toMatch(/^Too lax\. /);
  });

  it('says "too close to call" when a target lies within the bound of its rate', () => {
    // 9.8% ± 0.5 points spans 10%: the false-rollback target decides, either way.
    const close = labVerdict(verdictPoint(0.098, 0, 0.005), defaults);
    expect(close.tone).toBe('warn');
    expect(close.text).toMatch(/^Too close to call within the bound\. /);
    expect(close.text).toContain('The 10% false-rollback target lies within ±0.50 points of the rate');
    // 5.2% ± 0.5 points spans 5% (false rollbacks surely below 10%): the missed-regression target.
    expect(labVerdict(verdictPoint(0.05, 0.052, 0.005), defaults).text).toContain('The 5% missed-regression target lies within');
    // Exact (no bound): the same rates give the plain verdicts.
    expect(labVerdict(verdictPoint(0.098, 0), defaults).tone).toBe('good');
    expect(labVerdict(verdictPoint(0.05, 0.052), defaults).text).toMatch(/^Too lax\. /);
  });
});

describe('exact plots', () => {
  it('draws the curve with every threshold, labels a few and rings the current one', () => {
    const points = exactThresholds(2).map((errorRatio, index) => ({
      errorRatio,
      current: errorRatio === 2,
      falseRollbackRate: 1 / (index + 1),
      missedRegressionRate: index / 60,
    }));
    const spec = exactOperatingCurvePlot(points);
    expect(spec.subtitle).toMatch(/^51 error-rate thresholds, computed exactly/);
    expect(spec.title).toBe(exactOperatingCurveTitle);
    const marks = spec.marks as unknown as { data: unknown[] }[];
    expect(marks.map((mark) => mark.data.length)).toEqual([51, 51, 7, 1]);
    // Bounded points (the lab's first visit): never titled exact, the bound in points in the subtitle.
    const bounded = exactOperatingCurvePlot(points, 10, 0.004563);
    expect(bounded.title).toBe('Operating characteristic (bounded, not exact): false rollbacks against missed regressions');
    expect(bounded.subtitle).toContain('each rate within 0.46 points (bounded, not exact)');
    // The bound is rounded UP, as the verdict's (formatBoundPoints): the first visit's 3.53e-6 is
    // 0.000353 points, shown 0.00036 — to nearest it read 0.00035, below the bound, beside a
    // verdict saying ±0.00036.
    expect(exactOperatingCurvePlot(points, 10, 3.53e-6).subtitle).toContain('each rate within 0.00036 points');
    expect(exactDetectionTimePlot(exactDetectionTimeBins({ 3600: 0.5 }), 3.53e-6).subtitle).toContain(
      'Each probability within 0.00036 points.',
    );
    expect(formatBoundPoints(3.53e-6)).toBe('±0.00036 points');
  });

  it('bins the exact detection-time distribution as probabilities', () => {
    // 0.3 at 1 h, 0.2 at 2.5 h, 0.1 at 30 h: 24 bins of 2 h (longest 30 h → width ⌈30/24⌉ = 2).
    const bins = exactDetectionTimeBins({ 3600: 0.3, 9000: 0.2, 108000: 0.1 });
    expect(bins.length).toBe(16);
    expect([bins[0].count, bins[1].count, bins[15].count]).toEqual([0.3, 0.2, 0.1]);
    expect(exactDetectionTimePlot(bins).y).toMatchObject({ label: 'Probability' });
    expect(exactDetectionTimePlot(bins).title).toBe('Time to detect the regression (exact distribution)');
    expect(exactDetectionTimePlot(bins, 0.004563).title).toBe('Time to detect the regression (bounded, not exact)');
    expect(exactDetectionTimePlot(bins, 0.004563).subtitle).toContain('within 0.46 points');
  });
});

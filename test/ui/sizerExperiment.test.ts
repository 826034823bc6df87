import { describe, expect, it } from 'vitest';
import { sizeCommand } from '../../src/cli/commands/size.ts';
import { designExperiment, experimentPowerAt } from '../../src/engine/stats/experimentDesign.ts';
import { meanSampleSize } from '../../src/engine/stats/meanSampleSize.ts';
import { daysToReachUsers, linearDaysToReachUsers, uniqueUsersAfter, userAccrualModel } from '../../src/engine/stats/userAccrual.ts';
import {
  accrualCurve,
  accrualModelNames,
  formatGuardrailRows,
  metricPowerAgainstDays,
  metricPowerAgainstUsers,
  parseGuardrailRows,
  readExperimentInputs,
  sizeExperiment,
} from '../../src/ui/sizer/experimentSizer.ts';
import { checked } from '../../src/ui/sizer/sizerModel.ts';
import { type SizerState, sizerSchema } from '../../src/ui/sizer/sizerState.ts';
import { initialState } from '../../src/ui/state/viewState.ts';
import { runCommandObject } from '../helpers/cli.ts';

// The sizer's experiment design is the engine's designExperiment (pinned to statsmodels in
// test/engine/stats/experimentDesign.test.ts) and the CLI's `size`: each number here is checked
// against one of them, or against the statsmodels value in scripts/reference/design_ttest.py.

const defaults = initialState(sizerSchema);
const state = (patch: Partial<SizerState>): SizerState => ({ ...defaults, ...patch });

/** The e2e test's inputs: a mean success metric with a latency guardrail, ρ 0.7 and 3 arms. */
const experiment = state({
  metricKind: 'mean',
  baseline: '10',
  effect: '0.025',
  effectKind: 'relative',
  spread: '2',
  cupedR: '0.7',
  arms: '3',
  guardrails: 'mean:300:3:120:lower',
  accrual: 'linear',
  trafficPerDay: '5000',
});

async function cliJson(args: string[]) {
  const result = await runCommandObject(sizeCommand, [...args, '--json']);
  return JSON.parse(result.stdout);
}

describe('readExperimentInputs and sizeExperiment', () => {
  it('the first visit: a 10% rate, +2 points, two-sided, unpooled normal theory, with returning users', async () => {
    const inputs = readExperimentInputs(defaults);
    const sizing = sizeExperiment(inputs);
    const expected = meanSampleSize({ controlVariance: 0.1 * 0.9, candidateVariance: 0.12 * 0.88, difference: 0.12 - 0.1 });
    expect(sizing.design.nPerArm).toBe(expected.nPerArm);
    expect(sizing.design.nTotal).toBe(expected.nTotal);
    expect(sizing.design.metrics[0]).toMatchObject({ sides: 2, alpha: 0.05, test: 'z' });
    // 2,000 users a day, 30% returning day to day (k = 1).
    const model = userAccrualModel({ usersPerDay: 2000, returningShare: 0.3 });
    expect(sizing.linearDays).toBe(linearDaysToReachUsers(expected.nTotal, 2000));
    expect(sizing.accrualDays).toBe(daysToReachUsers(model, expected.nTotal));
    expect(sizing.accrualDays).toBeGreaterThan(sizing.linearDays);
    expect(inputs.cliArgs).toEqual([
      '--metric',
      'proportion',
      '--baseline',
      '0.1',
      '--target',
      String(0.1 + 0.02),
      '--method',
      'normal',
      '--users-per-day',
      '2000',
      '--returning',
      '0.3',
    ]);
    // `size --method normal` takes the same unpooled path for a plain rate.
    expect(await cliJson(inputs.cliArgs)).toMatchObject({
      method: 'normal',
      nPerArm: [expected.nPerArm, expected.nSecondArm],
      nTotal: expected.nTotal,
      days: sizing.linearDays,
      accrual: { days: sizing.accrualDays },
    });
  });

  it('mean + guardrail + ρ 0.7 + 3 arms: the statsmodels sizes, and the CLI gives the same numbers', async () => {
    const inputs = readExperimentInputs(experiment);
    const sizing = sizeExperiment(inputs);
    // NormalIndPower().solve_power(effect_size=0.25/2/sqrt(0.51), alpha=0.025, power=0.9, ratio=1/sqrt(2), 'larger') = 827.98 → 828;
    // NormalIndPower().solve_power(effect_size=3/120, alpha=0.025, power=0.9, ratio=1/sqrt(2), 'larger') = 40587.46 → 40588.
    expect(sizing.design.metrics.map((metric) => metric.nPerArm)).toEqual([828, 40588]);
    expect(sizing.design).toMatchObject({ nPerArm: 40588, nSecondArm: 28700, nTotal: 97988, limitingMetric: 'guardrail 1' });
    expect(sizing.linearDays).toBe(20);
    expect(sizing.accrual).toBeNull();
    const cli = await cliJson(inputs.cliArgs);
    expect(cli.metrics.map((metric: { nPerArm: number }) => metric.nPerArm)).toEqual([828, 40588]);
    expect(cli).toMatchObject({ nPerArm: 40588, nSecondArm: 28700, nTotal: 97988, days: 20, shares: sizing.design.shares });
  });

  it('the t-test, a ratio by the delta method, a proportion guardrail and returning users all match the CLI', async () => {
    const ratio = state({
      metricKind: 'ratio',
      effect: '-0.05',
      effectKind: 'relative',
      test: 't',
      guardrails: 'proportion:0.02:10%:lower;mean:300:1%:120:lower',
      accrual: 'population',
      population: '400000',
      trafficPerDay: '30000',
      heterogeneity: '0.5',
    });
    const inputs = readExperimentInputs(ratio);
    // Deng, Knoblich & Lu (2018) eq. 4 with μy 3, μx 12, σy² 9, σx² 64, σxy 12: 9/144 − 2·3·12/12³ + 9·64/12⁴.
    const perUser = 9 / 144 - (2 * 3 * 12) / 12 ** 3 + (9 * 64) / 12 ** 4;
    expect(inputs.standardDeviation).toBeCloseTo(Math.sqrt(perUser), 14);
    expect(inputs.options.metrics[0]).toMatchObject({ baseline: 0.25, direction: 'lower-is-better' });
    const sizing = sizeExperiment(inputs);
    expect(sizing.design.metrics.map((metric) => metric.test)).toEqual(['t', 'z', 't']);
    expect(sizing.design).toEqual(designExperiment(inputs.options));
    const cli = await cliJson(inputs.cliArgs);
    expect(cli.metrics.map((metric: { nPerArm: number }) => metric.nPerArm)).toEqual(sizing.design.metrics.map((metric) => metric.nPerArm));
    expect(cli).toMatchObject({
      nTotal: sizing.design.nTotal,
      days: sizing.linearDays,
      accrual: { days: sizing.accrualDays, heterogeneity: 0.5 },
    });
  });

  it('a rate over 3, 4 and 6 arms without guardrails: the page and the CLI agree', async () => {
    for (const arms of ['3', '4', '6']) {
      const inputs = readExperimentInputs(state({ arms, effect: '0.01' }));
      const sizing = sizeExperiment(inputs);
      const cli = await cliJson(inputs.cliArgs);
      expect(cli.nPerArm).toEqual([sizing.design.nPerArm, ...Array.from({ length: Number(arms) - 1 }, () => sizing.design.nSecondArm)]);
      expect(cli.nTotal).toBe(sizing.design.nTotal);
    }
  });

  it('names the field that is wrong', () => {
    const message = (patch: Partial<SizerState>) => {
      const result = checked(() => sizeExperiment(readExperimentInputs(state(patch))));
      return result.ok ? 'ok' : result.message;
    };
    expect(message({ arms: '1' })).toBe('number of arms must be a whole number from 2 to 10, got 1');
    expect(message({ cupedR: '1' })).toBe('CUPED correlation ρ must be between -1 and 1 (exclusive), got 1');
    expect(message({ metricKind: 'mean', spread: '-2' })).toBe('SD per unit must be a positive number, got -2');
    expect(message({ guardrails: 'mean:300:3::lower' })).toBe('guardrail 1 SD is missing: enter a number');
    expect(message({ guardrails: 'proportion:0.02:x:lower' })).toBe("guardrail 1 margin must be a number, got 'x'");
    expect(message({ accrual: 'population', population: '100' })).toBe('population must be above the users per day (2000), got 100');
    expect(message({ metricKind: 'ratio', covariance: '30' })).toMatch(/^covariance per user must be at most/);
    expect(message({ effect: '0' })).toBe('minimum detectable effect must be a non-zero number, got 0');
  });
});

describe('guardrail rows', () => {
  it('round-trip the CLI syntax', () => {
    const text = 'proportion:0.02:0.002:lower;mean:300:1%:120:lower;ratio:1.2:0.05:0.8';
    const rows = parseGuardrailRows(text);
    expect(rows[1]).toEqual({ kind: 'mean', baseline: '300', margin: '1', relative: true, sd: '120', lowerIsBetter: true });
    expect(rows[2].lowerIsBetter).toBe(false);
    expect(formatGuardrailRows(rows)).toBe(text);
    expect(parseGuardrailRows('')).toEqual([]);
  });
});

describe('charts', () => {
  const inputs = readExperimentInputs(state({ ...experiment, accrual: 'returning', returningShare: '0.4', trafficPerDay: '40000' }));
  const model = userAccrualModel({ usersPerDay: 40000, returningShare: 0.4 });
  const sizing = sizeExperiment(inputs);

  it('power per metric against the users and the days', () => {
    const users = metricPowerAgainstUsers(inputs, sizing, 40);
    expect(users).toHaveLength(80);
    const atNeed = users.filter((point) => point.x === sizing.design.nTotal);
    // At the planned users each metric has at least its power 0.9; the guardrail sets the size, so it is just above.
    expect(atNeed.map((point) => point.method)).toEqual(['success', 'guardrail 1']);
    expect(atNeed[1].power).toBeGreaterThanOrEqual(0.9);
    expect(atNeed[1].power).toBeCloseTo(experimentPowerAt(inputs.options, sizing.design.nTotal * sizing.design.shares[0])[1].power, 15);
    const days = metricPowerAgainstDays(inputs, sizing);
    const day = days.find((point) => point.x === 10 && point.method === 'guardrail 1')!;
    expect(day.power).toBeCloseTo(experimentPowerAt(inputs.options, uniqueUsersAfter(model, 10) * sizing.design.shares[0])[1].power, 15);
  });

  it('the accrual curve bends below the linear count', () => {
    const curve = accrualCurve(inputs, sizing);
    const returning = curve.filter((point) => point.model === accrualModelNames.returning);
    const linear = curve.filter((point) => point.model === accrualModelNames.linear);
    expect(linear.length).toBeLessThanOrEqual(returning.length);
    expect(linear.every((point, i) => returning[i].users <= point.users + 1e-9)).toBe(true);
    // The linear count stops past twice the larger of the need and the population (2 × 160,000).
    expect(Math.max(...linear.map((point) => point.users))).toBeLessThanOrEqual(320000);
    // From returning share 0.4 (k = 1), N = 4 × 40,000 = 160,000 (design_accrual.py: from_returning(2000, 0.4, 1) gives N = 8,000);
    // U(d) = 160,000·d/(d + 3) ≥ 97,988 ⇒ d ≥ 4.74: 5 days, against ⌈97,988/40,000⌉ = 3 if every user were new.
    expect(sizing.accrual?.population).toBeCloseTo(160000, 6);
    expect(sizing.accrualDays).toBe(5);
    expect(sizing.accrualDays).toBe(daysToReachUsers(model, sizing.design.nTotal));
    expect(sizing.linearDays).toBe(3);
  });
});

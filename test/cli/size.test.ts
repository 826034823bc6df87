import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { sizeCommand } from '../../src/cli/commands/size.ts';
import fixture from '../fixtures/proportions.json';
import { runCommandObject } from '../helpers/cli.ts';

// The command is called directly (not through runCli) so that these tests do not depend on its
// registration in src/cli/commands/index.ts. Reference numbers: test/fixtures/proportions.json
// (scripts/reference/proportions.py), call in each row.
function run(argv: string[]) {
  return runCommandObject(sizeCommand, argv);
}

async function runJson(argv: string[]) {
  const result = await run([...argv, '--json']);
  expect(result.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(result.stdout);
}

describe('rollout-lab size', () => {
  it('--baseline 0.10 --target 0.12 --json: R power.prop.test gives 3841 per arm', async () => {
    const json = await runJson(['--baseline', '0.10', '--target', '0.12']);
    // R 4.2.2: power.prop.test(p1 = 0.1, p2 = 0.12, sig.level = 0.05, power = 0.8, tol = 1e-12)$n = 3840.8474824362756
    expect(json).toMatchObject({
      method: 'pooled',
      nPerArm: 3841,
      nSecondArm: 3841,
      nTotal: 7682,
      baseline: 0.1,
      target: 0.12,
      alpha: 0.05,
      power: 0.8,
      ratio: 1,
      sides: 2,
    });
    expect(json.nPerArmExact).toBeCloseTo(3840.8474824362756, 8);
  });

  it('--lift is the relative alternative to --target', async () => {
    const json = await runJson(['--baseline', '0.10', '--lift', '0.2']);
    expect(json.target).toBeCloseTo(0.12, 15);
    expect(json.lift).toBeCloseTo(0.2, 14);
    expect(json.nPerArm).toBe(3841);
  });

  it('--method arcsine matches statsmodels NormalIndPower, with a ratio and one side', async () => {
    const row = fixture.arcsineSampleSize.find((r) => r.baseline === 0.01 && r.ratio === 0.5)!;
    // row.call: NormalIndPower().solve_power(effect_size=proportion_effectsize(0.015, 0.01), nobs1=None,
    //           alpha=0.05, power=0.8, ratio=0.5, alternative='larger') = 9066.157…
    const json = await runJson(['--baseline', '0.01', '--target', '0.015', '--ratio', '0.5', '--sides', '1', '--method', 'arcsine']);
    expect(json.method).toBe('arcsine');
    expect(json.nPerArm).toBe(row.nPerArm);
    expect(json.nSecondArm).toBe(row.nSecondArm);
    expect(json.nTotal).toBe(row.nPerArm + row.nSecondArm);
  });

  it('prints a human summary naming the method', async () => {
    const { code, stdout } = await run(['--baseline', '0.10', '--target', '0.12']);
    expect(code).toBe(0);
    expect(stdout).toContain('pooled variance, as R power.prop.test');
    expect(stdout).toContain('n per arm: 3841');
    expect(stdout).toContain('total: 7682');
    const twoArms = await run(['--baseline', '0.10', '--target', '0.13', '--ratio', '2']);
    // statsmodels samplesize_proportions_2indep_onetail(diff=0.1 - 0.13, prop2=0.13, power=0.8, ratio=2) = 1349.935…
    expect(twoArms.stdout).toContain('first arm (baseline): 1350');
    expect(twoArms.stdout).toContain('second arm (target):  2700');
  });

  it('bad input is a UsageError naming the argument', async () => {
    await expect(run(['--baseline', 'abc', '--target', '0.12'])).rejects.toThrow(UsageError);
    await expect(run(['--baseline', 'abc', '--target', '0.12'])).rejects.toThrow("--baseline must be a number, got 'abc'");
    await expect(run(['--baseline', '0.1'])).rejects.toThrow(/--target is required/);
    await expect(run(['--baseline', '0.1', '--target', '0.12', '--lift', '0.2'])).rejects.toThrow(/either --target or --lift/);
    await expect(run(['--baseline', '0.1', '--target', '0.1'])).rejects.toThrow(/--target must differ/);
    await expect(run(['--baseline', '0.5', '--lift', '2'])).rejects.toThrow(/--lift must keep the target rate/);
    await expect(run(['--baseline', '0.1', '--target', '0.12', '--alpha', '2'])).rejects.toThrow(/--alpha must be less than 1, got 2/);
    await expect(run(['--baseline', '0.1', '--target', '0.12', '--power', '0.01'])).rejects.toThrow(/--power must be greater than 0.05/);
    await expect(run(['--baseline', '0.1', '--target', '0.12', '--ratio', '0'])).rejects.toThrow(/--ratio must be greater than 0/);
    await expect(run(['--baseline', '0.1', '--target', '0.12', '--sides', '3'])).rejects.toThrow(/--sides must be one of 1, 2/);
    await expect(run(['--baseline', '0.1', '--target', '0.12', '--method', 'exact'])).rejects.toThrow(/--method must be one of/);
    await expect(run(['--baseline', '1.2', '--target', '0.12'])).rejects.toThrow(/--baseline must be at most 1/);
  });
});

describe('rollout-lab size: mean and ratio metrics, CUPED, non-inferiority, several arms', () => {
  // Reference numbers: scripts/reference/design_means.py, design_noninferiority.py, design_multi.py and
  // design_ratio_cuped.py (statsmodels 0.13.5, scipy 1.10.1, /usr/bin/python3); the call beside each.

  it("--metric mean --sd 2, Δ 0.5: NormalIndPower().solve_power(effect_size=0.25, 'two-sided') = 251.16 → 252 per arm", async () => {
    const json = await runJson(['--metric', 'mean', '--baseline', '10', '--target', '10.5', '--sd', '2']);
    expect(json).toMatchObject({
      metric: 'mean',
      method: 'normal',
      nPerArm: [252, 252],
      nTotal: 504,
      sides: 2,
      arms: ['control', 'candidate'],
    });
  });

  it('--cuped-r 0.7: solve_power(effect_size=0.25/√0.51) = 128.09 → 129; --users-per-day gives the days', async () => {
    const json = await runJson([
      '--metric',
      'mean',
      '--baseline',
      '10',
      '--lift',
      '0.05',
      '--sd',
      '2',
      '--cuped-r',
      '0.7',
      '--users-per-day',
      '50',
    ]);
    expect(json.nPerArm).toEqual([129, 129]);
    expect(json.days).toBe(Math.ceil(258 / 50));
    const text = await run([
      '--metric',
      'mean',
      '--baseline',
      '10',
      '--lift',
      '0.05',
      '--sd',
      '2',
      '--cuped-r',
      '0.7',
      '--users-per-day',
      '50',
    ]);
    expect(text.stdout).toContain('CUPED: pre-period correlation 0.7, variance × 0.51');
    expect(text.stdout).toContain('days at 50 users per day: 6');
  });

  it('--non-inferiority 0.02 on a rate of 0.8: normal_sample_size_one_tail(0.02, 0.8, 0.05, sd, sd) = 4946.05 → 4947', async () => {
    const json = await runJson(['--baseline', '0.8', '--non-inferiority', '0.02']);
    expect(json.metric).toBe('proportion');
    expect(json.sides).toBe(1);
    expect(json.nullDifference).toBeCloseTo(-0.02, 15);
    expect(json.nPerArm).toEqual([4947, 4947]);
  });

  it('--non-inferiority 5% --lower-is-better on latency: ((z.95 + z.8)·√(40² + 40²)/10)² = 197.84 → 198', async () => {
    const json = await runJson(['--metric', 'mean', '--baseline', '200', '--sd', '40', '--non-inferiority', '5%', '--lower-is-better']);
    expect(json.nonInferiority).toMatchObject({ absoluteMargin: 10, alternative: 'less', direction: 'lower-is-better', relative: true });
    expect(json.nPerArm).toEqual([198, 198]);
  });

  it('--arms 4: Bonferroni α/3 and the √3 rule, NormalIndPower(effect 0.1, alpha=0.05/3, ratio=1/√3) = 2860.2 → 2861 + 3 × 1652', async () => {
    const json = await runJson(['--metric', 'mean', '--baseline', '0', '--target', '0.1', '--sd', '1', '--arms', '4']);
    expect(json.comparisonAlpha).toBeCloseTo(0.05 / 3, 15);
    expect(json.allocation).toBe('optimal');
    expect(json.nPerArm).toEqual([2861, 1652, 1652, 1652]);
    expect(json.arms).toEqual(['control', 'candidate 1', 'candidate 2', 'candidate 3']);
  });

  it('--arms 3 --weights 2,1,1: NormalIndPower(effect 0.1, alpha=0.05/2, ratio=0.5) = 2851.51 → 2852 + 2 × 1426', async () => {
    const json = await runJson([
      '--metric',
      'mean',
      '--baseline',
      '0',
      '--target',
      '0.1',
      '--sd',
      '1',
      '--arms',
      '3',
      '--weights',
      '2,1,1',
    ]);
    expect(json.allocation).toBe('weights');
    expect(json.nPerArm).toEqual([2852, 1426, 1426]);
  });

  it('--metric ratio takes the per-user delta-method variance: one-sided (z.95 + z.8)²·2v/Δ²', async () => {
    // v = 15 × 0.0009452181799501335 (design_ratio_cuped.py, control arm); z.95 = 1.6448536269514722, z.8 = 0.8416212335729143.
    const variance = 15 * 0.0009452181799501335;
    const json = await runJson([
      '--metric',
      'ratio',
      '--baseline',
      '0.1',
      '--target',
      '0.12',
      '--variance',
      String(variance),
      '--sides',
      '1',
    ]);
    const expected = Math.ceil(((1.6448536269514722 + 0.8416212335729143) ** 2 * 2 * variance) / 0.02 ** 2);
    expect(json.nPerArm).toEqual([expected, expected]);
  });

  it('the rate path without new options is unchanged, and --users-per-day adds days to it', async () => {
    const json = await runJson(['--baseline', '0.10', '--target', '0.12', '--users-per-day', '1000']);
    expect(json).toMatchObject({ method: 'pooled', nPerArm: 3841, nTotal: 7682, usersPerDay: 1000, days: 8 });
  });

  it('--guardrail: the multi-metric rule, each test at power 1 − 0.2/4 = 0.95, n the maximum (statsmodels per metric)', async () => {
    const argv = ['--metric', 'mean', '--baseline', '50', '--lift', '0.02', '--sd', '30'];
    const guardrails = [
      '--guardrail',
      'proportion:0.02:0.002:lower',
      '--guardrail',
      'mean:300:1%:120:lower',
      '--guardrail',
      'ratio:1.2:0.05:0.8:lower',
    ];
    const json = await runJson([...argv, ...guardrails, '--users-per-day', '20000']);
    expect(json.perTestBeta).toBeCloseTo(0.05, 15);
    // success: NormalIndPower(effect 1/30, alpha 0.05, power 0.95, 'larger') = 19479.91; guardrails: normal_sample_size_one_tail(0.002, 0.95,
    // 0.05, sd=√(2·.02·.98)) = 106057.30, NormalIndPower(effect 3/120, …) = 34630.96, NormalIndPower(effect 0.05/0.8, …) = 5540.95.
    expect(json.metrics.map((metric: { nPerArm: number }) => metric.nPerArm)).toEqual([19480, 106058, 34631, 5541]);
    expect(json).toMatchObject({ nPerArm: 106058, nTotal: 212116, limitingMetric: 'guardrail 1', days: 11 });
    const text = await run([...argv, ...guardrails]);
    expect(text.stdout).toContain('needed: 106058 control + 106058 candidate = 212116 (set by guardrail 1)');
    await expect(run([...argv, '--guardrail', 'mean:300:3'])).rejects.toThrow(
      /--guardrail 1 \('mean:300:3'\): a mean guardrail needs its SD per unit/,
    );
    await expect(run([...argv, '--guardrail', 'median:1:2'])).rejects.toThrow(
      /the kind must be one of proportion, mean, ratio, got 'median'/,
    );
    await expect(run([...argv, ...guardrails, '--weights', '1,1'])).rejects.toThrow(/--weights cannot be combined with --guardrail/);
  });

  // The sizer view's e2e test (test/e2e/sizer.test.ts) asks the app for these same inputs.
  const experiment = [
    '--metric',
    'mean',
    '--baseline',
    '10',
    '--lift',
    '0.025',
    '--sd',
    '2',
    '--cuped-r',
    '0.7',
    '--guardrail',
    'mean:300:3:120:lower',
    '--arms',
    '3',
  ];

  it('--guardrail with --arms 3: α/2 per comparison, the square-root split (scripts/reference/design_ttest.py)', async () => {
    const json = await runJson(experiment);
    // NormalIndPower().solve_power(effect_size=0.25/2/sqrt(0.51), alpha=0.025, power=0.9, ratio=1/sqrt(2), 'larger') = 827.98;
    // NormalIndPower().solve_power(effect_size=3/120, alpha=0.025, power=0.9, ratio=1/sqrt(2), 'larger') = 40587.46.
    expect(json.metrics.map((metric: { nPerArm: number }) => metric.nPerArm)).toEqual([828, 40588]);
    // ⌈40587.46/√2⌉ = 28700 per candidate.
    expect(json).toMatchObject({ arms: 3, nPerArm: 40588, nSecondArm: 28700, nTotal: 97988, limitingMetric: 'guardrail 1', test: 'z' });
    expect(json.comparisonAlpha).toBeCloseTo(0.025, 15);
    expect(json.shares[0]).toBeCloseTo(Math.SQRT2 / (Math.SQRT2 + 2), 15);
    const text = await run(experiment);
    expect(text.stdout).toContain('allocation: square-root rule, control/candidate = √2 = 1.414');
    expect(text.stdout).toContain('needed: 40588 control + 2 × 28700 candidates = 97988 (set by guardrail 1)');
  });

  it('--t sizes a mean metric by the t-test (statsmodels TTestIndPower)', async () => {
    // brentq(… TTestIndPower().power(0.5, n, 0.05, ratio=1, 'two-sided') - 0.8 …) = 63.7656 → 64 (the z-test says 63).
    const json = await runJson(['--metric', 'mean', '--baseline', '10', '--target', '11', '--sd', '2', '--t']);
    expect(json).toMatchObject({ method: 't', nPerArm: [64, 64], nTotal: 128 });
    const z = await runJson(['--metric', 'mean', '--baseline', '10', '--target', '11', '--sd', '2']);
    expect(z).toMatchObject({ method: 'normal', nPerArm: [63, 63] });
    // With guardrails and 3 arms: brentq(… TTestIndPower().power(0.25/2/sqrt(0.51), n, 0.025, ratio=1/sqrt(2), 'larger') - 0.9 …) = 829.11.
    const design = await runJson([...experiment, '--t']);
    expect(design.test).toBe('t');
    expect(design.metrics[0].nPerArm).toBe(830);
    const text = await run(['--metric', 'mean', '--baseline', '10', '--target', '11', '--sd', '2', '--t']);
    expect(text.stdout).toContain("t-test, variances estimated from the test's data; method: t");
    await expect(run(['--baseline', '0.1', '--target', '0.12', '--t'])).rejects.toThrow(/--t applies to mean and ratio metrics/);
  });

  it('--population / --returning: the days with returning users beside the linear count (scripts/reference/design_accrual.py)', async () => {
    const rate = ['--baseline', '0.10', '--target', '0.12', '--users-per-day', '2000'];
    // 7,682 users: linear ⌈7682/2000⌉ = 4 days; days_to(7682, *from_population(2000, 20000, 1)) = 6.
    const json = await runJson([...rate, '--population', '20000']);
    expect(json).toMatchObject({ nTotal: 7682, usersPerDay: 2000, days: 4, accrual: { population: 20000, heterogeneity: 1, days: 6 } });
    expect(json.accrual.returningShare).toBeCloseTo(0.18181818181817988, 12);
    // days_to(7682, *from_returning(2000, 0.4, 1)) = 73.
    expect((await runJson([...rate, '--returning', '0.4'])).accrual.days).toBe(73);
    // from_returning(2000, 0.5, 0.5): N = 8051.75; days_to(7682, …) = 615.
    const heavy = await runJson([...rate, '--returning', '0.5', '--heterogeneity', '0.5']);
    expect(heavy.accrual.population).toBeCloseTo(8051.74708992621, 6);
    expect(heavy.accrual.days).toBe(615);
    // Too few users ever: days null and said in words.
    expect((await runJson([...rate, '--population', '5000'])).accrual.days).toBeNull();
    const text = await run([...rate, '--population', '20000']);
    expect(text.stdout).toContain('days at 2000 users per day: 4 (if every user is new)');
    expect(text.stdout).toMatch(/days with returning users: 6 \(negative binomial visits: population 20,?000, 18\.18?% of a day's users/);
    expect((await run([...rate, '--population', '5000'])).stdout).toMatch(/days with returning users: never \(only 5,?000 users in all\)/);
    // The general path carries them too.
    const mean = await runJson([
      '--metric',
      'mean',
      '--baseline',
      '10',
      '--target',
      '11',
      '--sd',
      '2',
      '--users-per-day',
      '50',
      '--returning',
      '0.4',
    ]);
    // k = 1, r = 0.4 gives N = 4·D = 200 (as from_returning(2000, 0.4, 1) gives 8000) and U(d) = 200·d/(d + 3) ≥ 126 ⇒ d ≥ 5.1.
    expect(mean).toMatchObject({ nTotal: 126, days: 3, accrual: { days: 6 } });
    await expect(run([...rate, '--population', '20000', '--returning', '0.4'])).rejects.toThrow(/either --population or --returning/);
    await expect(run(['--baseline', '0.1', '--target', '0.12', '--population', '20000'])).rejects.toThrow(/need --users-per-day/);
    await expect(run([...rate, '--population', '1000'])).rejects.toThrow(/--population must be greater than 2000/);
  });

  it('bad combinations are UsageErrors naming the option', async () => {
    const cases: [string[], RegExp][] = [
      [['--metric', 'mean', '--baseline', '1', '--target', '2'], /--sd \(or --variance\) is required for a mean metric/],
      [['--metric', 'mean', '--baseline', '1', '--target', '2', '--sd', '1', '--variance', '1'], /either --sd or --variance/],
      [['--metric', 'median', '--baseline', '1', '--target', '2'], /--metric must be one of proportion, mean, ratio/],
      [['--baseline', '0.1', '--target', '0.12', '--sd', '1'], /--sd and --variance apply to mean and ratio metrics/],
      [['--baseline', '0.1', '--target', '0.12', '--cuped-r', '1'], /--cuped-r must be less than 1/],
      [['--baseline', '0.1', '--target', '0.12', '--arms', '1'], /--arms must be at least 2/],
      [
        ['--baseline', '0.1', '--target', '0.12', '--arms', '3', '--weights', '1,1'],
        /--weights must list one weight per arm \(3, control first\), got 2/,
      ],
      [['--baseline', '0.8', '--target', '0.7', '--non-inferiority', '0.05'], /already beyond the margin/],
      [['--baseline', '0.8', '--non-inferiority', '0.05', '--sides', '2'], /one-sided test: --sides must be 1/],
      [['--baseline', '0.8', '--non-inferiority', 'abc'], /--non-inferiority must be a number/],
      [['--baseline', '0.1', '--target', '0.12', '--lower-is-better'], /--lower-is-better applies with --non-inferiority/],
      [
        ['--metric', 'mean', '--baseline', '1', '--target', '2', '--sd', '1', '--method', 'arcsine'],
        /--method pooled\|arcsine applies to the two-arm superiority test/,
      ],
      [
        ['--metric', 'mean', '--baseline', '1', '--target', '2', '--sd', '1', '--users-per-day', '0'],
        /--users-per-day must be greater than 0/,
      ],
    ];
    for (const [argv, message] of cases) await expect(run(argv), argv.join(' ')).rejects.toThrow(message);
  });
});

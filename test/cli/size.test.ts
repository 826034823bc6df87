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
    expect(json).toMatchObject({ method: 'pooled', nPerArm: 3841, nSecondArm: 3841, nTotal: 7682, baseline: 0.1, target: 0.12, alpha: 0.05, power: 0.8, ratio: 1, sides: 2 });
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

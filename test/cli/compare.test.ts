import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { compareCommand } from '../../src/cli/commands/compare.ts';
import fixture from '../fixtures/proportions.json';
import { runCommandObject } from '../helpers/cli.ts';

// Called directly (independent of registration in src/cli/commands/index.ts). Reference numbers:
// test/fixtures/proportions.json → abDecision (scripts/reference/proportions.py; calls stored per row).
function run(argv: string[]) {
  return runCommandObject(compareCommand, argv);
}

describe('rollout-lab compare', () => {
  it('--a 43/50 --b 44/50 --json is INCONCLUSIVE with the reference statistics', async () => {
    const row = fixture.abDecision.find((r) => r.name === 'classic tiny sample')!;
    const { code, stdout } = await run(['--a', '43/50', '--b', '44/50', '--json']);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse(stdout);
    expect(json.decision).toBe('INCONCLUSIVE');
    // statsmodels 0.13.5 proportions_ztest(count=[44, 43], nobs=[50, 50]) → z = 0.29735…, p = 0.76620…
    expect(json.z).toBeCloseTo(row.z, 12);
    expect(json.pValue).toBeCloseTo(row.pValue, 12);
    // statsmodels proportion_confint(43, 50, method='wilson'), (44, 50, …); confint_proportions_2indep(44, 50, 43, 50, method='newcomb')
    expect(json.ciA.lower).toBeCloseTo(row.intervalA[0], 13);
    expect(json.ciA.upper).toBeCloseTo(row.intervalA[1], 13);
    expect(json.ciB.lower).toBeCloseTo(row.intervalB[0], 13);
    expect(json.ciB.upper).toBeCloseTo(row.intervalB[1], 13);
    expect(json.effect).toBeCloseTo(0.02, 14);
    expect(json.effectInterval.lower).toBeCloseTo(row.effectInterval[0], 13);
    expect(json.effectInterval.upper).toBeCloseTo(row.effectInterval[1], 13);
    // ceiling(R power.prop.test(p1 = 0.86, p2 = 0.88, power = 0.8)$n) = 4438
    expect(json).toMatchObject({
      requiredSampleSizePerArm: 4438,
      sampleSizeReached: false,
      additionalSamplesPerArm: 4388,
      minEffect: 0.02,
      alpha: 0.05,
      power: 0.8,
    });
    expect(json.recommendation).toContain('Collect about 4388 more per arm');
  });

  it('prints a human summary with the decision', async () => {
    const { stdout } = await run(['--a', '1000/10000', '--b', '1200/10000']);
    expect(stdout).toContain('A: 1000/10000 = 10.00%');
    expect(stdout).toContain('B − A: +2.00 points');
    expect(stdout).toContain('Decision: B_WINS');
    expect(stdout).toContain('3841 per arm (reached)'); // R power.prop.test(p1 = 0.1, p2 = 0.12)$n → 3841
  });

  it('honours --alpha, --power and --min-effect', async () => {
    const { stdout } = await run([
      '--a',
      '5000/10000',
      '--b',
      '5010/10000',
      '--min-effect',
      '0.02',
      '--alpha',
      '0.05',
      '--power',
      '0.8',
      '--json',
    ]);
    expect(JSON.parse(stdout).decision).toBe('TIE');
    const stricter = JSON.parse((await run(['--a', '5000/10000', '--b', '5010/10000', '--min-effect', '0.01', '--json'])).stdout);
    expect(stricter.decision).toBe('INCONCLUSIVE');
    expect(stricter.minEffect).toBe(0.01);
  });

  it('bad input is a UsageError naming the argument', async () => {
    await expect(run(['--a', '60/50', '--b', '44/50'])).rejects.toThrow(UsageError);
    await expect(run(['--a', '60/50', '--b', '44/50'])).rejects.toThrow('--a successes must be at most the total, got 60/50');
    await expect(run(['--a', '43/50', '--b', 'x'])).rejects.toThrow("--b must be successes/total, e.g. 43/50, got 'x'");
    await expect(run(['--a', '0/0', '--b', '1/2'])).rejects.toThrow(/--a total must be at least 1/);
    await expect(run(['--b', '1/2'])).rejects.toThrow('--a is required');
    await expect(run(['--a', '43/50', '--b', '44/50', '--alpha', '2'])).rejects.toThrow(/--alpha must be less than 1, got 2/);
    await expect(run(['--a', '43/50', '--b', '44/50', '--min-effect', '0'])).rejects.toThrow(/--min-effect must be greater than 0/);
    await expect(run(['--a', '3/5', '--b', '44/50', '--min-effect', '0.7'])).rejects.toThrow(/--min-effect 0.7 leaves no room/);
    await expect(run(['--a', '43/50', '--b', '44/50', '--bogus'])).rejects.toThrow(UsageError);
  });
});

/** `rollout-lab boundaries`, run in-process through the command object. */
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { boundariesCommand } from '../../src/cli/commands/boundaries.ts';
import { runCommandObject } from '../helpers/cli.ts';

function run(argv: string[]) {
  return runCommandObject(boundariesCommand, argv);
}

describe('boundaries command', () => {
  test('--json: one object with one z per look (rpact 3.3.4 values)', async () => {
    const result = await run(['--looks', '5', '--spending', 'obf', '--json']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    // rpact 3.3.4 getDesignGroupSequential(kMax=5, alpha=0.05, sided=2, typeOfDesign="asOF")$criticalValues
    const expected = [4.87688494879076, 3.35701192170382, 2.68028006702662, 2.28981677442789, 2.0310320481658];
    expect(result.json.z).toHaveLength(5);
    result.json.z.forEach((z: number, k: number) => expect(Math.abs(z - expected[k])).toBeLessThan(5e-6));
    expect(result.json.sides).toBe(2);
    expect(result.json.cumulativeAlphaSpent[4]).toBeCloseTo(0.05, 12);
  });

  test('one-sided Pocock at unequal fractions (rpact 3.3.4)', async () => {
    const result = await run(['--spending', 'pocock', '--sides', '1', '--alpha', '0.025', '--fractions', '0.1,0.45,0.8,1', '--json']);
    expect(result.code).toBe(0);
    // rpact 3.3.4 getDesignGroupSequential(kMax=4, alpha=0.025, sided=1, typeOfDesign="asP", informationRates=c(0.1, 0.45, 0.8, 1))
    const expected = [2.65511004796849, 2.29094090312719, 2.2909646704793, 2.35949385911226];
    result.json.z.forEach((z: number, k: number) => expect(Math.abs(z - expected[k])).toBeLessThan(5e-6));
    expect(result.json.informationFractions).toEqual([0.1, 0.45, 0.8, 1]);
  });

  test('table output', async () => {
    const result = await run(['--looks', '3', '--spending', 'obf']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/O'Brien–Fleming-type spending, 2-sided, α = 0.05 \(0.025 per side\), 3 looks/);
    expect(lines[1]).toMatch(/look\s+fraction\s+±z\s+nominal p \(one-sided\)\s+cumulative α spent/);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(/^\s*3\s+1\s+\d\.\d{4}\s/);
  });

  test.each([
    [['--spending', 'obf'], /--looks is required/],
    [['--looks', '5'], /--spending is required/],
    [['--looks', '0', '--spending', 'obf'], /--looks must be at least 1/],
    [['--looks', '2.5', '--spending', 'obf'], /--looks must be a whole number/],
    [['--looks', '5', '--spending', 'linear'], /--spending must be one of obf, pocock/],
    [['--looks', '5', '--spending', 'obf', '--alpha', '1.5'], /--alpha must be less than 1/],
    [['--looks', '5', '--spending', 'obf', '--sides', '3'], /--sides must be one of 1, 2/],
    [['--looks', '3', '--spending', 'obf', '--fractions', '0.5,0.4,1'], /strictly increasing/],
    [['--looks', '2', '--spending', 'obf', '--fractions', '0.5,0.9'], /must end at 1/],
    [['--looks', '2', '--spending', 'obf', '--fractions', '0.5,x,1'], /--fractions\[2\] must be a number/],
    [['--looks', '2', '--spending', 'obf', '--fractions', '0.3,0.6,1'], /has 3 values but --looks is 2/],
    [['--looks', '2', '--spending', 'obf', '--bogus'], /unknown option/],
  ])('bad input %j → UsageError', async (argv, message) => {
    await expect(run(argv)).rejects.toThrow(UsageError);
    await expect(run(argv)).rejects.toThrow(message);
  });
});

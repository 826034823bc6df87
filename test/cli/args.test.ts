/**
 * Argument parsing refuses what nobody meant (issue 11, "Arguments and files"): integers in
 * decimal digits only, and a negative number after an option is that option's value.
 */
import { describe, expect, test } from 'vitest';
import { attachNegativeValues, numberOption, parseCommandArgs, parseNumber } from '../../src/cli/args.ts';
import { main } from '../../src/cli/main.ts';

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe('integer options take decimal digits only', () => {
  test.each(['0x10', '1e3', '10.0', ' 10', '10 ', '+10', '0b11', ''])('--replicates %j is refused with one line, exit 2', async (value) => {
    const result = await cli(['simulate', 'scenarios/identical-candidate.json', '--replicates', value]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`rollout-lab simulate: --replicates must be a whole number in decimal digits, got '${value}'\n`);
  });

  test('plain digits and a leading minus are whole numbers', () => {
    expect(parseNumber('10', '--n', { integer: true })).toBe(10);
    expect(parseNumber('-5', '--n', { integer: true })).toBe(-5);
    expect(parseNumber('007', '--n', { integer: true })).toBe(7);
    expect(() => parseNumber('1_000', '--n', { integer: true })).toThrow("--n must be a number, got '1_000'");
    expect(() => parseNumber('9007199254740993', '--n', { integer: true })).toThrow('--n must be a whole number below 2^53');
  });

  test('other numbers take decimal notation only', () => {
    expect(parseNumber('0.05', '--alpha')).toBe(0.05);
    expect(parseNumber('.5', '--alpha')).toBe(0.5);
    expect(parseNumber('1e-3', '--alpha')).toBe(0.001);
    expect(parseNumber('-0.02', '--lift')).toBe(-0.02);
    for (const text of ['0x10', 'Infinity', ' 0.5', '0.5 ', '1e', '--1', '']) {
      expect(() => parseNumber(text, '--alpha')).toThrow(`--alpha must be a number, got '${text}'`);
    }
  });
});

describe('a negative number after an option is its value', () => {
  const options = { seed: { type: 'string' }, 'min-effect': { type: 'string' }, json2: { type: 'boolean' } } as const;

  test('--seed -5 and --min-effect -0.02 are read as values, not as ambiguous options', () => {
    const args = parseCommandArgs(['--seed', '-5', '--min-effect', '-0.02'], options);
    expect(args.values.seed).toBe('-5');
    expect(args.values['min-effect']).toBe('-0.02');
    expect(numberOption(args, 'seed', { integer: true })).toBe(-5);
  });

  test('only options that take a value, only numbers, and nothing after --', () => {
    expect(attachNegativeValues(['--seed', '-5', '--json2', '-1', '--', '--seed', '-2'], options)).toEqual([
      '--seed=-5',
      '--json2',
      '-1',
      '--',
      '--seed',
      '-2',
    ]);
    expect(attachNegativeValues(['--seed', '-x'], options)).toEqual(['--seed', '-x']);
    expect(attachNegativeValues(['--seed', '-.5'], options)).toEqual(['--seed=-.5']);
  });

  test('compare --min-effect -0.02 is refused for its value (it must be positive), not as an ambiguous option', async () => {
    const result = await cli(['compare', '--a', '43/50', '--b', '44/50', '--min-effect', '-0.02']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('rollout-lab compare: --min-effect must be greater than 0, got -0.02\n');
  });

  test('simulate --seed -5 runs with seed -5', async () => {
    const result = await cli(['simulate', 'scenarios/identical-candidate.json', '--replicates', '3', '--seed', '-5', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).seed).toBe(-5);
  });
});

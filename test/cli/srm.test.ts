import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { srmCommand } from '../../src/cli/commands/srm.ts';
import { main } from '../../src/cli/main.ts';
import { runCommandObject } from '../helpers/cli.ts';

// Reference values: scipy 1.10.1 `stats.chisquare([50500, 49500])` → statistic 10.0,
// p 0.001565402258002549; `chisquare([821588, 815482])` → p 1.8217928726191858e-06;
// `chisquare([2020, 2950, 5030], [2000, 3000, 5000])` → 1.2133333333333334, p 0.5451650606108354
// (test/fixtures/continuous.json, scripts/reference/continuous.py).

function run(argv: string[]) {
  return runCommandObject(srmCommand, argv);
}

describe('rollout-lab srm', () => {
  it('prints one JSON object with --json', async () => {
    const result = await run(['--counts', '50500,49500', '--json']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.json.chiSquare).toBe(10);
    expect(result.json.pValue).toBeCloseTo(0.001565402258002549, 12);
    expect(result.json.expected).toEqual([50000, 50000]);
    expect(result.json.mismatch).toBe(false);
    expect(result.json.threshold).toBe(0.001);
  });

  it('flags a mismatch with exit code 1 and a human summary', async () => {
    const result = await run(['--counts', '821588,815482']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Sample-ratio mismatch: p = 1\.82e-6 < 0\.001/);
    expect(result.stdout).toMatch(/χ² = 22\.77 with 1 degree of freedom/);
  });

  it('takes weights for any number of arms and a threshold', async () => {
    const result = await run(['--counts', '2020,2950,5030', '--weights', '20,30,50', '--threshold', '0.01', '--json']);
    expect(result.code).toBe(0);
    expect(result.json.chiSquare).toBeCloseTo(1.2133333333333334, 12);
    expect(result.json.pValue).toBeCloseTo(0.5451650606108354, 9);
    expect(result.json.degreesOfFreedom).toBe(2);
    expect(result.json.expected).toEqual([2000, 3000, 5000]);
    const human = await run(['--counts', '2020,2950,5030', '--weights', '20,30,50']);
    expect(human.stdout).toMatch(/No sample-ratio mismatch detected: p = 0\.5452/);
    expect(human.stdout).toMatch(/\n\s+3\s+5030\s+5000\s+50\.300%\s+50\.000%/);
  });

  it('turns bad input into a UsageError naming the argument', async () => {
    const cases: [string[], RegExp][] = [
      [['--counts', '10,abc'], /--counts item 2 must be a number, got 'abc'/],
      [['--counts', '10,-5'], /--counts item 2 must be at least 0/],
      [['--counts', '10,2.5'], /--counts item 2 must be a whole number/],
      [['--counts', '10'], /--counts must list at least 2 arms/],
      [['--counts', '0,0'], /--counts must not all be zero/],
      [['--counts', '10,20', '--weights', '1,1,1'], /--weights must list one weight per arm \(2\), got 3/],
      [['--counts', '10,20', '--weights', '1,0'], /--weights item 2 must be greater than 0/],
      [['--counts', '10,20', '--threshold', '2'], /--threshold must be less than 1/],
      [[], /--counts is required/],
      [['--count', '1,2'], /unknown option/],
    ];
    for (const [argv, message] of cases) {
      await expect(run(argv), argv.join(' ')).rejects.toThrow(UsageError);
      await expect(run(argv), argv.join(' ')).rejects.toThrow(message);
    }
  });

  it('exits with code 2 and one line through main() once registered', async () => {
    const { commands } = await import('../../src/cli/commands/index.ts');
    if (!commands.includes(srmCommand)) commands.push(srmCommand); // until the lead registers it
    let stderr = '';
    const code = await main(['srm', '--counts', '10,abc'], {
      stdout: { write: () => undefined },
      stderr: { write: (t: string) => (stderr += t) },
    });
    expect(code).toBe(2);
    expect(stderr).toBe("rollout-lab srm: --counts item 2 must be a number, got 'abc'\n");
  });
});

describe('rollout-lab srm --sequential', () => {
  // The series of scripts/reference/design_srm.py: p after each day = min(1, 1/max BF so far), with the one-shot
  // Dirichlet–multinomial Bayes factor in scipy gammaln (prior 100·θ₀).
  const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-srm-'));
  const days = join(directory, 'days.csv');
  writeFileSync(
    days,
    'day,control,candidate\n2026-11-01,1000,1010\n2026-11-02,990,1003\n2026-11-03,1021,985\n2026-11-04,1040,975\n' +
      '2026-11-05,1035,968\n2026-11-06,1050,990\n2026-11-07,1046,975\n2026-11-08,1030,1001\n2026-11-09,1000,1045\n',
  );
  const threeArms = join(directory, 'three.csv');
  writeFileSync(threeArms, 'control,b,c\n1000,1000,2000\n1000,700,2000\n');
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('--json: the final p and the per-period series (scipy reference values)', async () => {
    const result = await run(['--sequential', days, '--json']);
    expect(result.code).toBe(0);
    expect(result.json.arms).toEqual(['control', 'candidate']);
    expect(result.json.series).toHaveLength(9);
    expect(result.json.series[6].period).toBe('2026-11-07');
    expect(result.json.series[6].pValue).toBeCloseTo(0.8147226151303921, 8);
    expect(result.json.series[8].cumulativeCounts).toEqual([9212, 8952]);
    expect(result.json.pValue).toBeCloseTo(0.7252378240665467, 8);
    expect(result.json.mismatch).toBe(false);
    expect(result.json.firstMismatchPeriod).toBeNull();
  });

  it('prints p after each row and the verdict; exit 1 and the first period on a mismatch', async () => {
    const quiet = await run(['--sequential', days]);
    expect(quiet.stdout).toMatch(/2026-11-08 +1030 +1001 +0\.7252\n/);
    expect(quiet.stdout).toMatch(/No sample-ratio mismatch detected: p = 0\.7252 ≥ 0\.001 after 9 periods\./);
    const loud = await run(['--sequential', threeArms, '--weights', '1,1,2']);
    expect(loud.code).toBe(1);
    expect(loud.stdout).toMatch(/first below the threshold at period 2\./);
  });

  it('refuses malformed files and options, naming the line and column', async () => {
    const bad = join(directory, 'bad.csv');
    writeFileSync(bad, 'control,candidate\n10,x\n');
    const short = join(directory, 'short.csv');
    writeFileSync(short, 'control,candidate\n10,20,30\n');
    const cases: [string[], RegExp][] = [
      [['--sequential', bad], /counts file '.*bad\.csv' line 2, column 'candidate' must be a number, got 'x'/],
      [['--sequential', short], /line 2: expected 2 fields, got 3/],
      [['--sequential', days, '--weights', '1,1,1'], /--weights must list one weight per arm \(2: control, candidate\), got 3/],
      [['--sequential', days, '--counts', '1,2'], /give either --counts or --sequential, not both/],
      [['--sequential', join(directory, 'missing.csv')], /cannot read counts file .*: no such file/],
      [['--counts', '1,2', '--concentration', '10'], /--concentration applies to --sequential only/],
    ];
    for (const [argv, message] of cases) await expect(run(argv), argv.join(' ')).rejects.toThrow(message);
  });
});

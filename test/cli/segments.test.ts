import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, readSegmentCounts, segmentsCommand } from '../../src/cli/commands/segments.ts';
import fixture from '../fixtures/analysis.json';
import { runCommandObject } from '../helpers/cli.ts';

// Kidney stones: Charig et al., BMJ 1986 (test/fixtures/kidney_stones_charig1986.csv). Reference
// statistics: statsmodels 0.13.5 via scripts/reference/analysis.py (fixture segments.kidney).
const KIDNEY = 'test/fixtures/kidney_stones_charig1986.csv';

function run(argv: string[]) {
  return runCommandObject(segmentsCommand, argv);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-lab-segments-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const kidneyArgs = [KIDNEY, '--variant', 'treatment', '--segment', 'stone_size', '--success', 'successes', '--total', 'total'];

describe('rollout-lab segments', () => {
  it('finds the paradox in the kidney-stone data (--json, one object)', async () => {
    const result = await run([...kidneyArgs, '--json']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.json.simpsonParadox).toBe(true);
    expect(result.json.variants).toEqual(['A', 'B']);
    // A is ahead in both strata and B overall, but no difference is significant (strata after Holm's correction): no winner.
    expect(result.json.segments.map((s: any) => [s.segment, s.higher, s.winner])).toEqual([
      ['small', 'A', null],
      ['large', 'A', null],
    ]);
    expect(result.json.aggregate.higher).toBe('B');
    expect(result.json.aggregate.winner).toBeNull();
    expect(result.json.aggregate.pValue).toBeCloseTo(fixture.segments.kidney.aggregate.pValue, 12); // proportions_ztest([273, 289], [350, 350])
    expect(result.json.segments[0].pValue).toBeCloseTo(fixture.segments.kidney.segments[0].pValue, 12); // proportions_ztest([81, 234], [87, 270])
    expect(result.json.routing.map((r: any) => r.serve)).toEqual(['A', 'A']);
    expect(result.json.recommendation).toMatch(/^No winner: neither A nor B is significantly better/);
  });

  it('prints a table with the explanation by default', async () => {
    const result = await run(kidneyArgs);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('A vs B: success rate by segment');
    expect(result.stdout).toMatch(/small\s+51\.0%\s+93\.1% \(81\/87\)\s+86\.7% \(234\/270\)/);
    expect(result.stdout).toMatch(
      /overall\s+100\.0%\s+78\.0% \(273\/350\)\s+82\.6% \(289\/350\)\s+−4\.6% \[−10\.4%, \+1\.3%\]\s+0\.1285\s+none/,
    );
    expect(result.stdout).toContain("Simpson's paradox: B is ahead overall (A vs B: 78.0% vs 82.6%) but behind in every segment");
    expect(result.stdout).toContain('Recommendation: No winner: neither A nor B is significantly better overall (p = 0.13)');
  });

  it('accepts one observation per row and agrees with the aggregate form', async () => {
    const lines = ['arm,"device type",converted'];
    const add = (arm: string, device: string, successes: number, total: number) => {
      for (let i = 0; i < total; i++) lines.push(`${arm},"${device}",${i < successes ? 1 : 0}`);
    };
    add('control', 'phone, small', 40, 100);
    add('candidate', 'phone, small', 45, 100);
    add('control', 'desktop', 30, 50);
    add('candidate', 'desktop', 33, 50);
    const file = csv('observations.csv', lines.join('\r\n') + '\r\n');
    const result = await run([file, '--variant', 'arm', '--segment', 'device type', '--success', 'converted', '--json']);
    expect(result.code).toBe(0);
    expect(result.json.simpsonParadox).toBe(false);
    expect(result.json.segments[0].segment).toBe('phone, small');
    expect(result.json.segments[0].first).toMatchObject({ variant: 'control', successes: 40, total: 100 });
    expect(result.json.aggregate.second).toMatchObject({ variant: 'candidate', successes: 78, total: 150 });
  });

  it('rejects unknown columns, naming them', async () => {
    await expect(run([KIDNEY, '--variant', 'arm', '--segment', 'size', '--success', 'successes', '--total', 'total'])).rejects.toThrow(
      new RangeError(
        `unknown columns 'arm' (--variant), 'size' (--segment) in ${KIDNEY}; its columns are treatment, treatment_desc, stone_size, successes, total`,
      ),
    );
  });

  it('rejects bad rows, naming the row', async () => {
    const ragged = csv('ragged.csv', 'v,s,y\nA,x,1\nB,x\n');
    await expect(run([ragged, '--variant', 'v', '--segment', 's', '--success', 'y'])).rejects.toThrow(
      `${ragged} row 3 has 2 fields, the header has 3`,
    );
    const notBinary = csv('binary.csv', 'v,s,y\nA,x,1\nB,x,2\n');
    await expect(run([notBinary, '--variant', 'v', '--segment', 's', '--success', 'y'])).rejects.toThrow(
      `${notBinary} row 3: y must be 0 or 1 for one observation per row (use --total for counts), got '2'`,
    );
    const tooMany = csv('counts.csv', 'v,s,y,n\nA,x,5,4\n');
    await expect(run([tooMany, '--variant', 'v', '--segment', 's', '--success', 'y', '--total', 'n'])).rejects.toThrow(
      `${tooMany} row 2: y (5) is larger than n (4)`,
    );
    const negative = csv('negative.csv', 'v,s,y,n\nA,x,-1,4\n');
    await expect(run([negative, '--variant', 'v', '--segment', 's', '--success', 'y', '--total', 'n'])).rejects.toThrow(
      `${negative} row 2: y must be a whole number ≥ 0, got '-1'`,
    );
    const three = csv('three.csv', 'v,s,y\nA,x,1\nB,x,0\nC,x,1\n');
    await expect(run([three, '--variant', 'v', '--segment', 's', '--success', 'y'])).rejects.toThrow(/row 4: a third variant 'C'/);
    const gap = csv('gap.csv', 'v,s,y\nA,x,1\nB,x,0\nA,z,1\n');
    await expect(run([gap, '--variant', 'v', '--segment', 's', '--success', 'y'])).rejects.toThrow(
      `${gap}: segment 'z' has no traffic for variant 'B'`,
    );
  });

  it('rejects missing arguments and files', async () => {
    await expect(run(['--variant', 'a', '--segment', 'b', '--success', 'c'])).rejects.toThrow('FILE.csv is required');
    await expect(run([KIDNEY, '--segment', 'b', '--success', 'c'])).rejects.toThrow('--variant is required');
    await expect(run([join(dir, 'nope.csv'), '--variant', 'a', '--segment', 'b', '--success', 'c'])).rejects.toThrow(
      /cannot read .*nope\.csv: ENOENT/,
    );
    await expect(run([...kidneyArgs, '--alpha', '1'])).rejects.toThrow('--alpha must be less than 1, got 1');
  });
});

describe('parseCsv', () => {
  it('handles quotes, escaped quotes, embedded newlines, CRLF and a BOM', () => {
    const records = parseCsv('\ufeffa,b\r\n"x, ""y""","line\nbreak"\n\n,\n');
    expect(records).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x, "y"', 'line\nbreak'], line: 2 },
      { fields: ['', ''], line: 5 },
    ]);
    expect(() => parseCsv('a\n"open')).toThrow('unclosed quote in the record starting on line 2');
  });
});

describe('segments streams its CSV (issue 11: a 200 MB CSV must not run out of memory)', () => {
  const columns = { variant: 'v', segment: 's', success: 'y' };
  const row = (i: number) => `${i % 2 === 0 ? 'A' : 'B'},${i % 3 === 0 ? 'mobile' : 'desktop'},${i % 5 === 0 ? 1 : 0}\n`;

  it('counts are added up chunk by chunk: a bad row stops the reading before the rest of the file is asked for', async () => {
    let chunksRead = 0;
    async function* chunks() {
      chunksRead++;
      yield 'v,s,y\n' + Array.from({ length: 1000 }, (_, i) => row(i)).join('');
      chunksRead++;
      yield 'A,mobile,7\n'; // line 1002: not 0 or 1
      chunksRead++;
      throw new Error('read past the bad row: the whole input was read before it was parsed');
    }
    await expect(readSegmentCounts(chunks(), 'big.csv', columns)).rejects.toThrow(
      "big.csv row 1002: y must be 0 or 1 for one observation per row (use --total for counts), got '7'",
    );
    expect(chunksRead).toBe(2);
  });

  it('bytes split anywhere, even inside a UTF-8 character, give the counts of the whole text', async () => {
    const body = 'v,s,y\n' + Array.from({ length: 600 }, (_, i) => row(i).replace('mobile', 'móvil')).join('');
    const bytes = new TextEncoder().encode(body);
    async function* chunks(size: number) {
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    }
    const whole = await readSegmentCounts(chunks(bytes.length), 'x.csv', columns);
    // i from 0 to 599: A on even i, móvil on multiples of 3, a success on multiples of 5 — so móvil A
    // is i ≡ 0 (mod 6), 100 rows, 20 of them successes (i ≡ 0 mod 30); móvil B 100 rows, 20 (odd multiples of 15).
    expect(whole.variants).toEqual(['A', 'B']);
    expect(whole.segments).toEqual([
      { name: 'móvil', first: { successes: 20, total: 100 }, second: { successes: 20, total: 100 } },
      { name: 'desktop', first: { successes: 40, total: 200 }, second: { successes: 40, total: 200 } },
    ]);
    for (const size of [1, 7, 4096]) expect(await readSegmentCounts(chunks(size), 'x.csv', columns)).toEqual(whole);
  });

  it('a file that starts with a UTF-8 byte-order mark: its first column keeps its name', async () => {
    const path = csv('bom.csv', '\ufeffv,s,y\n' + Array.from({ length: 60 }, (_, i) => row(i)).join(''));
    const result = await run([path, '--variant', 'v', '--segment', 's', '--success', 'y', '--json']);
    expect(result.code).toBe(0);
    expect(result.json.variants).toEqual(['A', 'B']);
  });

  it('a file read in 1 MB chunks: 5 MB of rows give exact counts through the command', async () => {
    const block = Array.from({ length: 30 }, (_, i) => row(i)).join(''); // 30 rows: A/B even split, 10 mobile, 6 successes
    const repeats = Math.ceil((5 << 20) / block.length);
    const path = csv('large.csv', 'v,s,y\n' + block.repeat(repeats));
    const result = await run([path, '--variant', 'v', '--segment', 's', '--success', 'y', '--json']);
    expect(result.code).toBe(0);
    const [mobile, desktop] = result.json.segments;
    expect(mobile.segment).toBe('mobile');
    expect(mobile.first.total + mobile.second.total).toBe(10 * repeats);
    expect(desktop.first.total + desktop.second.total).toBe(20 * repeats);
    expect(mobile.first.successes + mobile.second.successes + desktop.first.successes + desktop.second.successes).toBe(6 * repeats);
  });
});

// UC Berkeley 1973 admissions (test/fixtures/ucb_admissions_1973.md): the CLI's streamed reader
// and the app's Segments view (Arquero, columns guessed) must read the same counts.
describe('one column mapping for the CLI and the app', () => {
  it('reads the Berkeley CSV with --segment dept --variant gender --success admitted --total applicants as the app does', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseSegmentsCsv } = await import('../../src/ui/segments/segmentsCsv.ts');
    const file = 'test/fixtures/ucb_admissions_1973.csv';
    const text = readFileSync(file, 'utf8');
    const cli = await readSegmentCounts(
      (async function* () {
        yield text;
      })(),
      file,
      { segment: 'dept', variant: 'gender', success: 'admitted', total: 'applicants' },
    );
    const app = parseSegmentsCsv(text);
    expect(app.columns).toEqual({ segment: 'dept', variant: 'gender', success: 'admitted', total: 'applicants' });
    expect({ variants: app.variants, segments: app.segments }).toEqual(cli);
    expect(cli.segments[2]).toEqual({ name: 'C', first: { successes: 120, total: 325 }, second: { successes: 202, total: 593 } });
  });
});

import { describe, expect, it } from 'vitest';
import { forkStream, streamFor } from '../../../src/engine/random/streams.ts';

const first = (random: () => number, count = 5) => Array.from({ length: count }, random);

/** Pearson correlation of two equally long series. */
function correlation(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('streamFor', () => {
  it('derives the documented streams (pinned against scripts/reference/random_streams.py)', () => {
    // scripts/reference/random_streams.py stream_for(...): Python transcription of the documented
    // derivation (MurmurHash3_x86_128 of the key → xoshiro128** state → 53-bit doubles).
    expect(first(streamFor(42, 0))).toEqual([
      0.8315690532799878, 0.6723111938456007, 0.6003485594886913, 0.8108032388673865, 0.9231845217431673,
    ]);
    expect(first(streamFor(42, 1))).toEqual([
      0.025164383832723236, 0.9705209356724849, 0.8097343076616993, 0.17568557045627675, 0.30480210626241777,
    ]);
    expect(first(streamFor('rollout', 2 ** 40 + 3, 'traffic'))).toEqual([
      0.6281119195117117, 0.11084939113149772, 0.20437794159773814, 0.8273022813243301, 0.3700288267895059,
    ]);
    expect(first(streamFor('héllo 🚀', 7, 'faults'))).toEqual([
      0.3789400265245154, 0.8122717981907417, 0.388397930689232, 0.896844222706751, 0.043399935944866685,
    ]);
  });

  it('treats a numeric seed as its decimal string, and separates purposes', () => {
    expect(first(streamFor('42', 3))).toEqual(first(streamFor(42, 3)));
    expect(first(streamFor(42, 3, 'traffic'))).not.toEqual(first(streamFor(42, 3)));
    expect(first(streamFor(42, 3, 'traffic'))).not.toEqual(first(streamFor(42, 3, 'faults')));
    // The length prefixes keep ("1", "23") and ("12", "3")-style splits apart.
    expect(first(streamFor('ab', 0, 'c'))).not.toEqual(first(streamFor('a', 0, 'bc')));
  });

  it('gives distinct first outputs to 100 000 replicates', () => {
    const seen = new Set<number>();
    for (let replicate = 0; replicate < 100_000; replicate++) seen.add(streamFor(7, replicate)());
    // With 53-bit outputs, a collision among 10⁵ independent draws has probability ≈ 5·10⁻⁷.
    expect(seen.size).toBe(100_000);
  });

  it('gives uncorrelated streams for neighbouring replicates and seeds', () => {
    // Under independence the sample correlation of N pairs has SE 1/√N; tolerance 4/√N.
    const n = 100_000;
    const tolerance = 4 / Math.sqrt(n);
    const pairs: Array<[() => number, () => number]> = [
      [streamFor(1, 0), streamFor(1, 1)],
      [streamFor(1, 1), streamFor(1, 2)],
      [streamFor(1, 0), streamFor(2, 0)],
      [streamFor(1, 0, 'a'), streamFor(1, 0, 'b')],
    ];
    for (const [a, b] of pairs) {
      const x = Float64Array.from({ length: n }, a);
      const y = Float64Array.from({ length: n }, b);
      expect(Math.abs(correlation(x, y))).toBeLessThan(tolerance);
    }
    // Across replicates: the k-th output of replicate i vs replicate i + 1, for k = 1 and 2.
    const replicates = 50_000;
    const firsts = new Float64Array(replicates + 1);
    const seconds = new Float64Array(replicates + 1);
    for (let i = 0; i <= replicates; i++) {
      const random = streamFor(99, i);
      firsts[i] = random();
      seconds[i] = random();
    }
    const across = 4 / Math.sqrt(replicates);
    expect(Math.abs(correlation(firsts.subarray(0, replicates), firsts.subarray(1)))).toBeLessThan(across);
    expect(Math.abs(correlation(seconds.subarray(0, replicates), seconds.subarray(1)))).toBeLessThan(across);
    expect(Math.abs(correlation(firsts, seconds))).toBeLessThan(across);
  });

  it('rejects invalid seeds, replicates and purposes', () => {
    expect(() => streamFor(1.5, 0)).toThrow(/seed must be a safe integer or a string, got 1.5/);
    expect(() => streamFor(Number.NaN, 0)).toThrow(/seed/);
    expect(() => streamFor(1, -1)).toThrow(/replicate must be a non-negative integer, got -1/);
    expect(() => streamFor(1, 0.5)).toThrow(/replicate/);
    expect(() => streamFor(1, 0, 3 as unknown as string)).toThrow(/purpose/);
  });
});

describe('forkStream', () => {
  it('derives a pinned sub-stream and advances the parent by two draws', () => {
    const parent = streamFor(42, 0);
    const child = forkStream(parent, 'candidate');
    // scripts/reference/random_streams.py fork_stream(stream_for(42, 0), "candidate")
    expect(first(child)).toEqual([0.8792397234700102, 0.30235920832966245, 0.6975891188492638, 0.10316845462474145, 0.6317649305573879]);
    // The parent's third output (scripts/reference/random_streams.py "parent after fork").
    expect(parent()).toBe(0.6003485594886913);
  });

  it('gives different sub-streams for different labels', () => {
    expect(first(forkStream(streamFor(5, 0), 'a'))).not.toEqual(first(forkStream(streamFor(5, 0), 'b')));
    expect(() => forkStream(() => 1, 'x')).toThrow(/parent must return numbers in \[0, 1\)/);
  });
});

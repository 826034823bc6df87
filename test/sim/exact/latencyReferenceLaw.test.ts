/**
 * The historical latency references' law (src/sim/exact/latencyReferenceLaw.ts) and the baseline
 * law's nodes split by it (baselineLaw.ts): one atom for a day of requests, the exact joint
 * weights of (rate cell, atom) against a brute-force sum over N, a hand-checkable single-window
 * rollout, and end to end against the windowed and per-request modes where the pooled p95 keeps
 * two substantial buckets and the rule's verdict changes between them.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/engine/controller/compilePolicy.ts';
import { ratioRule } from '../../../src/engine/policy/healthRules.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { baselineStage, canaryStage, promoteStage } from '../../../src/engine/policy/stages.ts';
import { incompleteBeta, logGamma } from '../../../src/engine/stats/distributions.ts';
import { baselineLaw } from '../../../src/sim/exact/baselineLaw.ts';
import { poissonLaw } from '../../../src/sim/exact/countRange.ts';
import { evaluateExact } from '../../../src/sim/exact/evaluateExact.ts';
import { bucketRepresentative, bucketUpperEdge, largestIndexWithin } from '../../../src/sim/exact/latencyLimitLaw.ts';
import { jointCellAtomWeights, jointPairWeights, latencyReferenceLaw } from '../../../src/sim/exact/latencyReferenceLaw.ts';
import type { BaselineWindowLatency } from '../../../src/sim/exact/pooledQuantileLaw.ts';
import { pooledQuantileLaw } from '../../../src/sim/exact/pooledQuantileLaw.ts';
import { latencyModel } from '../../../src/sim/latencyModel.ts';
import { simulate } from '../../../src/sim/runner.ts';
import type { Scenario } from '../../../src/sim/scenario.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import { expectedArrivals, exposedShare } from '../../../src/sim/traffic.ts';
import { compileWorld } from '../../../src/sim/world.ts';

/** The lab's control latency law (scenarios/identical-candidate.json): lognormal, median 120 ms, p95 400 ms. */
const labLatency = latencyModel({ kind: 'lognormal', median: 120, p95: 400 });

/** b(k; n, p) by log-gamma (no recurrence: an independent route from the walkers'). */
function binomialPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return 0;
  if (p <= 0) return k === 0 ? 1 : 0;
  if (p >= 1) return k === n ? 1 : 0;
  return Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

function scenario(fields: { requestsPerSecond: number; p95: number; candidateP95?: number; errorRate?: number; users?: number }): Scenario {
  const parsed = parseScenario({
    version: 1,
    name: 'latency reference law test',
    horizon: '1d',
    traffic: { requestsPerSecond: fields.requestsPerSecond, users: { count: fields.users ?? 5000, zipfExponent: 0 } },
    control: { latency: { kind: 'lognormal', median: 120, p95: fields.p95 }, errorRate: fields.errorRate ?? 0.01 },
    candidate: { latency: { kind: 'lognormal', median: 120, p95: fields.candidateP95 ?? fields.p95 }, errorRate: fields.errorRate ?? 0.01 },
    truth: { errorRateRatio: 1.2, p95Ratio: 1.1 },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

describe('latencyReferenceLaw', () => {
  it("the lab's day of requests: the pooled p50 and p95 each keep one bucket, the rest neglected", () => {
    // scenarios/identical-candidate.json's daily cycle at the lab's 20 req/s: 288 five-minute windows, 1.73M requests.
    const parsed = parseScenario({
      version: 1,
      name: 'lab day',
      horizon: '2d',
      traffic: { requestsPerSecond: 20, dailyCycle: { amplitude: 0.3, peakHour: 14 }, users: { count: 20000, zipfExponent: 0.8 } },
      control: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01 },
      candidate: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01 },
      truth: { errorRateRatio: 1.2, p95Ratio: 1.1 },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const windows: BaselineWindowLatency[] = [];
    for (let start = 0; start < 86_400; start += 300)
      windows.push({ expected: expectedArrivals(parsed.scenario.traffic, start, start + 300), multiplier: 1 });
    const law = latencyReferenceLaw(['latencyP50', 'latencyP95'], windows, labLatency, 1e-12);
    // 120 ms lies in bucket 240 ((γ^239, γ^240] = (119.1, 121.5]) and 400 ms in bucket 300
    // ((395.5, 403.5]): ~10 and ~7 standard deviations of the pooled quantile from the edges.
    expect(law.fixed).toEqual({ latencyP50: bucketRepresentative(240), latencyP95: bucketRepresentative(300) });
    expect(law.spread).toBeNull();
    expect(law.neglected).toBeGreaterThan(0);
    expect(law.neglected).toBeLessThan(1e-10);
  });

  it('keeps spread metrics with their atoms: two summed jointly, a third read at its most likely bucket, noted', () => {
    // 2 h at 100 req/s (720,000 requests), p95 = 400: the pooled p95 is ~4.8 sd from bucket 300's upper edge.
    const windows = Array.from({ length: 24 }, () => ({ expected: 30_000, multiplier: 1 }));
    const law = latencyReferenceLaw(['latencyP95', 'latencyP50'], windows, labLatency, 1e-12);
    expect(law.fixed.latencyP50).toBe(bucketRepresentative(240));
    expect(law.spread?.metric).toBe('latencyP95');
    expect(law.spread?.atoms.map((atom) => atom.bucket)).toEqual([300, 301]);
    expect(law.paired).toBeNull();
    expect(law.notes).toEqual([]);
    // Few requests: every percentile spreads over several buckets. The two most spread (the p99
    // and p95) are summed jointly; the p50 is read at its most likely bucket and the mass of its
    // others — P(p50 ≠ that bucket), a bound on the error whatever the dependence — is neglected,
    // with a note the evaluator quotes when it refuses.
    const few = [{ expected: 400, multiplier: 1 }];
    const three = latencyReferenceLaw(['latencyP50', 'latencyP95', 'latencyP99'], few, labLatency, 1e-12);
    expect([three.spread?.metric, three.paired?.metric]).toEqual(['latencyP99', 'latencyP95']);
    const p50 = pooledQuantileLaw(0.5, few, labLatency, 1e-12);
    const mostLikely = p50.atoms.reduce((best, atom) => (atom.probability > best.probability ? atom : best));
    expect(three.fixed.latencyP50).toBe(mostLikely.value);
    expect(three.neglected).toBeGreaterThan(1 - mostLikely.probability);
    expect(three.neglected).toBeLessThan(1 - mostLikely.probability + 1e-8);
    expect(three.notes).toHaveLength(1);
    expect(three.notes[0]).toMatch(
      /^the historical latencyP50 reference \(the pooled percentile, spread over \d+ sketch buckets\) is read at its most likely bucket, \d+\.\d\d ms, and the other buckets' \d\.\d\de-?\d+ of probability neglected: its joint law with the pooled latencyP99 and latencyP95 .* is not summed here$/,
    );
  });

  it('joint weights of (p50 atom, p95 atom) equal a sum over independent Poisson counts, and split by rate cells without loss', () => {
    // An independent route: by Poisson thinning the counts at or below the lower edge, between the
    // edges and above the upper one are independent Poissons A, B, C (means Λ·ū), and the reported
    // p50 and p95 are at or below their edges exactly when the engine's tests A > 0.5(N − 1) and
    // A + B > 0.95(N − 1) hold (N = A + B + C; edges the other way round, the roles swap). Each
    // test is monotone in C, so the sum is over (A, B) with C's distribution function.
    const total = 100;
    const windows = [{ expected: total, multiplier: 1 }];
    const kept = (metric: 'latencyP50' | 'latencyP95', q: number) => {
      const atoms = pooledQuantileLaw(q, windows, labLatency, 1e-14).atoms.filter((atom) => atom.probability > 1e-3);
      const mostLikely = atoms.reduce((best, atom) => (atom.probability > best.probability ? atom : best));
      return { metric, level: q, atoms, offMostLikely: 1 - mostLikely.probability };
    };
    const p50 = kept('latencyP50', 0.5);
    const p95 = kept('latencyP95', 0.95);
    expect(p50.atoms.length).toBeGreaterThan(3);
    expect(p95.atoms.length).toBeGreaterThan(3);
    const joint = jointPairWeights(poissonLaw(total, 1e-15), null, [p95, p50], windows, labLatency, 1e-15);
    expect(joint.neglected).toBeLessThan(1e-10);
    const u = (bucket: number) => labLatency.cdf(bucketUpperEdge(bucket));
    const pmf = (mean: number) => Float64Array.from({ length: 400 }, (_, k) => Math.exp(k * Math.log(mean) - mean - logGamma(k + 1)));
    /** P(p95 ≤ bucket b, p50 ≤ bucket c). */
    const both = (b: number, c: number): number => {
      const [lowerEdge, upperEdge] = [Math.min(b, c), Math.max(b, c)];
      const [x, y] = [u(lowerEdge), u(upperEdge)];
      const [pa, pb, pc] = [pmf(total * x), pmf(total * (y - x)), pmf(total * (1 - y))];
      const cdfC = new Float64Array(400);
      for (let k = 0, sum = 0; k < 400; k++) cdfC[k] = sum += pc[k];
      // Which count each quantile reads: the p50 the lower one when its edge is the lower.
      const p50Count = (a: number, ab: number) => (c <= b ? a : ab);
      const p95Count = (a: number, ab: number) => (c <= b ? ab : a);
      let sum = 0;
      for (let a = 0; a < 400; a++)
        for (let extra = 0; extra < 400; extra++) {
          const weight = pa[a] * pb[extra];
          if (weight < 1e-300) continue;
          // The largest C with both tests passing (each holds for C up to some bound).
          let most = -1;
          while (most + 1 < 400) {
            const n = a + extra + most + 1;
            if (!(p50Count(a, a + extra) > 0.5 * (n - 1) && p95Count(a, a + extra) > 0.95 * (n - 1))) break;
            most++;
          }
          if (most >= 0) sum += weight * cdfC[most];
        }
      return sum;
    };
    const cache = new Map<string, number>();
    const cached = (b: number, c: number) => {
      const key = `${b}|${c}`;
      if (!cache.has(key)) cache.set(key, both(b, c));
      return cache.get(key) as number;
    };
    const lastHigh = p95.atoms.length - 1;
    const lastLow = p50.atoms.length - 1;
    for (const [i, high] of p95.atoms.entries())
      for (const [k, low] of p50.atoms.entries()) {
        const mass =
          cached(high.bucket, low.bucket) -
          cached(high.bucket - 1, low.bucket) -
          cached(high.bucket, low.bucket - 1) +
          cached(high.bucket - 1, low.bucket - 1);
        // The atoms at either end also carry the mass beyond them (below 1e-2 here): exact elsewhere.
        const tolerance = i === 0 || k === 0 || i === lastHigh || k === lastLow ? 1e-2 : 1e-12;
        expect(Math.abs(joint.weights[i * p50.atoms.length + k] - mass), `atoms ${high.bucket}, ${low.bucket}`).toBeLessThan(tolerance);
      }
    // The same weights split by error-rate cells (given N, independent of the latencies) add up to them.
    const cells = jointPairWeights(
      poissonLaw(total, 1e-15),
      { probability: 0.05, cuts: [0.04, 0.06] },
      [p95, p50],
      windows,
      labLatency,
      1e-15,
    );
    const combinations = p95.atoms.length * p50.atoms.length;
    for (let c = 0; c < combinations; c++) {
      const split = cells.weights[c] + cells.weights[combinations + c] + cells.weights[2 * combinations + c];
      expect(Math.abs(split - joint.weights[c])).toBeLessThan(1e-13);
    }
  });

  it('joint weights of (rate cell, p95 atom) equal a brute-force sum over N, and are not the product of the marginals', () => {
    // N ~ Poisson(200); given N the errors E ~ Bin(N, 0.05) and the pooled count at or below an
    // edge A ~ Bin(N, ū) are independent; the reported bucket is ≤ b when A > 0.95·(N − 1).
    // The brute force sums those binomials term by term (log-gamma pmfs), N over ±15 sd.
    const windows = [{ expected: 200, multiplier: 1 }];
    const pooled = pooledQuantileLaw(0.95, windows, labLatency, 1e-14);
    const atoms = pooled.atoms.filter((atom) => atom.probability > 1e-3);
    expect(atoms.length).toBeGreaterThan(4);
    const cuts = [0.03, 0.05, 0.07];
    const requests = poissonLaw(200, 1e-15);
    const joint = jointCellAtomWeights(requests, 0.05, cuts, 0.95, atoms, windows, labLatency, 1e-15);
    expect(joint.neglected).toBeLessThan(1e-12);
    const cellOf = (e: number, n: number) => cuts.filter((cut) => !(e / n < cut)).length;
    const known = new Map<string, number>();
    const atMost = (bucket: number, n: number) => {
      const key = `${bucket}|${n}`;
      const cached = known.get(key);
      if (cached !== undefined) return cached;
      const u = labLatency.cdf(bucketUpperEdge(bucket));
      let sum = 0;
      for (let a = 0; a <= n; a++) if (a > 0.95 * (n - 1)) sum += binomialPmf(a, n, u);
      known.set(key, sum);
      return sum;
    };
    const brute = new Float64Array((cuts.length + 1) * atoms.length);
    for (let n = 1; n <= 420; n++) {
      const pn = Math.exp(n * Math.log(200) - 200 - logGamma(n + 1));
      const cells = new Float64Array(cuts.length + 1);
      for (let e = 0; e <= n; e++) cells[cellOf(e, n)] += binomialPmf(e, n, 0.05);
      for (const [i, atom] of atoms.entries()) {
        const mass = atMost(atom.bucket, n) - atMost(atom.bucket - 1, n);
        for (let j = 0; j < cells.length; j++) brute[j * atoms.length + i] += pn * cells[j] * mass;
      }
    }
    let largestGap = 0;
    for (let w = 0; w < brute.length; w++) {
      expect(Math.abs(joint.weights[w] - brute[w]), `weight ${w}`).toBeLessThan(1e-12);
      // The product of the marginals differs: the cells and the atoms both move with N.
      const cell = Math.floor(w / atoms.length);
      const atom = w % atoms.length;
      let cellMass = 0;
      for (let i = 0; i < atoms.length; i++) cellMass += brute[cell * atoms.length + i];
      largestGap = Math.max(largestGap, Math.abs(brute[w] - cellMass * atoms[atom].probability));
    }
    // Each atom's weights add up to its marginal probability (pooledQuantileLaw's route through A and B).
    for (const [i, atom] of atoms.entries()) {
      let sum = 0;
      for (let j = 0; j <= cuts.length; j++) sum += joint.weights[j * atoms.length + i];
      expect(Math.abs(sum - atom.probability)).toBeLessThan(1e-12);
    }
    expect(largestGap).toBeGreaterThan(1e-5);
  });
});

/** Baseline of `baselineMinutes`, canary at `traffic` with `rules`, 5-minute checks, promote. */
function policy(baselineMinutes: number, canaryMinutes: number, traffic: number, rules: ReturnType<typeof ratioRule>[]): Policy {
  return {
    version: 1,
    name: 'latency reference test',
    baseline: { mode: 'historical' },
    guards: { minRequests: 1, failureLimit: 1 },
    onMaxDuration: 'rollback',
    flag: { name: 'reference-test' },
    stages: [
      baselineStage({ minDuration: `${baselineMinutes}m`, minRequests: 1, checkInterval: '5m' }),
      canaryStage({ traffic, minDuration: `${canaryMinutes}m`, maxDuration: `${canaryMinutes}m`, checkInterval: '5m', rules }),
      promoteStage(),
    ],
  } as Policy;
}

describe('the baseline law split by the pooled latency reference', () => {
  it('a single baseline window and a single canary window, by hand: Σ over the p95 atoms of P(atom)·P(the candidate fails against it)', () => {
    // Baseline: one 5-minute window of N ~ Poisson(Λ₀ = 300) control requests (1 req/s); the
    // engine's reference is the pooled (here: the window's) p95, bucket b with probability
    //   P(bucket ≤ b) = Σ_N Pois(N; Λ₀)·P(Bin(N, F(γ^b)) > 0.95·(N − 1))        (summed below by N)
    // Canary: one 5-minute window, the candidate's n ~ Poisson(Λ₁ = 300·f) (f the realized sticky
    // share of 50%), its p95 the order statistic of rank k = ⌊0.95(n − 1)⌋ + 1, which fails the
    // 1.2× rule when its bucket exceeds i*(b) = largestIndexWithin(1.2·rep(b)):
    //   P(fail | b) = Σ_{n ≥ 1} Pois(n; Λ₁)·P(U₍ₖ₎ > F(γ^{i*(b)}/1.1)) = Σ_n Pois(n; Λ₁)·(1 − I_u(k, n − k + 1))
    // (the candidate 10% slower: its latencies are 1.1 × the control's law's quantiles).
    // P(rollback) = Σ_b P(b)·P(fail | b) + P(n = 0)·1 (a canary with no request holds to its
    // maximum duration, 5 minutes, and rolls back).
    const world = scenario({ requestsPerSecond: 1, p95: 400, candidateP95: 440 });
    // The candidate's median is 120 too: give it the control's law × 1.1 instead (same shape).
    const slower = { ...world, candidate: { ...world.candidate, latency: { kind: 'lognormal' as const, median: 132, p95: 440 } } };
    const rolloutPolicy = policy(5, 5, 0.5, [ratioRule('latencyP95', 1.2)]);
    const compiled = compileWorld(slower, 'reference-test');
    const share = exposedShare(compiled.population, 0.5);
    const lambda0 = 300;
    const lambda1 = 300 * share;
    const poisson = (k: number, mean: number) => Math.exp(k * Math.log(mean) - mean - logGamma(k + 1));
    const referenceAtMost = (bucket: number): number => {
      const u = labLatency.cdf(bucketUpperEdge(bucket));
      let sum = 0;
      for (let n = 1; n <= 600; n++) {
        let tail = 0;
        for (let a = 0; a <= n; a++) if (a > 0.95 * (n - 1)) tail += binomialPmf(a, n, u);
        sum += poisson(n, lambda0) * tail;
      }
      return sum;
    };
    const failGiven = (bucket: number): number => {
      const limit = largestIndexWithin(1.2 * bucketRepresentative(bucket));
      const u = labLatency.cdf(bucketUpperEdge(limit) / 1.1);
      let sum = 0;
      for (let n = 1; n <= 600; n++) {
        const k = Math.floor(0.95 * (n - 1)) + 1;
        sum += poisson(n, lambda1) * (1 - incompleteBeta(u, k, n - k + 1));
      }
      return sum;
    };
    let expected = poisson(0, lambda1);
    for (let bucket = 270; bucket <= 340; bucket++) expected += (referenceAtMost(bucket) - referenceAtMost(bucket - 1)) * failGiven(bucket);
    const exact = evaluateExact(slower, rolloutPolicy, { maxNeglected: 1e-6 });
    expect(exact.supported ? [] : exact.features).toEqual([]);
    if (!exact.supported) return;
    expect(exact.summary.rollbackRate.rate as number).toBeGreaterThan(0.05);
    expect(Math.abs((exact.summary.rollbackRate.rate as number) - expected)).toBeLessThan(1e-8);
  });

  it('two spread references with an error rule: exact within 4 SE of the windowed mode (2,000 replicates)', () => {
    // 30 minutes at 2 req/s (3,600 requests): the pooled p50 and p95 each spread over several
    // buckets, weighted jointly with the error rate's cells; candidate 10% slower at both.
    const world = scenario({ requestsPerSecond: 2, p95: 400, candidateP95: 440 });
    const slower = { ...world, candidate: { ...world.candidate, latency: { kind: 'lognormal' as const, median: 132, p95: 440 } } };
    const rolloutPolicy = policy(30, 30, 0.5, [ratioRule('latencyP95', 1.2), ratioRule('latencyP50', 1.15), ratioRule('errorRate', 2)]);
    const law = baselineLaw(compileWorld(slower, 'reference-test'), compilePolicy(rolloutPolicy));
    expect(law.notes).toEqual([]);
    expect(new Set(law.nodes.map((node) => node.reference.latencyP50)).size).toBeGreaterThan(2);
    expect(new Set(law.nodes.map((node) => node.reference.latencyP95)).size).toBeGreaterThan(2);
    // 1e-3: the error rate's discretisation at 16 nodes (refining it to 1e-4 takes 64 nodes × 170
    // latency combinations, ~10 s); far below 4 standard errors of 2,000 replicates (~0.026).
    const exact = evaluateExact(slower, rolloutPolicy, { maxNeglected: 1e-3 });
    expect(exact.supported ? [] : exact.features).toEqual([]);
    if (!exact.supported) return;
    const rate = exact.summary.rollbackRate.rate as number;
    expect(rate).toBeGreaterThan(0.05);
    expect(rate).toBeLessThan(0.95);
    const replicates = 2000;
    const monteCarlo = simulate(slower, rolloutPolicy, { replicates, seed: 5757, mode: 'window' });
    expect(Math.abs((monteCarlo.rollbackRate.rate as number) - rate)).toBeLessThan(4 * Math.sqrt((rate * (1 - rate)) / replicates));
  });

  it('a p95 rule whose verdict changes between two substantial atoms: exact within 4 SE of the windowed and per-request modes', () => {
    // Control p95 set a hair below bucket 300's upper edge (γ³⁰⁰ = 403.45 ms): the pooled p95 of
    // a 30-minute baseline at 10 req/s (18,000 requests, its log-sd ~0.6 of a bucket) falls in
    // bucket 300 or 301 with ~30% each, and the candidate's 1.2× rule compares with 1.2·rep(300)
    // or 1.2·rep(301) — a bucket apart.
    // An error-ratio rule too, so the joint weights of (error-rate cell, atom) are exercised.
    const edge = bucketUpperEdge(300);
    const world = scenario({ requestsPerSecond: 10, p95: edge * 0.9995, candidateP95: edge * 0.9995 * 1.1 });
    const rolloutPolicy = policy(30, 30, 0.5, [ratioRule('latencyP95', 1.2), ratioRule('errorRate', 2)]);
    const law = baselineLaw(compileWorld(world, 'reference-test'), compilePolicy(rolloutPolicy));
    const mass = (bucket: number) =>
      law.nodes.filter((node) => node.reference.latencyP95 === bucketRepresentative(bucket)).reduce((a, node) => a + node.weight, 0);
    expect(mass(300)).toBeGreaterThan(0.25);
    expect(mass(301)).toBeGreaterThan(0.25);
    const exact = evaluateExact(world, rolloutPolicy, { maxNeglected: 1e-4 });
    expect(exact.supported ? [] : exact.features).toEqual([]);
    if (!exact.supported) return;
    const rate = exact.summary.rollbackRate.rate as number;
    expect(rate).toBeGreaterThan(0.05);
    expect(rate).toBeLessThan(0.95);
    for (const [mode, replicates, seed] of [
      ['window', 4000, 57],
      ['request', 1500, 58],
    ] as const) {
      const monteCarlo = simulate(world, rolloutPolicy, { replicates, seed, mode });
      const standardError = Math.sqrt((rate * (1 - rate)) / replicates);
      expect(Math.abs((monteCarlo.rollbackRate.rate as number) - rate), mode).toBeLessThan(4 * standardError);
    }
  });
});

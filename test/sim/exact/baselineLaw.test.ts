/**
 * The historical baseline's law (src/sim/exact/baselineLaw.ts), its nodes split by the pooled
 * latency percentiles' atoms (latencyReferenceLaw.ts), and the two end to end through `evaluateExact`
 * against the windowed Monte-Carlo mode within 4 standard errors.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/engine/controller/compilePolicy.ts';
import { ratioRule } from '../../../src/engine/policy/healthRules.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { baselineStage, canaryStage, promoteStage } from '../../../src/engine/policy/stages.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';
import { baselineLaw, jointCellCounts, jointRateNodes, rateBelow, rateQuantileNodes } from '../../../src/sim/exact/baselineLaw.ts';
import type { CountLaw } from '../../../src/sim/exact/countRange.ts';
import { poissonLaw } from '../../../src/sim/exact/countRange.ts';
import { evaluateExact } from '../../../src/sim/exact/evaluateExact.ts';
import { simulate } from '../../../src/sim/runner.ts';
import type { Scenario } from '../../../src/sim/scenario.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import { sketchRounding } from '../../../src/sim/sketchRounding.ts';
import { compileWorld } from '../../../src/sim/world.ts';

function scenario(candidateMedian: number, candidateErrorRate = 0.01): Scenario {
  const parsed = parseScenario({
    version: 1,
    name: 'baseline law test',
    horizon: '1d',
    traffic: { requestsPerSecond: 100, users: { count: 2000, zipfExponent: 0 } },
    control: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01, timeout: 900 },
    candidate: {
      latency: { kind: 'lognormal', median: candidateMedian, p95: (400 * candidateMedian) / 120 },
      errorRate: candidateErrorRate,
      timeout: 900,
    },
    truth: { errorRateRatio: 1.2, p95Ratio: 1.1 },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

/** The framework's rules without the timeout ratio. */
/**
 * The windowed Monte-Carlo mode's rollback rate (1,500 replicates, the seed given) lies within 4
 * standard errors √(p(1 − p)/1500) of the exact rate p.
 */
function expectWindowedRollbackRateNear(world: Scenario, rolloutPolicy: Policy, exactRate: number, seed: number): void {
  const replicates = 1500;
  const monteCarlo = simulate(world, rolloutPolicy, { replicates, seed, mode: 'window' });
  const standardError = Math.sqrt((exactRate * (1 - exactRate)) / replicates);
  expect(Math.abs((monteCarlo.rollbackRate.rate as number) - exactRate)).toBeLessThan(4 * standardError);
}

const oneRateRules = [ratioRule('errorRate', 2), ratioRule('latencyP95', 1.5), ratioRule('latencyP50', 1.2)];

function policy(
  rules = [ratioRule('errorRate', 2), ratioRule('latencyP95', 1.5), ratioRule('latencyP50', 1.2), ratioRule('timeoutRate', 2)],
): Policy {
  return {
    version: 1,
    name: 'baseline 2 h, canary 10% 2 h',
    baseline: { mode: 'historical' },
    guards: { minRequests: 100, failureLimit: 1 },
    onMaxDuration: 'rollback',
    flag: { name: 'law-test' },
    stages: [
      baselineStage({ minDuration: '2h', minRequests: 1000 }),
      canaryStage({ traffic: 0.1, minDuration: '2h', maxDuration: '4h', rules }),
      promoteStage(),
    ],
  } as Policy;
}

describe('historical baseline law', () => {
  it('nodes carry the law of the measured rate and of the pooled latency percentiles: total mass, mean, atoms', () => {
    const world = compileWorld(scenario(120), 'law-test');
    const law = baselineLaw(world, compilePolicy(policy(oneRateRules)));
    // 16 error-rate cells × the pooled p95's two buckets (2 h at 100 req/s: 400 ms is ~4.7 sd of
    // the pooled p95 below bucket 300's upper edge, so bucket 301 keeps ~1e-6); the p50 one bucket.
    expect(law.nodes.length).toBe(32);
    const mass = law.nodes.reduce((a, node) => a + node.weight, 0);
    expect(Math.abs(1 - mass)).toBeLessThan(1e-8);
    expect(law.neglected).toBeLessThan(1e-8);
    const rounded = sketchRounding();
    for (const node of law.nodes) expect(node.reference.latencyP50).toBe(rounded(120));
    expect(new Set(law.nodes.map((node) => node.reference.latencyP95))).toEqual(new Set([rounded(400), rounded(410)]));
    const onUpper = law.nodes.filter((node) => node.reference.latencyP95 === rounded(410)).reduce((a, node) => a + node.weight, 0);
    expect(onUpper).toBeGreaterThan(1e-8);
    expect(onUpper).toBeLessThan(1e-4);
    // E[errors]/E[requests] = 0.01 (2 h × 100 req/s = 720,000 requests): the nodes' mean rate within 1e-5 of it.
    const meanError = law.nodes.reduce((a, node) => a + node.weight * node.reference.errorRate, 0);
    expect(Math.abs(meanError - 0.01)).toBeLessThan(1e-5);
    // The nodes' spread is the rate's: sd ≈ √(p(1 − p)/N) = 1.17e-4 (E and M both random; midpoint quantiles
    // of 16 nodes carry ~97% of the variance).
    const variance = law.nodes.reduce((a, node) => a + node.weight * (node.reference.errorRate - meanError) ** 2, 0);
    expect(Math.sqrt(variance)).toBeGreaterThan(0.95 * 1.17e-4);
    expect(Math.sqrt(variance)).toBeLessThan(1.17e-4);
  });

  it('the nodes are the midpoint quantiles of C/(C + O), checked against enumerating every (C, O) pair', () => {
    const counted = poissonLaw(3, 1e-15);
    const others = poissonLaw(20, 1e-15);
    const pairs: [number, number][] = [];
    for (let i = 0; i < counted.pmf.length; i++)
      for (let j = 0; j < others.pmf.length; j++) {
        const c = counted.first + i;
        const o = others.first + j;
        if (c + o > 0) pairs.push([c / (c + o), counted.pmf[i] * others.pmf[j]]);
      }
    pairs.sort((a, b) => a[0] - b[0]);
    const total = pairs.reduce((a, [, p]) => a + p, 0);
    const nodes = rateQuantileNodes(counted, others, 4);
    for (let k = 0; k < 4; k++) {
      let running = 0;
      const target = ((k + 0.5) / 4) * total;
      const quantile = pairs.find(([, p]) => (running += p) >= target)![0];
      expect(nodes[k]).toBeCloseTo(quantile, 11);
    }
  });

  it('no timeout configured: the baseline timeout rate is a point mass at exactly 0, and a candidate timeout fails the ratio rule', () => {
    // Control without a timeout: its timeout count is surely 0, so the reference is 0 (one value,
    // no law to discretise) and both ratio rules are answered. The controller (step.ts
    // checkHealth) then fails the timeout rule when observed > 2 × 0, i.e. at the candidate's
    // first timeout; the candidate's timeout at 2,700 ms (lognormal median 120, p95 400:
    // P(latency > 2,700) ≈ 1.1e-5, ≈ 3% of its 3,000-request windows) fires it sometimes.
    const noControlTimeout = (candidateTimeout: number | undefined): Scenario => {
      const parsed = parseScenario({
        version: 1,
        name: 'no control timeout',
        horizon: '1d',
        traffic: { requestsPerSecond: 100, users: { count: 2000, zipfExponent: 0 } },
        control: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01 },
        candidate: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01, timeout: candidateTimeout },
        truth: { errorRateRatio: 1.2, p95Ratio: 1.1 },
      });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      return parsed.scenario;
    };
    const bothRates = policy([ratioRule('errorRate', 2), ratioRule('timeoutRate', 2)]);
    const law = baselineLaw(compileWorld(noControlTimeout(undefined), 'law-test'), compilePolicy(bothRates));
    expect(law.nodes.length).toBe(16);
    for (const node of law.nodes) expect(node.reference.timeoutRate).toBe(0);
    // The error rate is still discretised (its 16 nodes differ).
    expect(new Set(law.nodes.map((node) => node.reference.errorRate)).size).toBe(16);
    const healthy = evaluateExact(noControlTimeout(undefined), bothRates, { maxNeglected: 1e-3 });
    expect(healthy.supported ? [] : healthy.features).toEqual([]);
    const world = noControlTimeout(2700);
    const exact = evaluateExact(world, bothRates, { maxNeglected: 1e-3 });
    expect(exact.supported ? [] : exact.features).toEqual([]);
    if (!exact.supported || !healthy.supported) return;
    const exactRate = exact.summary.rollbackRate.rate as number;
    // The timeout rule adds rollbacks the error rule alone does not make.
    expect(exactRate).toBeGreaterThan((healthy.summary.rollbackRate.rate as number) + 0.2);
    expect(exactRate).toBeLessThan(0.9);
    expectWindowedRollbackRateNear(world, bothRates, exactRate, 32);
  });

  it('the joint law of the error and timeout rates: cells cut at the marginal quantiles, weighted exactly (scipy enumeration)', () => {
    // scripts/reference/exact_baseline_joint.py (scipy 1.17.1): the four thinned classes as
    // independent Poissons (means 1.5, 8.5, 4.5, 25.5: 40 requests, P(error) 0.25, P(timeout)
    // 0.15), every (B, Eo, To, Ne) enumerated, rates as exact fractions, 4 × 4 cells.
    const errorNodes = [0.17073170731707318, 0.22580645161290322, 0.27027027027027029, 0.33333333333333331];
    const timeoutNodes = [0.085714285714285715, 0.12903225806451613, 0.16666666666666666, 0.21621621621621623];
    const weights = [
      [0.0677256212772586, 0.0600384429798223, 0.0619660902257788, 0.0620907232911356],
      [0.0739268080507386, 0.067358019712746, 0.0705258459945318, 0.0667918821875957],
      [0.0578387320309822, 0.0555887647660293, 0.0552879216113986, 0.0534238383452799],
      [0.066795834253969, 0.0579950668742489, 0.0620152804964048, 0.0606311279020689],
    ];
    const means = { both: 1.5, errorOnly: 8.5, timeoutOnly: 4.5, neither: 25.5 };
    const joint = jointRateNodes(means, 16, 1e-15);
    expect(joint.nodes.length).toBe(16);
    expect(joint.neglected).toBeLessThan(1e-12);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        const node = joint.nodes[i * 4 + j];
        expect(node.errorRate).toBeCloseTo(errorNodes[i], 12);
        expect(node.timeoutRate).toBeCloseTo(timeoutNodes[j], 12);
        expect(node.weight).toBeCloseTo(weights[i][j], 13);
      }
    // Not the product of the marginals (E/N and T/N share N): the cells' weights are not all 1/16.
    expect(Math.max(...joint.nodes.map((node) => Math.abs(node.weight - 1 / 16)))).toBeGreaterThan(0.005);
    // 32 nodes: 8 error cells × 4 timeout cells (the evaluator's n/2 of 64); two of the script's rows.
    const finer = jointRateNodes(means, 32, 1e-15);
    expect(jointCellCounts(32)).toEqual({ errorCells: 8, timeoutCells: 4 });
    expect(finer.nodes.map((node) => node.weight).slice(12, 20)).toEqual(
      [
        0.0400077773039942, 0.0380584335990926, 0.0385502349300076, 0.0366782400546337, 0.0261061696699012, 0.0247069164254529,
        0.0236141416360258, 0.0245446465044719,
      ].map((value) => expect.closeTo(value, 13)),
    );
    expect(finer.nodes[12].errorRate).toBeCloseTo(0.2368421052631579, 12);
  });

  it('the joint law is refused, named, when a request’s error and timeout are not independent over the stage', () => {
    // P(both) ≠ P(error)·P(timeout): the timeout probability varies across windows with the error rate.
    expect(() => jointRateNodes({ both: 3, errorOnly: 7, timeoutOnly: 3, neither: 27 }, 16, 1e-12)).toThrow(/not independent binomials/);
  });

  it('ratio rules on both the error and the timeout rate: answered, within 4 standard errors of the windowed mode (1,500 replicates)', () => {
    // Timeout 900 ms on a lognormal median 120, p95 400: P(timeout) ≈ 0.003 for both models; the
    // candidate's errors 1.6× control's make the error rule fire sometimes.
    const bothRates = policy([ratioRule('errorRate', 2), ratioRule('timeoutRate', 2)]);
    const world = scenario(120, 0.016);
    const law = baselineLaw(compileWorld(world, 'law-test'), compilePolicy(bothRates));
    expect(law.nodes.length).toBe(16);
    expect(new Set(law.nodes.map((node) => node.reference.timeoutRate)).size).toBe(4);
    expect(Math.abs(1 - law.nodes.reduce((a, node) => a + node.weight, 0))).toBeLessThan(1e-9);
    const exact = evaluateExact(world, bothRates, { maxNeglected: 1e-3 });
    expect(exact.supported ? [] : exact.features).toEqual([]);
    if (!exact.supported) return;
    const exactRate = exact.summary.rollbackRate.rate as number;
    expect(exactRate).toBeGreaterThan(0.01);
    expect(exactRate).toBeLessThan(0.99);
    expectWindowedRollbackRateNear(world, bothRates, exactRate, 3216);
  });

  it('one check window: the cell averages make the node average exact at any node count (no second-order term)', () => {
    // The chain's outcome is affine in a single window's check law, so averaging that law over
    // each cell of the baseline's rate and then over the cells IS the expectation over the rate:
    // 4 and 64 nodes agree to rounding (point nodes would differ at first order).
    const oneWindow = {
      ...policy([ratioRule('errorRate', 2)]),
      stages: [
        baselineStage({ minDuration: '2h', minRequests: 1000 }),
        canaryStage({ traffic: 0.1, minDuration: '5m', maxDuration: '5m', rules: [ratioRule('errorRate', 2)] }),
        promoteStage(),
      ],
    } as Policy;
    const world = scenario(120, 0.016);
    const coarse = evaluateExact(world, oneWindow, { baselineNodes: 4, maxNeglected: 1 });
    const fine = evaluateExact(world, oneWindow, { baselineNodes: 64, maxNeglected: 1 });
    if (!coarse.supported || !fine.supported) throw new Error('unsupported');
    expect(coarse.tally.rollback).toBeGreaterThan(0.02);
    expect(Math.abs(coarse.tally.rollback - fine.tally.rollback)).toBeLessThan(1e-12);
    expect(coarse.summary.neglectedMass).toBeLessThan(1e-10);
  });

  it('a candidate 12% slower at the median is answered: the pooled reference has an exact law (no bracket to neglect)', () => {
    // Against the mean of window percentiles (bracketed, a step of the p50 rule inside the
    // bracket) this was refused at 1e-6 with 7.4e-4 neglected. Against the pooled p50 (bucket 240,
    // 120.31 ms, but for ~1e-11) the 1.2× rule's limit is 144.4 ms, well above the candidate's
    // ~134 ms median: it rolls back through the error rule's rare failures only.
    const exact = evaluateExact(scenario(134), policy(oneRateRules), { maxNeglected: 1e-6 });
    expect(exact.supported ? [] : exact.features).toEqual([]);
    if (!exact.supported) return;
    expect(exact.summary.neglectedMass).toBeLessThan(1e-6);
    expect(exact.summary.rollbackRate.rate as number).toBeGreaterThan(1e-6);
    expect(exact.summary.rollbackRate.rate as number).toBeLessThan(1e-3);
  });

  it('end to end: exact false-rollback rate within 4 standard errors of the windowed mode (1,500 replicates)', () => {
    // A candidate with 1.6× the errors: the error rule (2×) fires sometimes; the latency rules,
    // against the pooled percentiles (the p95 on two buckets: joint weights with the error cells), almost never.
    // The baseline's discretisation error (~1e-5 here, evaluateExact.ts) is far below 4 standard errors.
    // 64 nodes: near its limit the check's cell averages converge smoothly but from further away
    // at 4–16 nodes (baselineLaw.ts, Accuracy).
    const world = scenario(120, 0.016);
    const exact = evaluateExact(world, policy(oneRateRules), { maxNeglected: 1e-3, baselineNodes: 64 });
    expect(exact.supported ? [] : exact.features).toEqual([]);
    if (!exact.supported) return;
    const exactRate = exact.summary.rollbackRate.rate as number;
    expect(exactRate).toBeGreaterThan(0.01);
    expect(exactRate).toBeLessThan(0.99);
    expectWindowedRollbackRateNear(world, policy(oneRateRules), exactRate, 16);
  });
});

describe('rateBelow', () => {
  it('P(R < r) equals the sum over every (C, O) pair, at rates between, on and beyond the atoms (prefix and suffix of C skipped)', () => {
    // O's kept range is narrow beside its mean (±14σ of 40,000 is ±7%), so for most c the least
    // o lies outside it and rateBelow sums those c from C's prefix sums or skips them: the brute
    // force below visits every pair with the controller's float rate c/(c + o) and strict <.
    const counted = poissonLaw(200, 1e-12);
    const others = poissonLaw(40_000, 1e-12);
    const below = rateBelow(counted, others);
    const keptCounted = counted.pmf.reduce((a, b) => a + b, 0);
    const keptOthers = others.pmf.reduce((a, b) => a + b, 0);
    const bruteForce = (rate: number): number => {
      let sum = 0;
      for (let i = 0; i < counted.pmf.length; i++) {
        const c = counted.first + i;
        let inner = 0;
        for (let j = 0; j < others.pmf.length; j++) if (c / (c + others.first + j) < rate) inner += others.pmf[j];
        sum += counted.pmf[i] * inner;
      }
      return sum / (keptCounted * keptOthers);
    };
    const mean = 200 / 40_200;
    const rates = [0, 1e-4, 1.2, 1, 0.5, mean * 0.5, mean * 2];
    for (let k = -8; k <= 8; k++) rates.push(mean * (1 + k / 40));
    // Atoms themselves: P(R < atom) must leave the atom out.
    for (const [c, o] of [
      [200, 40_000],
      [180, 40_300],
      [230, 39_800],
    ])
      rates.push(c / (c + o));
    let inside = 0;
    for (const rate of rates) {
      const expected = bruteForce(rate);
      if (expected > 1e-9 && expected < 1 - 1e-9) inside++;
      expect(Math.abs(below(rate) - expected), `P(R < ${rate})`).toBeLessThan(1e-13);
    }
    // Most probes fall where the answer is neither 0 nor 1.
    expect(inside).toBeGreaterThan(15);
  });

  it('at a day of requests (2,000,000): the least o per c from one product agrees with a bisection on the float rate, beside atoms too', () => {
    // rateBelow takes ⌈c·(1 − r)/r⌉ as the least o with c/(c + o) < r unless that product lies
    // within 1e-12 relative of an integer (then it searches with the float comparison). The
    // reference bisects o over [0, 2⁴⁰] for every c of C's kept range with the controller's
    // float rate and strict <: no guess. An o off by one for any c moves the sum by
    // P(C = c)·P(O = o) ≳ 1e-9 here.
    const counted = poissonLaw(20_000, 1e-12);
    const others = poissonLaw(1_980_000, 1e-12);
    const below = rateBelow(counted, others);
    const keptCounted = counted.pmf.reduce((a, b) => a + b, 0);
    const survival = new Float64Array(others.pmf.length + 1);
    for (let i = others.pmf.length - 1; i >= 0; i--) survival[i] = survival[i + 1] + others.pmf[i];
    const reference = (rate: number): number => {
      let sum = 0;
      for (let i = 0; i < counted.pmf.length; i++) {
        const c = counted.first + i;
        let low = 0;
        let high = 2 ** 40;
        while (low < high) {
          const middle = Math.floor((low + high) / 2);
          if (c / (c + middle) < rate) high = middle;
          else low = middle + 1;
        }
        const index = Math.min(others.pmf.length, Math.max(0, low - others.first));
        sum += counted.pmf[i] * survival[index];
      }
      return sum / (keptCounted * survival[0]);
    };
    const rates: number[] = [];
    for (let k = -12; k <= 12; k++) rates.push(0.01 * (1 + k / 400));
    // Atoms c/(c + o) and their float neighbours, where the product c·(1 − r)/r is (next to) an integer.
    for (const [c, o] of [
      [20_000, 1_980_000],
      [20_100, 1_979_950],
      [19_900, 1_981_000],
      [20_037, 1_979_411],
    ]) {
      const atom = c / (c + o);
      rates.push(atom, atom * (1 + Number.EPSILON), atom * (1 - Number.EPSILON));
    }
    // Breakpoints as the check rows ask them: x/(n·1.5) for a window of 3,100 requests.
    for (let x = 44; x <= 49; x++) rates.push(x / (3100 * 1.5));
    let inside = 0;
    for (const rate of rates) {
      const expected = reference(rate);
      if (expected > 1e-9 && expected < 1 - 1e-9) inside++;
      expect(Math.abs(below(rate) - expected), `P(R < ${rate})`).toBeLessThan(1e-14);
    }
    expect(inside).toBeGreaterThan(30);
    // Pinned from rateBelow as it was before the product replaced the float search (commit
    // 224909f), to the last bit: the same o for every c, summed in the same order.
    expect(below(0.0099)).toBe(0.07743653206390304);
    expect(below(0.00995)).toBe(0.2388228604867768);
    expect(below(0.01)).toBe(0.5004489001090924);
    expect(below(0.01003)).toBe(0.6654373860830255);
    expect(below(20_100 / (20_100 + 1_979_950))).toBe(0.7604268911695271);
  });

  /**
   * The batch form against the one-rate form, each from its own `rateBelow` (no shared memo):
   * every entry of `rates[from … to)` must come back as exactly the one-rate value (Object.is),
   * the entries outside untouched.
   */
  function expectBatchEqualsOneByOne(counted: CountLaw, others: CountLaw, rates: number[], from = 0, to = rates.length): void {
    const one = rateBelow(counted, others);
    const batch = rateBelow(counted, others);
    const values = Float64Array.from(rates);
    batch.many(values, from, to);
    rates.forEach((rate, i) => {
      if (i < from || i >= to) expect(values[i], `untouched ${i}`).toBe(rate);
      else expect(values[i], `P(R < ${rate})`).toBe(one(rate));
    });
  }

  /** Atoms c/(c + o) of R in the laws' ranges, each with its neighbours one ulp below and above. */
  function atomsAndNeighbours(counted: CountLaw, others: CountLaw, count: number, random: () => number): number[] {
    const rates: number[] = [];
    for (let j = 0; j < count; j++) {
      const c = counted.first + Math.floor(random() * counted.pmf.length);
      const o = others.first + Math.floor(random() * others.pmf.length);
      const atom = c / (c + o);
      rates.push(atom, atom * (1 - Number.EPSILON / 2), atom * (1 + Number.EPSILON));
    }
    return rates;
  }

  it("many: each rate of a batch gets the one-rate value to the last bit, at bench/exact.ts's law sizes", () => {
    // bench/exact.ts's 24-hour baseline at 100 req/s and a 1% error rate: C ~ Poisson(86,400)
    // (4,194 kept terms), O ~ Poisson(8,553,600) (41,725). Random rates over R's range, the
    // breakpoints x/n/k the check rows ask (k = 1.2 … 4), atoms and their neighbours, rates
    // outside the range, on its ends, duplicates, all unsorted.
    const counted = poissonLaw(86_400, 1e-12);
    const others = poissonLaw(8_553_600, 1e-12);
    expect([counted.pmf.length, others.pmf.length]).toEqual([4194, 41_725]);
    const random = streamFor('rateBelow batch', 0);
    const [low, high] = [0.0097588553, 0.010243126];
    const rates: number[] = [];
    for (let j = 0; j < 300; j++) rates.push(low + (high - low) * random());
    for (const k of [1.2, 1.347, 2, 4])
      for (let n = 3000; n < 3050; n++) for (let x = Math.ceil(n * k * low); x <= n * k * high; x++) rates.push(x / n / k);
    rates.push(...atomsAndNeighbours(counted, others, 40, random));
    rates.push(low * 0.9, high * 1.1, low, high, 0.01, 0.01, 1e-300, Number.MIN_VALUE, 1, 1 + Number.EPSILON, 2, 0, -0.5);
    rates.push(...rates.slice(0, 50));
    for (let i = rates.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [rates[i], rates[j]] = [rates[j], rates[i]];
    }
    expect(rates.length).toBeGreaterThan(1000);
    expectBatchEqualsOneByOne(counted, others, rates);
    // A part of the array only, and an empty batch.
    expectBatchEqualsOneByOne(counted, others, rates.slice(0, 200), 37, 151);
    expectBatchEqualsOneByOne(counted, others, rates.slice(0, 20), 7, 7);
  });

  it('many: the same on tiny laws (C from 0, so R = 0 at c = 0), with rates already known answered from the memo', () => {
    const random = streamFor('rateBelow batch', 1);
    for (const [countedMean, othersMean] of [
      [0.5, 3],
      [3, 20],
      [40, 60],
    ]) {
      const counted = poissonLaw(countedMean, 1e-12);
      const others = poissonLaw(othersMean, 1e-12);
      // C's kept range starts at 0 for the two small means (c = 0 in the batch's sums), not for 40.
      expect(counted.first === 0).toBe(countedMean < 10);
      const rates = atomsAndNeighbours(counted, others, 60, random);
      for (let j = 0; j < 60; j++) rates.push(random(), random() * 0.1);
      rates.push(0, 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -1, rates[3], rates[3]);
      expectBatchEqualsOneByOne(counted, others, rates);
      // Half the rates asked one at a time first: the batch mixes memo hits with new sums.
      const mixed = rateBelow(counted, others);
      const fresh = rateBelow(counted, others);
      for (let i = 0; i < rates.length; i += 2) mixed(rates[i]);
      const values = Float64Array.from(rates);
      mixed.many(values, 0, values.length);
      rates.forEach((rate, i) => expect(values[i], `P(R < ${rate})`).toBe(fresh(rate)));
      // Odd and even batch sizes (the sums go two at a time, the last alone).
      for (const size of [1, 2, 3]) expectBatchEqualsOneByOne(counted, others, rates.slice(5, 5 + size));
    }
  });
});

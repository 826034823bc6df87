/**
 * The concurrent count-ratio check by sorted rates (src/sim/exact/concurrentCountTable.ts):
 * (1) its pieces against direct sums — the sorted table and its one-bucket read against a linear
 *     scan (ties included), `passAgainstControl` against the quadruple sum over (n, x, x₀, m₀) with
 *     the controller's comparison, the memo reusing a table only for equal runs;
 * (2) before/after: healthCheckLaw's concurrent single-count path on daily-cycle worlds, at
 *     several thresholds, windows, limits and holds, equals to 1e-12 what the earlier per-(n, x, x₀)
 *     search returned. Those reference values were recorded by running these cases through
 *     healthCheckLaw.ts at commit ccbe0c6 (`git show ccbe0c6:src/sim/exact/healthCheckLaw.ts`,
 *     built with tsconfig.cli.json) on 2026-12-04; that code is checked against scipy in
 *     healthCheckLaw.test.ts ('the independent-Poisson shortcut equals the pair sum' and the
 *     scipy brute force of the pair sum).
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/engine/controller/compilePolicy.ts';
import { absoluteRule, ratioRule } from '../../../src/engine/policy/healthRules.ts';
import type { HealthRule, Policy } from '../../../src/engine/policy/policy.ts';
import { baselineStage, canaryStage } from '../../../src/engine/policy/stages.ts';
import type { CandidateRuns } from '../../../src/sim/exact/concurrentCountTable.ts';
import {
  candidateRateTable,
  lastAtMost,
  passAgainstControl,
  sharedCandidateRateTable,
} from '../../../src/sim/exact/concurrentCountTable.ts';
import { binomialLaw, poissonLaw } from '../../../src/sim/exact/countRange.ts';
import { healthCheckLaw } from '../../../src/sim/exact/healthCheckLaw.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import type { World } from '../../../src/sim/world.ts';
import { compileWorld, conditionsAt, emptyConditions } from '../../../src/sim/world.ts';

/** Request counts 20 … 60 of Poisson(40), weights scaled by a stand-in for the other groups' pass probability, an absolute limit at 15%. */
function smallRuns(): CandidateRuns {
  const law = poissonLaw(40, 1e-12);
  const first = 20;
  const count = 41;
  const weights = new Float64Array(count);
  const lasts = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const n = first + i;
    weights[i] = law.pmf[n - law.first] * (0.6 + 0.4 * Math.cos(n));
    lasts[i] = Math.floor(0.15 * n);
  }
  return { first, weights, lasts };
}

describe('candidate rate table', () => {
  const p = 0.1;
  const runs = smallRuns();
  const table = candidateRateTable(runs, p, 1e-12);
  /** Every (rate, weight) atom the table must hold, unsorted. */
  const atoms: [number, number][] = [];
  for (let i = 0; i < runs.weights.length; i++) {
    const n = runs.first + i;
    const law = binomialLaw(n, p, 1e-12);
    for (let x = law.first; x <= Math.min(runs.lasts[i], law.first + law.pmf.length - 1); x++)
      atoms.push([x / n, runs.weights[i] * law.pmf[x - law.first]]);
  }

  it('holds every atom once, ascending, with cumulative weights', () => {
    expect(table.rates.length).toBe(atoms.length);
    for (let i = 1; i < table.rates.length; i++) expect(table.rates[i]).toBeGreaterThanOrEqual(table.rates[i - 1]);
    expect([...table.rates]).toEqual(atoms.map(([rate]) => rate).sort((a, b) => a - b));
    const total = atoms.reduce((sum, [, weight]) => sum + weight, 0);
    expect(Math.abs(table.cumulative[table.cumulative.length - 1] - total)).toBeLessThan(1e-15);
    // Ties: 2/20, 3/30, 4/40, 5/50 and 6/60 all round to the double 0.1, and the table keeps each.
    expect(table.rates.filter((rate) => rate === 0.1).length).toBe(5);
  });

  it('reads the last rate at most a limit from one bucket, as a linear scan does', () => {
    const linear = (limit: number): number => {
      let index = -1;
      for (let i = 0; i < table.rates.length; i++) if (!(table.rates[i] > limit)) index = i;
      return index;
    };
    const limits = [-1, 0, 0.01, 0.5, 1, 2, ...table.rates.filter((_, i) => i % 7 === 0)];
    for (const rate of table.rates.filter((_, i) => i % 11 === 0)) limits.push(rate * (1 + 1e-15), rate * (1 - 1e-15), rate + 1e-4);
    for (const limit of limits) expect(lastAtMost(table, limit), `limit ${limit}`).toBe(linear(limit));
  });

  it('passAgainstControl equals the direct sum over (n, x, x₀, m₀) with the controller’s comparison', () => {
    const events = poissonLaw(4, 1e-12);
    const others = poissonLaw(36, 1e-12);
    const minRequests = 30;
    for (const thresholds of [[1.5], [2, 1.2], [1]]) {
      // Each control atom's candidate mass summed first: ~10⁶ products added one by one lose ~1e-13 to rounding.
      let direct = 0;
      for (let e = 0; e < events.pmf.length; e++)
        for (let o = 0; o < others.pmf.length; o++) {
          const x0 = events.first + e;
          const n0 = x0 + others.first + o;
          if (n0 < minRequests) continue;
          let passing = 0;
          for (const [rate, weight] of atoms) if (thresholds.every((threshold) => !(rate > threshold * (x0 / n0)))) passing += weight;
          direct += events.pmf[e] * others.pmf[o] * passing;
        }
      expect(direct).toBeGreaterThan(0.05);
      expect(Math.abs(passAgainstControl(table, events, others, minRequests, thresholds) - direct), `${thresholds}`).toBeLessThan(1e-14);
    }
  });

  it('is shared through the scenario memo only for equal runs', () => {
    const scenario = {};
    const first = sharedCandidateRateTable(scenario, smallRuns(), p, 1e-12);
    expect(sharedCandidateRateTable(scenario, smallRuns(), p, 1e-12)).toBe(first);
    const changed = smallRuns();
    changed.weights[5] *= 0.5;
    const other = sharedCandidateRateTable(scenario, changed, p, 1e-12);
    expect(other).not.toBe(first);
    expect(other.cumulative[other.cumulative.length - 1]).toBeLessThan(first.cumulative[first.cumulative.length - 1]);
    expect(sharedCandidateRateTable(scenario, smallRuns(), 0.2, 1e-12)).not.toBe(first);
    expect(sharedCandidateRateTable({}, smallRuns(), p, 1e-12)).not.toBe(first);
  });
});

const worlds: Record<string, Record<string, unknown>> = {
  small: {
    traffic: { requestsPerSecond: 5, dailyCycle: { amplitude: 0.3, peakHour: 14 }, users: { count: 1000, zipfExponent: 0 } },
    control: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.02, timeout: 700 },
    candidate: { latency: { kind: 'lognormal', median: 130, p95: 420 }, errorRate: 0.025, timeout: 700 },
  },
  // scenarios/identical-candidate.json's traffic and models (its 5% and 25% canaries, 10-minute windows).
  lab: {
    traffic: { requestsPerSecond: 100, dailyCycle: { amplitude: 0.3, peakHour: 14 }, users: { count: 20000, zipfExponent: 0.8 } },
    control: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01 },
    candidate: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01 },
  },
};

const ruleSets: Record<string, (k: number) => HealthRule[]> = {
  errors: (k) => [ratioRule('errorRate', k)],
  errorsAndP95: (k) => [ratioRule('errorRate', k), absoluteRule('latencyP95', 500)],
  twoRatiosAndLimits: (k) => [
    ratioRule('errorRate', k),
    ratioRule('errorRate', k + 0.7),
    absoluteRule('errorRate', 0.04),
    absoluteRule('timeoutRate', 0.03),
    absoluteRule('latencyP50', 150),
  ],
  timeouts: (k) => [ratioRule('timeoutRate', k), absoluteRule('errorRate', 0.05)],
  errorsAndP99: (k) => [ratioRule('errorRate', k), absoluteRule('latencyP99', 3000)],
};

/**
 * [world, rules, threshold k, canary share, minRequests, window start (s), duration (s), hold, pass, fail]:
 * the hold/pass/fail of healthCheckLaw.ts at commit ccbe0c6 (module comment). The daily cycle
 * gives each start its own expected arrivals; share 0.7 with minRequests 450 makes the control
 * hold, share 0.25 with 330 the candidate.
 */
const before: [string, string, number, number, number, number, number, number, number, number][] = [
  ['small', 'errorsAndP95', 1.2, 0.3, 55, 7200, 300, 0, 0.46795775301819814, 0.5320422469811199],
  ['small', 'errorsAndP95', 1.2, 0.3, 55, 28800, 300, 0, 0.4622104112105544, 0.5377895887886746],
  ['small', 'errorsAndP95', 1.2, 0.3, 55, 50400, 300, 0, 0.4562785660488108, 0.543721433950327],
  ['small', 'errorsAndP95', 1.5, 0.3, 55, 7200, 300, 0, 0.6619444695648581, 0.3380555304344595],
  ['small', 'errorsAndP95', 1.5, 0.3, 55, 28800, 300, 0, 0.6948976635011079, 0.3051023364981214],
  ['small', 'errorsAndP95', 1.5, 0.3, 55, 50400, 300, 0, 0.719950886600311, 0.280049113398826],
  ['small', 'errorsAndP95', 2, 0.3, 55, 7200, 300, 0, 0.8564020161610298, 0.14359798383828873],
  ['small', 'errorsAndP95', 2, 0.3, 55, 28800, 300, 0, 0.9033701094199607, 0.0966298905792689],
  ['small', 'errorsAndP95', 2, 0.3, 55, 50400, 300, 0, 0.9323429385424445, 0.06765706145669288],
  ['small', 'errorsAndP95', 3, 0.3, 55, 7200, 300, 0, 0.9681028192745122, 0.03189718072480548],
  ['small', 'errorsAndP95', 3, 0.3, 55, 28800, 300, 0, 0.9883970614979971, 0.011602938501231706],
  ['small', 'errorsAndP95', 3, 0.3, 55, 50400, 300, 0, 0.9955821449701329, 0.004417855029004454],
  ['small', 'errors', 1.5, 0.3, 55, 28800, 300, 0, 0.6977356235950404, 0.3022643764041884],
  ['small', 'twoRatiosAndLimits', 1.2, 0.3, 55, 28800, 300, 0, 0.46394845024422365, 0.5360515497550052],
  ['small', 'twoRatiosAndLimits', 2, 0.3, 55, 28800, 300, 0, 0.8968655850369229, 0.10313441496230544],
  ['small', 'timeouts', 1.5, 0.3, 55, 50400, 300, 0, 0.709041933468061, 0.2909580665310768],
  ['small', 'timeouts', 3, 0.3, 55, 50400, 300, 0, 0.9690552397484771, 0.030944760250659443],
  ['small', 'errorsAndP95', 1.2, 0.7, 450, 28800, 300, 0.3310477490015529, 0.297986608710854, 0.3709656422866897],
  ['small', 'errorsAndP95', 2, 0.7, 450, 28800, 300, 0.3310477490015529, 0.5778863305175781, 0.0910659204799655],
  ['small', 'errorsAndP95', 2, 0.25, 330, 28800, 300, 0.0011286215411399295, 0.8968487525396381, 0.1020226259184605],
  ['lab', 'errorsAndP99', 1.2, 0.05, 100, 1800, 600, 0, 0.7955955570893571, 0.20440444290979484],
  ['lab', 'errorsAndP99', 2, 0.05, 100, 1800, 600, 0, 0.9997961364327571, 0.00020386356639422713],
  ['lab', 'errorsAndP99', 1.2, 0.25, 100, 1800, 600, 0, 0.9513944751254836, 0.04860552487354833],
  ['lab', 'errorsAndP99', 2, 0.25, 100, 1800, 600, 0, 0.9999999999829026, 1.6130762659392257e-11],
];

function worldOf(name: string): World {
  const parsed = parseScenario({ version: 1, name, horizon: '7d', truth: { errorRateRatio: 1.2, p95Ratio: 1.1 }, ...worlds[name] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return compileWorld(parsed.scenario, 'f');
}

function checkLaw(world: World, ruleSet: string, k: number, share: number, minRequests: number, start: number, duration: number) {
  const policy = {
    version: 1,
    name: 'before/after',
    baseline: { mode: 'concurrent' },
    guards: { minRequests, failureLimit: 1 },
    onMaxDuration: 'hold',
    flag: { name: 'f' },
    stages: [
      baselineStage({ minDuration: '1h' }),
      canaryStage({ traffic: share, minDuration: '30d', maxDuration: '60d', rules: ruleSets[ruleSet](k) }),
    ],
  } as Policy;
  const stage = compilePolicy(policy).stages[1];
  const control = emptyConditions();
  const candidate = emptyConditions();
  conditionsAt(world, start + duration / 2, 0, control, candidate);
  return healthCheckLaw(world, { stage, start, duration, control, candidate, candidateShare: stage.traffic }, null);
}

describe('concurrent single-count checks before and after the rate table', () => {
  it.each([
    ['in order', false],
    ['in reverse order (the memo filled by other thresholds first)', true],
  ])('equal the per-(n, x, x₀) search to 1e-12, %s', (_, reversed) => {
    // One world per scenario: the thresholds and windows share its memo, as a sweep's settings do.
    const compiled = { small: worldOf('small'), lab: worldOf('lab') } as Record<string, World>;
    const cases = reversed ? [...before].reverse() : before;
    for (const [world, ruleSet, k, share, minRequests, start, duration, hold, pass, fail] of cases) {
      const law = checkLaw(compiled[world], ruleSet, k, share, minRequests, start, duration);
      const label = `${world} ${ruleSet} k=${k} share=${share} min=${minRequests} at ${start}s`;
      expect(Math.abs(law.hold - hold), `${label}: hold`).toBeLessThan(1e-12);
      expect(Math.abs(law.pass - pass), `${label}: pass`).toBeLessThan(1e-12);
      expect(Math.abs(law.fail - fail), `${label}: fail`).toBeLessThan(1e-12);
      expect(law.neglected).toBeLessThan(1e-10);
    }
  });
});

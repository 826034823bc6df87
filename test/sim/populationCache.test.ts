/**
 * Issue 16, "Speed": a scenario's user population (its sticky buckets and the run summaries of
 * populationSummary.ts) is built once per (users, flag group) and shared by every setting and
 * replicate of a sweep. Counted, not timed: the router's buckets come from numberedIdBuckets and
 * the summaries from weightGroupsBuilder, so both are wrapped to count what they are asked for.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { parseScenario, type Scenario } from '../../src/sim/scenario.ts';
import { sweep } from '../../src/sim/sweep.ts';

const counts = vi.hoisted(() => ({ idsBucketed: 0, summariesBuilt: 0 }));

vi.mock('../../src/engine/routing/numberedIdBuckets.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/engine/routing/numberedIdBuckets.ts')>();
  return {
    ...original,
    numberedIdBuckets: (...args: Parameters<typeof original.numberedIdBuckets>) => {
      counts.idsBucketed += args[3].length;
      return original.numberedIdBuckets(...args);
    },
  };
});

vi.mock('../../src/sim/populationSummary.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/sim/populationSummary.ts')>();
  return {
    ...original,
    weightGroupsBuilder: (...args: Parameters<typeof original.weightGroupsBuilder>) => {
      counts.summariesBuilt++;
      return original.weightGroupsBuilder(...args);
    },
  };
});

const users = 30_000;

function scenario(name: string, candidateErrorRate: number): Scenario {
  const parsed = parseScenario({
    version: 1,
    name,
    horizon: '3h',
    traffic: { requestsPerSecond: 50, users: { count: users, zipfExponent: 0.8 } },
    control: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01 },
    candidate: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: candidateErrorRate },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

function policy(group: string): Policy {
  return {
    version: 1,
    name: 'canary 5% for 1 h',
    flag: { name: group, group },
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 50, failureLimit: 1 },
    stages: [
      {
        kind: 'canary',
        traffic: 0.05,
        minDuration: '1h',
        checkInterval: '10m',
        rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }],
      },
      { kind: 'promote' },
    ],
  } as Policy;
}

describe('population cache (one build per scenario population, shared by a sweep)', () => {
  beforeEach(() => {
    counts.idsBucketed = 0;
    counts.summariesBuilt = 0;
  });

  it('a sweep of 8 settings × 2 scenarios × 5 replicates hashes each user once and builds one summary', () => {
    const rows = sweep(
      [scenario('healthy', 0.01), scenario('regressed', 0.04)],
      policy('cache-sweep'),
      [{ name: 'errorRatio', values: [1.2, 1.5, 1.8, 2, 2.5, 3, 4, 6] }],
      { replicates: 5, seed: 11, mode: 'window' },
    );
    expect(rows).toHaveLength(8);
    // Both worlds ran in every setting: 5 healthy + 5 regressed replicates per row.
    for (const row of rows) expect(row.summary.replicates).toBe(10);
    expect(counts.idsBucketed).toBe(users);
    expect(counts.summariesBuilt).toBe(1);
  });

  it('a second sweep with the same population builds nothing; another flag group builds once more', () => {
    const ranges = [{ name: 'errorRatio' as const, values: [1.5, 3] }];
    const options = { replicates: 3, seed: 5, mode: 'window' as const };
    sweep([scenario('healthy', 0.01)], policy('cache-second'), ranges, options);
    expect(counts.idsBucketed).toBe(users);
    sweep([scenario('healthy again', 0.01)], policy('cache-second'), ranges, options);
    expect(counts.idsBucketed).toBe(users);
    expect(counts.summariesBuilt).toBe(1);
    // The buckets depend on the flag's group, so a policy with another group has its own population.
    sweep([scenario('healthy', 0.01)], policy('cache-other-group'), ranges, options);
    expect(counts.idsBucketed).toBe(2 * users);
    expect(counts.summariesBuilt).toBe(2);
  });
});

// "Which rule fired" as a shard kernel: counts of shards run by the worker endpoint and merged in
// order equal the count over the whole range in one go (countRollbackRules), so the pool gives
// the lab the same counts as the former single worker, whatever the number of workers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { countRollbackRules, initRollbackRuleCounts } from '../../src/sim/firstRollbackRules.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { createRollbackRulesEndpoint, mergeRollbackRuleCounts } from '../../workers/rollbackRulesEndpoint.ts';

describe('rollback-rules endpoint', () => {
  it('counts by shard exactly what one pass counts', async () => {
    const parsed = parseScenario({
      ...JSON.parse(readFileSync(new URL('../../scenarios/error-regression.json', import.meta.url), 'utf8')),
      horizon: '2d',
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const request = { scenario: parsed.scenario, policy: defaultPolicy(), seed: 4 };
    const expected = countRollbackRules(request.scenario, request.policy, request.seed, 0, 24);
    // The regressed candidate is rolled back in some replicates, by a named rule.
    expect(expected.replicates).toBe(24);
    expect(expected.rollbacks).toBeGreaterThan(0);
    expect(Object.values(expected.byRule).reduce((sum, count) => sum + count, 0)).toBe(expected.rollbacks);
    const endpoint = createRollbackRulesEndpoint();
    endpoint.load(1, structuredClone(request));
    const merged = initRollbackRuleCounts();
    for (const range of [
      { from: 0, to: 5 },
      { from: 5, to: 17 },
      { from: 17, to: 24 },
    ]) {
      const outcome = await endpoint.runShard(1, range);
      if (outcome.status !== 'complete') throw new Error('the shard did not complete');
      mergeRollbackRuleCounts(merged, structuredClone(outcome.state));
    }
    expect(merged).toEqual(expected);
  });
});

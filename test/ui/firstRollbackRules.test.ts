import { describe, expect, it } from 'vitest';
import { countRollbackRules, rollbackRuleLabel } from '../../src/sim/firstRollbackRules.ts';
import { simulate } from '../../src/sim/runner.ts';
import { labPolicy } from '../../src/ui/lab/labPolicy.ts';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { labScenarios } from '../../src/ui/lab/labWorlds.ts';
import { rollbackRuleBars, rollbackRulesPlot, rollbackRulesTitle } from '../../src/ui/plots/rollbackRulesPlot.ts';
import { initialState } from '../../src/ui/state/viewState.ts';

const defaults = readLabSettings(initialState(labSchema));
const reason = (rule: string, metric: string) => ({ rule, metric, observed: null, threshold: null, message: '' }) as never;

describe('rollbackRuleLabel', () => {
  it('names the first rule that fires, in words, skipping bookkeeping reasons', () => {
    expect(rollbackRuleLabel([reason('failureLimit', 'checks'), reason('ratio', 'timeoutRate')])).toBe('timeout rate ratio');
    expect(rollbackRuleLabel([reason('ratio', 'latencyP95'), reason('ratio', 'errorRate')])).toBe('p95 latency ratio');
    expect(rollbackRuleLabel([reason('statistical', 'errorRate')])).toBe('statistical test (error rate)');
    expect(rollbackRuleLabel([reason('absolute', 'latencyP95')])).toBe('absolute p95 latency');
    expect(rollbackRuleLabel([reason('shadowGate', 'agreement')])).toBe('shadow gate (agreement)');
    expect(rollbackRuleLabel([reason('maxDuration', 'time')])).toBe('maximum duration');
    expect(rollbackRuleLabel([reason('minRequests', 'requests')])).toBe('other');
  });
});

describe('countRollbackRules', () => {
  it('counts exactly the rollbacks of the simulation (same streams), by rule', () => {
    const { healthy } = labScenarios(defaults);
    const policy = labPolicy(defaults);
    const counts = countRollbackRules(healthy, policy, 7, 0, 60);
    const summary = simulate(healthy, policy, { replicates: 60, seed: 7 });
    // The healthy candidate is never worse: every rollback is a false rollback.
    expect(counts.rollbacks).toBe(summary.falseRollbackRate.count);
    expect(counts.rollbacks).toBeGreaterThan(0);
    expect(Object.values(counts.byRule).reduce((a, b) => a + b, 0)).toBe(counts.rollbacks);
    // At 20 requests/s and 1% errors, the 2× error-rate ratio fires on noise first.
    expect(Object.keys(counts.byRule)).toContain('error rate ratio');
  });

  it('blames the timeout rule when timeouts are rare and its ratio is tight', () => {
    // Timeout at 1,200 ms on lognormal(median 120, p95 400): P(Z > ln 10 / σ), σ = ln(400/120)/z₀.₉₅, ≈ 0.08% of requests
    // (scipy 1.10.1 norm.sf) — under one timeout per 5% canary window, so the 2× ratio fires on single timeouts.
    const model = { ...defaults.control, timeout: 1200 };
    const settings = { ...defaults, 'errorRate.maxRatio': 100, control: model, candidate: model, requestsPerSecond: 20 };
    const counts = countRollbackRules(labScenarios(settings).healthy, labPolicy(settings), 3, 0, 30);
    expect(counts.byRule['timeout rate ratio']).toBeGreaterThan(0);
    expect(counts.byRule['error rate ratio']).toBeUndefined();
  });

  it('refuses a bad replicate range', () => {
    const { healthy } = labScenarios(defaults);
    expect(() => countRollbackRules(healthy, labPolicy(defaults), 1, 5, 2)).toThrow(RangeError);
  });
});

describe('rollbackRulesPlot', () => {
  it('draws one bar per rule, most frequent first, as shares of all rollouts', () => {
    const bars = rollbackRuleBars({ replicates: 200, rollbacks: 30, byRule: { 'timeout rate ratio': 10, 'error rate ratio': 20 } });
    expect(bars).toEqual([
      { rule: 'error rate ratio', count: 20, share: 0.1 },
      { rule: 'timeout rate ratio', count: 10, share: 0.05 },
    ]);
    const spec = rollbackRulesPlot(bars);
    expect(spec.title).toBe(rollbackRulesTitle);
    expect(spec.ariaLabel).toBe('False rollbacks by the rule that fired');
    expect(spec.x).toMatchObject({ label: 'Share of healthy rollouts rolled back', tickFormat: '.0%' });
    expect(spec.y).toMatchObject({ domain: ['error rate ratio', 'timeout rate ratio'] });
    expect((spec.marks ?? []).length).toBe(3);
  });
});

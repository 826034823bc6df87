/**
 * The controller tests' A/B policy: the A/B test first (concurrent control, 50 %, 5 minutes to
 * 1 day, an absolute error guardrail, a fixed design of 1,000 per arm on the success rate), then
 * full and promote; `test` overrides the test's fields (e.g. its `metrics`).
 */
import type { AbTest, Policy } from '../../src/engine/policy/policy.ts';

export function metricsPolicy(test: Partial<AbTest>): Policy {
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 10 },
    skipCanary: { reason: 'controller test of the A/B stage' },
    stages: [
      {
        kind: 'ab',
        traffic: 0.5,
        minDuration: '5m',
        maxDuration: '1d',
        guardrails: [{ type: 'absolute', metric: 'errorRate', max: 0.5 }],
        test: { metric: 'successRate', minimumEffect: 0.05, design: { type: 'fixed' }, sampleSize: 1000, ...test },
      },
      { kind: 'full', rules: [{ type: 'absolute', metric: 'errorRate', max: 0.5 }] },
      { kind: 'promote' },
    ],
  };
}

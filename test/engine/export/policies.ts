/** Policies used by the export tests: the default and two others that exercise every rule kind. */
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import { absoluteRule, ratioRule, statisticalRule } from '../../../src/engine/policy/healthRules.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { abStage, baselineStage, canaryStage, fullStage, promoteStage, shadowStage } from '../../../src/engine/policy/stages.ts';

/** Concurrent baseline, no shadow: three canary steps with absolute and statistical rules, 1-minute checks, failure limit 3. */
export function concurrentPolicy(): Policy {
  return {
    version: 1,
    name: 'Concurrent: fast checks',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 250, failureLimit: 3 },
    stages: [
      canaryStage({
        traffic: 0.01,
        minDuration: '30m',
        maxDuration: '1h',
        checkInterval: '1m',
        rules: [ratioRule('errorRate', 1.5), absoluteRule('latencyP99', 800), statisticalRule('errorRate', { minimumEffect: 0.002 })],
      }),
      canaryStage({
        traffic: 0.1,
        minDuration: '1h',
        checkInterval: '1m',
        rules: [ratioRule('errorRate', 1.5), absoluteRule('latencyP99', 800)],
      }),
      canaryStage({
        traffic: 0.5,
        minDuration: '2h',
        checkInterval: '1m',
        rules: [ratioRule('errorRate', 1.5), absoluteRule('latencyP99', 800)],
      }),
      fullStage({ minDuration: '30m', checkInterval: '1m', rules: [ratioRule('errorRate', 1.5)] }),
      promoteStage(),
    ],
  };
}

/** Historical baseline of 12 h, a 50% mirrored shadow with its own gates, an A/B test with a stage-level guard, 10-minute checks. */
export function shadowAbPolicy(): Policy {
  return {
    version: 1,
    name: 'shadow then A/B',
    baseline: { mode: 'historical' },
    stages: [
      baselineStage({ minDuration: '12h', minRequests: 5000, checkInterval: '10m' }),
      shadowStage({ minDuration: '6h', traffic: 0.5, checkInterval: '10m', gates: { maxLatencyRatio: 1.3, maxErrorRatio: 1.8 } }),
      canaryStage({
        traffic: 0.2,
        minDuration: '3h',
        checkInterval: '10m',
        rules: [ratioRule('latencyP95', 1.25), ratioRule('timeoutRate', 3)],
      }),
      abStage({
        traffic: 0.4,
        minDuration: '20h',
        maxDuration: '40h',
        checkInterval: '10m',
        guards: { failureLimit: 2 },
        test: { minimumEffect: 0.03 },
      }),
      promoteStage(),
    ],
  };
}

/** The three policies the round-trip tests cover. */
export const exportPolicies: [string, () => Policy][] = [
  ['default', defaultPolicy],
  ['concurrent', concurrentPolicy],
  ['shadow + A/B', shadowAbPolicy],
];

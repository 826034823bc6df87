/**
 * The built-in policy: the framework's rollout, baseline 24 h → shadow 24 h → canary 5% 2 h →
 * canary 25% 6 h → A/B 50% 24–48 h → full 100% → promote, with its thresholds.
 */
import { defaultGuards } from './healthRules.ts';
import type { Policy } from './policy.ts';
import { abStage, baselineStage, canaryStage, fullStage, promoteStage, shadowStage } from './stages.ts';

/** Where the published schema lives, relative to a policy in `scenarios/`. */
export const policySchemaReference = './policy.schema.json';

/**
 * A new copy of the framework's default policy:
 * - historical baseline: 24 h and 10,000 control requests;
 * - shadow 24 h, all traffic mirrored, exact-match comparison, gates agreement > 85%,
 *   p95 < 1.5× control, error rate < 2× control, at least 1,000 comparisons;
 * - canary 5% for 2 h, then 25% for 6 h, each with error rate ≤ 2×, p95 ≤ 1.5×, p50 ≤ 1.2×,
 *   timeout rate ≤ 2× the baseline, checked every 5 minutes;
 * - A/B at 50% for 24–48 h on the success rate, α = 0.05, power 0.8, minimum effect 2 points,
 *   fixed horizon, with the same ratio rules as guardrails;
 * - full 100% for 1 h under the same rules, then promote; the flag is to be retired after 14 days at 100%;
 * - guards: at least 100 requests per arm per window, roll back at the first failing check;
 *   a stage reaching its maximum duration without a conclusion rolls back.
 */
export function defaultPolicy(): Policy {
  return {
    $schema: policySchemaReference,
    version: 1,
    name: 'framework default',
    description:
      'Baseline 24 h → shadow 24 h → canary 5% 2 h → canary 25% 6 h → A/B 50% 24–48 h → full 100% → promote, with the framework thresholds.',
    baseline: { mode: 'historical' },
    guards: defaultGuards(),
    onMaxDuration: 'rollback',
    flag: { name: 'candidate-model', stickiness: 'userId', retireAfter: '14d' },
    stages: [
      baselineStage({ minDuration: '24h', minRequests: 10_000, checkInterval: '5m' }),
      shadowStage({ minDuration: '24h', checkInterval: '5m' }),
      canaryStage({ traffic: 0.05, minDuration: '2h', maxDuration: '4h' }),
      canaryStage({ traffic: 0.25, minDuration: '6h', maxDuration: '12h' }),
      abStage({ traffic: 0.5, minDuration: '24h', maxDuration: '48h', test: { minimumEffect: 0.02, onInconclusive: 'advance' } }),
      fullStage({ minDuration: '1h' }),
      promoteStage(),
    ],
  };
}

/**
 * The framework default policy with its A/B stage's design switched to always-valid: a policy the
 * exact evaluator refuses by name ("always-valid A/B design", abTestLaw.ts) — the tests of the
 * refusal and fallback paths use it since the default policy itself is now evaluated exactly.
 */
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import type { Policy } from '../../src/engine/policy/policy.ts';

/** A new copy of the default policy with an always-valid A/B design. */
export function alwaysValidDefaultPolicy(): Policy {
  const policy = defaultPolicy();
  for (const stage of policy.stages) if (stage.kind === 'ab') stage.test.design = { type: 'alwaysValid' };
  return policy;
}

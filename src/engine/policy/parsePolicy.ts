/**
 * `parsePolicy`: the public edge of the engine for policies. It checks a loose JSON value against
 * everything a version-1 policy must satisfy and lists EVERY problem by JSON path and reason,
 * e.g. `{ path: 'stages[2].traffic', message: 'must be between 0 and 1 (exclusive), got 1.5' }`.
 *
 * Each constraint is written once, in the field table `policyFields` (policyFields.ts): the
 * per-field rules, checked here by the engine's validation machinery (src/engine/validation) and
 * published from the same table as `scenarios/policy.schema.json` (`npm run schemas`), and the
 * cross-field rules a JSON Schema cannot state (stage order, instant 100%, …) as its hooks.
 */
import { validateDocument } from '../validation/index.ts';
import type { Policy } from './policy.ts';
import { policyFields } from './policyFields.ts';

/** One problem in a policy: where (`stages[2].traffic`) and what (`must be between 0 and 1 (exclusive), got 1.5`). */
export interface PolicyError {
  path: string;
  message: string;
}

/** The result of `parsePolicy`: the policy (a deep copy of the input), or all its problems. */
export type ParsePolicyResult = { ok: true; policy: Policy } | { ok: false; errors: PolicyError[] };

/** Formats a problem as `path: message` (`(root)` for the document itself). */
export function formatPolicyError(error: PolicyError): string {
  return `${error.path || '(root)'}: ${error.message}`;
}

/**
 * Validates `json` as a version-1 rollout policy. Returns `{ ok: true, policy }` (a deep copy, so
 * later edits to the input do not change it) or `{ ok: false, errors }` listing every problem
 * found, each with its JSON path. Never throws. Cost O(size of the document).
 */
export function parsePolicy(json: unknown): ParsePolicyResult {
  const errors = validateDocument(json, policyFields);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, policy: JSON.parse(JSON.stringify(json)) as Policy };
}

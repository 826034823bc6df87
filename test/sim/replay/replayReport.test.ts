/**
 * The label of a replay's failing-check counts names the policy's counting mode (failureCount.ts):
 * the count at a rollback is the one that mode reached — in a row, in total, or among the last N
 * checks — not always a run of consecutive failures.
 */
import { describe, expect, test } from 'vitest';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import type { Guards, Policy } from '../../../src/engine/policy/policy.ts';
import { failingChecksLabel } from '../../../src/sim/replay/replayReport.ts';

const withGuards = (guards: Guards): Policy => ({ ...defaultPolicy(), guards: { ...defaultPolicy().guards, ...guards } });

describe('failingChecksLabel', () => {
  test('one mode for every checked stage: its words', () => {
    expect(failingChecksLabel(defaultPolicy())).toBe('failing checks counted (in a row)');
    expect(failingChecksLabel(withGuards({ failureCounting: 'total', failureLimit: 3 }))).toBe('failing checks counted (in total)');
    expect(failingChecksLabel(withGuards({ failureCounting: 'total', failureLimit: 3, failureScope: 'rollout' }))).toBe(
      'failing checks counted (in total over the rollout)',
    );
    expect(failingChecksLabel(withGuards({ failureCounting: 'mOfN', failureLimit: 2, failureWindow: 5 }))).toBe(
      'failing checks counted (among the last 5 checks)',
    );
  });

  test('a stage that counts otherwise adds its mode (stage guards over the policy’s)', () => {
    const policy = withGuards({ failureCounting: 'total', failureLimit: 3 });
    const stages = policy.stages.map((stage) =>
      stage.kind === 'full' ? { ...stage, guards: { failureCounting: 'consecutive' as const, failureLimit: 2 } } : stage,
    );
    expect(failingChecksLabel({ ...policy, stages })).toBe('failing checks counted (in total or in a row)');
  });
});

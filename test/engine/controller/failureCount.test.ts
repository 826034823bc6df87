/**
 * Failure-counting modes, scope and no-data behaviour (src/engine/controller/failureCount.ts and
 * their use in step.ts): the pure counting functions, then the controller on sequences of
 * passing (P), failing (F) and quiet (Q: candidate below minRequests) windows, whose outcomes are
 * worked out by hand from the definitions in Guards (policy.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ControllerState } from '../../../src/engine/controller/controllerState.ts';
import { initialState } from '../../../src/engine/controller/controllerState.ts';
import type { Decision } from '../../../src/engine/controller/decision.ts';
import type { FailureCounting } from '../../../src/engine/controller/failureCount.ts';
import {
  countCheck,
  countInconclusive,
  countOnStageEntry,
  emptyFailureCount,
  failureCountMessage,
  failuresCounted,
  isPaused,
  resolveFailureCounting,
} from '../../../src/engine/controller/failureCount.ts';
import { step } from '../../../src/engine/controller/step.ts';
import type { Guards, Policy } from '../../../src/engine/policy/policy.ts';
import { canaryStage, fullStage, promoteStage } from '../../../src/engine/policy/stages.ts';
import { window } from './windowFixtures.ts';

function counting(guards: Guards): FailureCounting {
  return resolveFailureCounting(guards);
}

/** Folds a pattern of P (pass) / F (fail) into counts. */
function countPattern(pattern: string) {
  let count = emptyFailureCount();
  for (const outcome of pattern) count = countCheck(count, outcome === 'F');
  return count;
}

describe('the counting functions', () => {
  it('resolves the defaults: consecutive, limit 1, stage scope, hold on no data, no inconclusive limit', () => {
    expect(counting({})).toEqual({
      mode: 'consecutive',
      limit: 1,
      window: 0,
      scope: 'stage',
      onNoData: 'hold',
      inconclusiveLimit: Number.POSITIVE_INFINITY,
    });
    expect(counting({ failureCounting: 'mOfN', failureLimit: 3, failureWindow: 5 })).toMatchObject({ mode: 'mOfN', limit: 3, window: 5 });
  });

  it('counts FFPFPF: 1 consecutive, 4 in total, 2 of the last 3, 3 of the last 5', () => {
    const count = countPattern('FFPFPF');
    expect(count).toMatchObject({ consecutive: 1, total: 4, recentChecks: 6 });
    // Bits, latest first: F P F P F F → 0b110101.
    expect(count.recent).toBe(0b110101);
    expect(failuresCounted(count, counting({ failureLimit: 4 }))).toBe(1);
    expect(failuresCounted(count, counting({ failureCounting: 'total', failureLimit: 4 }))).toBe(4);
    expect(failuresCounted(count, counting({ failureCounting: 'mOfN', failureLimit: 2, failureWindow: 3 }))).toBe(2);
    expect(failuresCounted(count, counting({ failureCounting: 'mOfN', failureLimit: 3, failureWindow: 5 }))).toBe(3);
  });

  it('keeps the last 30 outcomes: a failure 31 checks ago leaves the window', () => {
    const count = countPattern(`F${'P'.repeat(29)}`);
    expect(failuresCounted(count, counting({ failureCounting: 'mOfN', failureLimit: 1, failureWindow: 30 }))).toBe(1);
    const later = countCheck(count, false);
    expect(later.recentChecks).toBe(30);
    expect(failuresCounted(later, counting({ failureCounting: 'mOfN', failureLimit: 1, failureWindow: 30 }))).toBe(0);
    expect(later.total).toBe(1);
  });

  it('pauses at the inconclusive limit, and carries the counts only into a rollout-scoped stage', () => {
    const rules = counting({ onNoData: 'inconclusive', inconclusiveLimit: 2 });
    const once = countInconclusive(emptyFailureCount());
    expect(isPaused(once, rules)).toBe(false);
    expect(isPaused(countInconclusive(once), rules)).toBe(true);
    const count = countPattern('FF');
    expect(countOnStageEntry(count, counting({}))).toEqual(emptyFailureCount());
    expect(countOnStageEntry(count, counting({ failureScope: 'rollout' }))).toBe(count);
  });

  it('names the mode in its messages', () => {
    expect(failureCountMessage(countPattern('FPFPF'), counting({ failureCounting: 'mOfN', failureLimit: 3, failureWindow: 5 }))).toBe(
      '3 of the last 5 checks failed, reaching the limit of 3 of 5: rolling back',
    );
    expect(failureCountMessage(countPattern('FPF'), counting({ failureCounting: 'mOfN', failureLimit: 3, failureWindow: 5 }))).toBe(
      '2 of the last 3 checks failed (3 of the last 5 roll back): holding',
    );
    expect(failureCountMessage(countPattern('FPFFPF'), counting({ failureCounting: 'total', failureLimit: 4 }))).toBe(
      '4 failing checks in total reached the limit of 4: rolling back',
    );
    expect(failureCountMessage(countPattern('FF'), counting({ failureCounting: 'total', failureLimit: 4, failureScope: 'rollout' }))).toBe(
      '2 failing checks in total over the rollout, 4 roll back: holding',
    );
    expect(failureCountMessage(countPattern('PFF'), counting({ failureLimit: 2 }))).toBe(
      '2 consecutive failing check(s) reached the limit of 2: rolling back',
    );
  });
});

/** A concurrent-baseline policy: canary 5% (1 h, at most 3 h), canary 20% (1 h), full, promote; default ratio rules. */
function policyWith(guards: Guards, canary: Record<string, unknown> = {}): Policy {
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, ...guards },
    stages: [
      canaryStage({ traffic: 0.05, minDuration: '1h', maxDuration: '3h', ...canary }),
      canaryStage({ traffic: 0.2, minDuration: '1h' }),
      fullStage(),
      promoteStage(),
    ],
  };
}

/** P: healthy window; F: candidate error rate 10% (5× control, over the default ratio 2); Q: 50 candidate requests (quiet). */
function windowOf(kind: string, t: number, state: ControllerState) {
  const share = state.candidateTraffic;
  const control = { requests: Math.round(20000 * (1 - share)) };
  if (kind === 'Q') return window(t, control, { requests: 50 });
  return window(t, control, { requests: Math.round(20000 * share), errorRate: kind === 'F' ? 0.1 : 0.01 });
}

/** Runs the pattern from time 0 and returns the decisions (stopping at the end of the rollout). */
function run(policy: Policy, pattern: string): { decisions: Decision[]; state: ControllerState; messages: string[] } {
  const state = initialState(policy, 0);
  const decisions: Decision[] = [];
  const messages: string[] = [];
  for (const kind of pattern) {
    if (state.status !== 'running') break;
    const result = step(state, [windowOf(kind, state.time, state)], policy);
    decisions.push(result.decision);
    messages.push(...result.reasons.filter((r) => r.rule === 'failureLimit' || r.rule === 'inconclusiveLimit').map((r) => r.message));
  }
  return { decisions, state, messages };
}

describe('the controller per counting mode', () => {
  // F P F P F: never two in a row, three in total, three of the last five.
  const alternating = 'FPFPF';

  it("'consecutive' (limit 2): a pass resets, so alternating failures never roll back", () => {
    const { decisions, state } = run(policyWith({ failureLimit: 2 }), alternating);
    expect(decisions).toEqual(['hold', 'continue', 'hold', 'continue', 'hold']);
    expect(state.status).toBe('running');
    expect(state.consecutiveFailures).toBe(1);
  });

  it("'total' (limit 3): the third failure rolls back whatever passed between", () => {
    const { decisions, messages } = run(policyWith({ failureLimit: 3, failureCounting: 'total' }), alternating);
    expect(decisions).toEqual(['hold', 'continue', 'hold', 'continue', 'rollback']);
    expect(messages.at(-1)).toBe('3 failing checks in total reached the limit of 3: rolling back');
  });

  it("'mOfN' (3 of 5): rolls back at FPFPF, not at FPPPF P F (the first failure has left the window)", () => {
    const guards: Guards = { failureLimit: 3, failureCounting: 'mOfN', failureWindow: 5 };
    const rolled = run(policyWith(guards), alternating);
    expect(rolled.decisions.at(-1)).toBe('rollback');
    expect(rolled.messages.at(-1)).toBe('3 of the last 5 checks failed, reaching the limit of 3 of 5: rolling back');
    const spread = run(policyWith(guards), 'FPPPFPF');
    expect(spread.decisions).toEqual(['hold', 'continue', 'continue', 'continue', 'hold', 'continue', 'hold']);
    expect(spread.state.status).toBe('running');
  });

  it("'mOfN' ignores held checks: quiet windows between failures do not push them out of the window", () => {
    const guards: Guards = { failureLimit: 2, failureCounting: 'mOfN', failureWindow: 2 };
    expect(run(policyWith(guards), 'FQQQF').decisions.at(-1)).toBe('rollback');
  });
});

describe('failure scope', () => {
  // 12 passes complete the first canary (1 h of 5-minute windows); one failure before and one after.
  const pattern = `F${'P'.repeat(12)}F`;

  it("'stage' starts the count again at each stage", () => {
    const { decisions, state } = run(policyWith({ failureLimit: 2, failureCounting: 'total' }), pattern);
    expect(decisions[12]).toBe('advance');
    expect(decisions[13]).toBe('hold');
    expect(state.failureCount?.total).toBe(1);
  });

  it("'rollout' carries the count across stages: the second failure, in the next stage, rolls back", () => {
    const { decisions, messages } = run(policyWith({ failureLimit: 2, failureCounting: 'total', failureScope: 'rollout' }), pattern);
    expect(decisions[12]).toBe('advance');
    expect(decisions[13]).toBe('rollback');
    expect(messages.at(-1)).toBe('2 failing checks in total over the rollout reached the limit of 2: rolling back');
  });
});

describe('no data', () => {
  it("'hold' (default): quiet windows neither count nor reset", () => {
    const { decisions, state } = run(policyWith({ failureLimit: 2 }), 'FQQF');
    expect(decisions).toEqual(['hold', 'hold', 'hold', 'rollback']);
    expect(state.failureCount?.inconclusive).toBe(0);
  });

  it("'fail': a quiet window is a failing check", () => {
    const { decisions, messages } = run(policyWith({ failureLimit: 3, failureCounting: 'total', onNoData: 'fail' }), 'QPQF');
    expect(decisions).toEqual(['hold', 'continue', 'hold', 'rollback']);
    expect(messages.at(-1)).toBe('3 failing checks in total reached the limit of 3: rolling back');
  });

  it("'inconclusive' with a limit of 2: the second quiet window pauses the stage until its maximum duration rolls back", () => {
    const policy = policyWith({ onNoData: 'inconclusive', inconclusiveLimit: 2 });
    const state = initialState(policy, 0);
    const first = step(state, [windowOf('Q', 0, state)], policy);
    expect(first.decision).toBe('hold');
    expect(first.reasons.find((r) => r.rule === 'inconclusiveLimit')).toMatchObject({
      observed: 1,
      threshold: 2,
      message: 'inconclusive check 1 of 2 before the stage pauses: holding',
    });
    const second = step(state, [windowOf('Q', 300, state)], policy);
    expect(second.reasons.find((r) => r.rule === 'inconclusiveLimit')?.message).toBe(
      '2 inconclusive checks reached the limit of 2: canary 5% pauses until its maximum duration (3h)',
    );
    // Paused: healthy windows are not checked and do not count toward the minimum duration.
    const decisions: Decision[] = [];
    for (let t = 600; t < 3 * 3600; t += 300) decisions.push(step(state, [windowOf('P', t, state)], policy).decision);
    expect(decisions.slice(0, -1).every((d) => d === 'hold')).toBe(true);
    expect(decisions.at(-1)).toBe('rollback');
    expect(state.passedDuration).toBe(0);
  });

  it("'inconclusive' without a limit holds like 'hold' but counts the checks", () => {
    const { decisions, state } = run(policyWith({ onNoData: 'inconclusive' }), `QQQ${'P'.repeat(12)}`);
    expect(decisions.slice(0, 3)).toEqual(['hold', 'hold', 'hold']);
    expect(decisions.at(-1)).toBe('advance');
    expect(state.stageIndex).toBe(1);
  });
});

describe('states saved before counting modes', () => {
  it('reads a state without failureCount as its consecutive failures', () => {
    const policy = policyWith({ failureLimit: 2 });
    const state = initialState(policy, 0);
    delete state.failureCount;
    state.consecutiveFailures = 1;
    expect(step(state, [windowOf('F', 0, state)], policy).decision).toBe('rollback');
  });
});

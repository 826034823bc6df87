/**
 * The controller's failure counting against a model written from the definitions in Guards
 * (src/engine/policy/policy.ts) with plain lists, on random counting guards and random sequences
 * of passing (P), failing (F) and quiet (Q: candidate below minRequests) windows, over two canary
 * stages of 3 passing checks each: every decision must be the model's. Seeded (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialState } from '../../../src/engine/controller/controllerState.ts';
import type { Decision } from '../../../src/engine/controller/decision.ts';
import { step } from '../../../src/engine/controller/step.ts';
import type { Guards, Policy } from '../../../src/engine/policy/policy.ts';
import { window } from './windowFixtures.ts';

const passesPerStage = 3;

function policyWith(guards: Guards): Policy {
  const canary = (traffic: number) => ({
    kind: 'canary',
    traffic,
    minDuration: '15m',
    checkInterval: '5m',
    rules: [{ type: 'absolute', metric: 'errorRate', max: 0.05 }],
  });
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, ...guards },
    stages: [canary(0.05), canary(0.2), { kind: 'promote' }],
  } as Policy;
}

/** The decisions the definitions give, with lists: every outcome kept, counts recomputed each time. */
function modelDecisions(guards: Guards, pattern: string): Decision[] {
  const mode = guards.failureCounting ?? 'consecutive';
  const limit = guards.failureLimit ?? 1;
  const onNoData = guards.onNoData ?? 'hold';
  const inconclusiveLimit = guards.inconclusiveLimit ?? Number.POSITIVE_INFINITY;
  let outcomes: ('P' | 'F')[] = [];
  let inconclusive = 0;
  let stage = 0;
  let passes = 0;
  const decisions: Decision[] = [];
  for (const raw of pattern) {
    if (inconclusive >= inconclusiveLimit) {
      decisions.push('hold');
      continue;
    }
    const kind = raw === 'Q' ? (onNoData === 'fail' ? 'F' : onNoData === 'inconclusive' ? 'I' : 'H') : raw;
    if (kind === 'H' || kind === 'I') {
      if (kind === 'I') inconclusive++;
      decisions.push('hold');
      continue;
    }
    outcomes.push(kind as 'P' | 'F');
    if (kind === 'F') {
      const lastPass = outcomes.lastIndexOf('P');
      const counted =
        mode === 'consecutive'
          ? outcomes.length - 1 - lastPass
          : mode === 'total'
            ? outcomes.filter((o) => o === 'F').length
            : outcomes.slice(-(guards.failureWindow as number)).filter((o) => o === 'F').length;
      if (counted >= limit) {
        decisions.push('rollback');
        return decisions;
      }
      decisions.push('hold');
      continue;
    }
    passes++;
    if (passes < passesPerStage) {
      decisions.push('continue');
      continue;
    }
    stage++;
    passes = 0;
    if (guards.failureScope !== 'rollout') {
      outcomes = [];
      inconclusive = 0;
    }
    if (stage === 2) {
      decisions.push('promote');
      return decisions;
    }
    decisions.push('advance');
  }
  return decisions;
}

function controllerDecisions(policy: Policy, pattern: string): Decision[] {
  const state = initialState(policy, 0);
  const decisions: Decision[] = [];
  for (const kind of pattern) {
    if (state.status !== 'running') break;
    const share = state.candidateTraffic;
    const control = { requests: Math.round(20000 * (1 - share)) };
    const candidate = kind === 'Q' ? { requests: 50 } : { requests: Math.round(20000 * share), errorRate: kind === 'F' ? 0.1 : 0.01 };
    decisions.push(step(state, [window(state.time, control, candidate)], policy).decision);
  }
  return decisions;
}

const guardsArbitrary: fc.Arbitrary<Guards> = fc
  .record({
    failureCounting: fc.constantFrom('consecutive', 'total', 'mOfN' as const),
    failureLimit: fc.integer({ min: 1, max: 4 }),
    extraWindow: fc.integer({ min: 0, max: 3 }),
    failureScope: fc.constantFrom('stage', 'rollout' as const),
    onNoData: fc.constantFrom('hold', 'fail', 'inconclusive' as const),
    inconclusiveLimit: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  })
  .map(({ extraWindow, inconclusiveLimit, ...guards }) => ({
    ...guards,
    ...(guards.failureCounting === 'mOfN' ? { failureWindow: guards.failureLimit + extraWindow } : {}),
    ...(inconclusiveLimit === undefined ? {} : { inconclusiveLimit }),
  }));

describe('the controller counts as the definitions say', () => {
  it('on random counting guards and random P/F/Q sequences, every decision is the model’s', () => {
    fc.assert(
      fc.property(guardsArbitrary, fc.stringMatching(/^[PFQ]{1,24}$/), (guards, pattern) => {
        expect(controllerDecisions(policyWith(guards), pattern)).toEqual(modelDecisions(guards, pattern));
      }),
      { seed: 14, numRuns: 400 },
    );
  });
});

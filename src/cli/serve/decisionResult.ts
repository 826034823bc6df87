/**
 * The summary every answer of the decision service carries: the verdict a web metric provider
 * compares against (Argo Rollouts `jsonPath: {$.result.verdict}`), the last decision and where
 * the rollout stands. Computed from the DURABLE view of a rollout (rolloutLedger.ts) only.
 */
import type { ControllerState } from '../../engine/controller/controllerState.ts';
import type { Decision, DecisionEvent } from '../../engine/controller/decision.ts';
import type { Rollout } from './rolloutLedger.ts';

/** healthy / inconclusive / failing: what a web metric provider compares against. */
export type Verdict = 'healthy' | 'inconclusive' | 'failing';

/** The summary every answer carries. */
export interface DecisionResult {
  verdict: Verdict;
  healthy: boolean;
  decision: Decision | null;
  stage: string | null;
  stageIndex: number | null;
  stageKind: string | null;
  candidateTraffic: number;
  status: ControllerState['status'] | 'waiting';
  time: number | null;
  /** Index of the decision in the rollout's event log (`state.events`), or null before the first. */
  eventIndex: number | null;
}

/** `rollback` → failing; `hold` (or no decision yet) → inconclusive; continue, advance, promote → healthy. */
export function verdictOf(decision: Decision | null): Verdict {
  if (decision === 'rollback') return 'failing';
  if (decision === 'hold' || decision === null) return 'inconclusive';
  return 'healthy';
}

/** The summary of `rollout` (its first `eventCount` events only). */
export function resultOf(rollout: Rollout | undefined): DecisionResult {
  const state = rollout?.state ?? null;
  const count = state ? rollout!.eventCount : 0;
  const last: DecisionEvent | undefined = count > 0 ? state!.events[count - 1] : undefined;
  const decision = last?.decision ?? null;
  const verdict = state?.status === 'rolledBack' ? 'failing' : verdictOf(decision);
  return {
    verdict,
    healthy: verdict === 'healthy',
    decision,
    stage: last?.stage ?? null,
    stageIndex: state ? state.stageIndex : null,
    stageKind: state ? state.stageKind : null,
    candidateTraffic: state ? state.candidateTraffic : 0,
    status: state ? state.status : 'waiting',
    time: state ? state.time : null,
    eventIndex: count > 0 ? count - 1 : null,
  };
}

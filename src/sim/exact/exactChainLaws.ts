/**
 * The per-check laws in the shape the chain asks for (`ChainLaws`, stageChain.ts): the health
 * check of a canary/full window (healthCheckLaw.ts) against one historical reference or the
 * concurrent control, and each window's expected service — Λ·f requests at the realized sticky
 * share f, Λ·f·errorRate errors, and Λ arrivals (the windowed mode's exposure volume; with
 * replayed arrivals the window's fixed count N in place of Λ), and the A/B stages' test law
 * (abTestLaw.ts: it does not depend on the historical reference). Shadow gates: not exact here
 * (their p95 gate reads the stage's request-weighted mean of window percentiles) — throws
 * `ExactUnsupportedError`.
 */
import type { CompiledPolicy } from '../../engine/controller/compilePolicy.ts';
import { expectedArrivals, exposedShare, replayArrivals } from '../traffic.ts';
import type { World } from '../world.ts';
import { memoisedAbTestLaw } from './abTestLaw.ts';
import type { BaselineReference, CheckLawOptions } from './checkLaw.ts';
import { healthCheckLaw } from './healthCheckLaw.ts';
import { memoisedShadowGateLaw } from './shadowGateLaw.ts';
import type { ChainLaws } from './stageChain.ts';

/** The chain's laws for `compiled` in `world`, historical `reference` (null: concurrent). O(1); each call costs its law's sums. */
export function exactChainLaws(
  world: World,
  compiled: CompiledPolicy,
  reference: BaselineReference | null,
  options: CheckLawOptions = {},
): ChainLaws {
  const traffic = world.scenario.traffic;
  const replay = traffic.arrivals.kind === 'replay' ? traffic.arrivals : null;
  return {
    healthCheck: (window) => healthCheckLaw(world, window, compiled.baselineMode === 'concurrent' ? null : reference, options),
    shadowGates: (window) => memoisedShadowGateLaw(world, window.stage, window.stageWindows),
    servedRequests: (window) => {
      const end = window.start + window.duration;
      const arrivals = replay
        ? replayArrivals(replay.times, replay.period, window.start, end)
        : expectedArrivals(traffic, window.start, end);
      const requests = arrivals * exposedShare(world.population, window.candidateShare);
      return { requests, errors: requests * window.candidate.errorRate, arrivals };
    },
    abTest: (stage) => memoisedAbTestLaw(world, compiled, stage),
  };
}

/**
 * The peeking Monte-Carlo's result as the sizer's chart shows it. The simulation itself is
 * `src/sim/peekingSimulation.ts`, run on a pool of Web Workers by
 * `workers/peekingSimulationInWorkers.ts`.
 */
import type { SpendingFunctionName } from '../../engine/stats/groupSequential.ts';
import { type PeekingPoint, peekingDesignNames } from '../../engine/stats/peekingCost.ts';
import { wilsonInterval } from '../../engine/stats/wilson.ts';
import type { PeekingSimulationState } from '../../sim/peekingSimulation.ts';

/** The simulated points of the peeking chart, each rate with its 95% Wilson interval. */
export function simulatedPeekingPoints(state: PeekingSimulationState, spending: SpendingFunctionName): PeekingPoint[] {
  if (state.replicates === 0) return [];
  const point = (looks: number, design: string, count: number): PeekingPoint => {
    const interval = wilsonInterval({ successes: count, total: state.replicates });
    return {
      looks,
      design,
      falsePositiveRate: count / state.replicates,
      source: 'simulated',
      lower: interval.lower,
      upper: interval.upper,
    };
  };
  return state.naive.flatMap((count, i) => [
    point(i + 1, peekingDesignNames.naive, count),
    point(i + 1, peekingDesignNames[spending], state.sequential[i]),
  ]);
}

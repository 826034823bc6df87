import { describe, expect, it } from 'vitest';
import { peekingDesignNames } from '../../src/engine/stats/peekingCost.ts';
import {
  checkPeekingSimulationRequest,
  mergePeekingStates,
  type PeekingSimulationRequest,
  type PeekingSimulationState,
} from '../../src/sim/peekingSimulation.ts';
import { simulatedPeekingPoints } from '../../src/ui/sizer/peekingSimulation.ts';
import { peekingSimulationKernel } from '../../workers/peekingSimulationEndpoint.ts';

const request: PeekingSimulationRequest = { alpha: 0.05, maxLooks: 5, spending: 'obrienFleming', rate: 0.1, usersPerArm: 4000, seed: 1 };

function run(from: number, to: number): PeekingSimulationState {
  const state = peekingSimulationKernel.init();
  const add = peekingSimulationKernel.prepare(request);
  for (let replicate = from; replicate < to; replicate++) add(state, replicate);
  return state;
}

describe('peeking Monte-Carlo kernel', () => {
  const replicates = 4000;
  const state = run(0, replicates);

  it('agrees with the exact repeated-testing rates within Monte-Carlo error', () => {
    // Exact naive rates, R mvtnorm (scripts/reference/ui_sizer.R): K = 1: 0.05, 2: 0.0831178, 3: 0.10725638, 5: 0.141689.
    // Tolerance: 4 binomial standard errors √(p(1 − p)/4000) (≤ 0.022), plus 0.005 for the discreteness of
    // binomial counts (400–4000 users per arm per look) against the Gaussian limit.
    const exact = [0.05, 0.0831178, 0.10725638, undefined, 0.141689];
    exact.forEach((p, i) => {
      if (p === undefined) return;
      const rate = state.naive[i] / replicates;
      expect(Math.abs(rate - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / replicates) + 0.005);
    });
    // Group-sequential designs keep the rate at α = 0.05 (rpact, ui_sizer.R) for every K.
    state.sequential.forEach((count) => {
      expect(Math.abs(count / replicates - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / replicates) + 0.005);
    });
    // One look: naive and sequential are the same test.
    expect(state.sequential[0]).toBe(state.naive[0]);
  });

  it('gives the same counts however the replicates are split into shards', () => {
    const merged = mergePeekingStates(mergePeekingStates(peekingSimulationKernel.init(), run(0, 1300)), run(1300, replicates));
    expect(merged).toEqual(state);
  });

  it('reports simulated points with Wilson intervals', () => {
    const points = simulatedPeekingPoints(state, 'obrienFleming');
    expect(points).toHaveLength(10);
    expect(points[8]).toMatchObject({
      looks: 5,
      design: peekingDesignNames.naive,
      source: 'simulated',
      falsePositiveRate: state.naive[4] / replicates,
    });
    expect(points[8].lower!).toBeLessThan(points[8].falsePositiveRate);
    expect(points[8].upper!).toBeGreaterThan(points[8].falsePositiveRate);
    expect(simulatedPeekingPoints(peekingSimulationKernel.init(), 'pocock')).toEqual([]);
  });

  it('rejects impossible requests, naming the field', () => {
    expect(() => checkPeekingSimulationRequest({ ...request, maxLooks: 21 })).toThrow(
      'number of looks must be a whole number from 1 to 20, got 21',
    );
    expect(() => checkPeekingSimulationRequest({ ...request, rate: 0 })).toThrow('rate must be between 0 and 1 (exclusive), got 0');
    expect(() => checkPeekingSimulationRequest({ ...request, usersPerArm: 20 })).toThrow(
      /users per arm must be a whole number of at least 10 per look/,
    );
  });
});

// Several simulations as one pool run (workers/simulationBatch.ts): each simulation's state must
// be exactly the runner's, whatever the pool size, and simulations must stream in order. The
// pool here drives the real endpoint in this thread (a PoolWorker without a thread: the messaging
// is tested on real threads in pool.test.ts), with two shards in flight per worker as in the app.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { prepareSimulation, runReplicates } from '../../src/sim/runner.ts';
import type { Scenario } from '../../src/sim/scenario.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import type { SummaryState } from '../../src/sim/summary.ts';
import type { PoolWorker } from '../../workers/pool.ts';
import { createWorkerPool } from '../../workers/pool.ts';
import type { SimulationBatchPool, SimulationBatchRequest, SimulationBatchState } from '../../workers/simulationBatch.ts';
import {
  createSimulationBatchEndpoint,
  mergeSimulationBatchStates,
  paddedReplicates,
  runSimulationBatch,
} from '../../workers/simulationBatch.ts';
import type { SimulationRequest } from '../../workers/simulationEndpoint.ts';

/** A scenario of scenarios/, cut to 12 hours so that a few hundred replicates stay quick. */
function loadScenario(name: string): Scenario {
  const parsed = parseScenario({
    ...JSON.parse(readFileSync(new URL(`../../scenarios/${name}.json`, import.meta.url), 'utf8')),
    horizon: '12h',
  });
  if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.errors)}`);
  return parsed.scenario;
}

/** A pool whose workers are endpoints in this thread (states are cloned as a thread would). */
function inThreadPool(size: number): SimulationBatchPool {
  return createWorkerPool<SimulationBatchRequest, SimulationBatchState>({
    size,
    init: () => [],
    merge: mergeSimulationBatchStates,
    createWorker(): PoolWorker<SimulationBatchRequest, SimulationBatchState> {
      const endpoint = createSimulationBatchEndpoint();
      let loaded = -1;
      return {
        alive: true,
        async runShard(run, range, onProgress) {
          if (loaded !== run.id) {
            endpoint.load(run.id, structuredClone(run.request));
            loaded = run.id;
          }
          return structuredClone(await endpoint.runShard(run.id, range, onProgress));
        },
        cancel: () => endpoint.cancel(),
        terminate: () => undefined,
      };
    },
  });
}

const policy = defaultPolicy();
const strict = { ...policy, name: 'strict' };
const simulations: SimulationRequest[] = [
  { scenario: loadScenario('identical-candidate'), policy, mode: 'window', seed: 7 },
  { scenario: loadScenario('error-regression'), policy, mode: 'window', seed: 7 },
  { scenario: loadScenario('error-regression'), policy: strict, mode: 'window', seed: 'other', firstReplicate: 5 },
];

/** The runner in this thread: replicates [first, first + replicates) in one go. */
function reference(request: SimulationRequest, replicates: number): SummaryState {
  const first = request.firstReplicate ?? 0;
  return runReplicates(prepareSimulation(request.scenario, request.policy, request.mode, request.seed), first, first + replicates);
}

describe('simulation batch', () => {
  it('pads each simulation to whole shards so that no shard straddles two', () => {
    expect(paddedReplicates(200, 2)).toBe(200);
    expect(paddedReplicates(13, 2)).toBe(14);
    expect(paddedReplicates(1, 1)).toBe(1);
  });

  // 13 replicates: shards of 1 (⌈13 / 128⌉); 129: shards of 2, the last simulation's padded to 130.
  for (const replicates of [13, 129]) {
    it(`${replicates} replicates: every simulation equals the runner's, on 1 and 2 workers, streamed in order`, async () => {
      const expected = simulations.map((request) => reference(request, replicates));
      for (const size of [1, 2]) {
        const streamed: number[] = [];
        const result = await runSimulationBatch(inThreadPool(size), simulations, replicates, {
          onSimulation: (index, state) => {
            streamed.push(index);
            expect(state).toEqual(expected[index]);
          },
        });
        expect(result.status).toBe('complete');
        expect(result.complete).toEqual([true, true, true]);
        expect(result.states).toEqual(expected);
        expect(result.states.map((state) => state.replicates)).toEqual([replicates, replicates, replicates]);
        expect(streamed).toEqual([0, 1, 2]);
      }
    });
  }

  it('reports a failing simulation without losing the others', async () => {
    const failing = simulations.map((request, index) => (index === 1 ? { ...request, failAtReplicate: 4 } : request));
    const result = await runSimulationBatch(inThreadPool(2), failing, 13);
    expect(result.status).toBe('partial');
    expect(result.complete).toEqual([true, false, true]);
    expect(result.error?.message).toBe('fault injected at replicate 4 (failAtReplicate, a test-only hook)');
    expect(result.states[0]).toEqual(reference(simulations[0], 13));
    expect(result.states[1].replicates).toBe(12);
  });

  it('checks its inputs', async () => {
    const endpoint = createSimulationBatchEndpoint();
    expect(() => endpoint.load(1, { simulations, replicates: 10, shardSize: 0 })).toThrow('shardSize must be a whole number ≥ 1, got 0');
    expect(() => endpoint.load(1, { simulations: [{ ...simulations[0], firstReplicate: -1 }], replicates: 10, shardSize: 1 })).toThrow(
      'simulations[0].firstReplicate must be a whole number ≥ 0, got -1',
    );
  });
});

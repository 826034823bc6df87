// The real simulator (src/sim/runner.ts) on REAL worker_threads through the pool. The reference
// is the same runner in this thread: `runReplicates(prepareSimulation(...), from, to)`.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { prepareSimulation, runReplicates } from '../../src/sim/runner.ts';
import type { Scenario } from '../../src/sim/scenario.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import type { SummaryState } from '../../src/sim/summary.ts';
import { initSummary, mergeSummaries, summaryValue } from '../../src/sim/summary.ts';
import { runSimulationInWorkers } from '../../workers/nodePool.ts';
import type { PoolProgress } from '../../workers/pool.ts';
import type { SimulationRequest } from '../../workers/simulationEndpoint.ts';
import { createSimulationEndpoint } from '../../workers/simulationEndpoint.ts';
import { buildWorkersIfStale } from './buildWorkers.ts';

function loadScenario(name: string): Scenario {
  const parsed = parseScenario(JSON.parse(readFileSync(new URL(`../../scenarios/${name}.json`, import.meta.url), 'utf8')));
  if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.errors)}`);
  return parsed.scenario;
}

/** The runner in this thread over [from, to) ranges, merged in order. */
function inProcess(request: SimulationRequest, ranges: [number, number][]): SummaryState {
  const prepared = prepareSimulation(request.scenario, request.policy, request.mode, request.seed);
  const merged = initSummary();
  for (const [from, to] of ranges) mergeSummaries(merged, runReplicates(prepared, from, to));
  return merged;
}

beforeAll(() => {
  buildWorkersIfStale();
});

describe('simulation on worker_threads', () => {
  for (const scenarioName of ['identical-candidate', 'error-regression']) {
    it(`${scenarioName}: identical summaries on 1, 2 and 3 workers, equal to the in-process run`, async () => {
      const request: SimulationRequest = { scenario: loadScenario(scenarioName), policy: defaultPolicy(), mode: 'window', seed: 2024 };
      const replicates = 24;
      const expected = inProcess(request, [[0, replicates]]);
      expect(expected.replicates).toBe(replicates);
      for (const workers of [1, 2, 3]) {
        const progress: PoolProgress[] = [];
        const result = await runSimulationInWorkers(
          { ...request, replicates },
          { workers, shardSize: 5, onProgress: (p) => progress.push(p) },
        );
        expect(result.status).toBe('complete');
        expect(result.failedShards).toEqual([]);
        expect(result.merged).toEqual(expected);
        expect(result.summary).toEqual(summaryValue(expected));
        expect(progress[progress.length - 1]).toMatchObject({ replicatesDone: replicates, fraction: 1, shardsCompleted: 5 });
      }
    });
  }

  it('reports a failing shard with its range and merges the others (failAtReplicate hook)', async () => {
    const request: SimulationRequest = {
      scenario: loadScenario('identical-candidate'),
      policy: defaultPolicy(),
      mode: 'window',
      seed: 9,
      failAtReplicate: 12,
    };
    const result = await runSimulationInWorkers({ ...request, replicates: 30 }, { workers: 2, shardSize: 5 });
    expect(result.status).toBe('partial');
    expect(result.failedShards).toHaveLength(1);
    expect(result.failedShards[0].range).toEqual({ from: 10, to: 15 });
    expect(result.failedShards[0].error.message).toBe('fault injected at replicate 12 (failAtReplicate, a test-only hook)');
    expect(result.replicatesCompleted).toBe(25);
    const { failAtReplicate: _ignored, ...clean } = request;
    expect(result.merged).toEqual(
      inProcess(clean, [
        [0, 10],
        [15, 30],
      ]),
    );
    expect(result.summary.replicates).toBe(25);
  });

  it('reports an invalid policy as failed shards, without hanging', async () => {
    const policy = { ...defaultPolicy(), stages: [] };
    const result = await runSimulationInWorkers(
      { scenario: loadScenario('identical-candidate'), policy, mode: 'window', seed: 1, replicates: 4 },
      { workers: 2, shardSize: 2 },
    );
    expect(result.status).toBe('partial');
    expect(result.completedShards).toEqual([]);
    expect(result.failedShards.map((shard) => shard.range)).toEqual([
      { from: 0, to: 2 },
      { from: 2, to: 4 },
    ]);
    expect(result.failedShards[0].error.name).toBe('RangeError');
  });

  it('cancels a long run: the workers stop and the finished shards are kept', async () => {
    const controller = new AbortController();
    let aborted = false;
    const result = await runSimulationInWorkers(
      { scenario: loadScenario('identical-candidate'), policy: defaultPolicy(), mode: 'window', seed: 3, replicates: 5000 },
      {
        workers: 2,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.replicatesDone > 0 && !aborted) {
            aborted = true;
            controller.abort();
          }
        },
      },
    );
    expect(result.status).toBe('cancelled');
    expect(result.replicatesCompleted).toBeLessThan(5000);
    expect(result.merged.replicates).toBe(result.replicatesCompleted);
  });
});

describe('simulation endpoint in process', () => {
  it('runs a shard exactly as the runner does', async () => {
    const request: SimulationRequest = { scenario: loadScenario('error-regression'), policy: defaultPolicy(), mode: 'window', seed: 'abc' };
    const endpoint = createSimulationEndpoint();
    endpoint.load(1, request);
    const outcome = await endpoint.runShard(1, { from: 3, to: 11 });
    expect(outcome).toEqual({ status: 'complete', state: inProcess(request, [[3, 11]]) });
  });
});

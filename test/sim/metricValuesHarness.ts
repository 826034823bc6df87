/**
 * Shared by the metric-value checks: a scenario with named metric values, and one A/B window of
 * it simulated in either fidelity mode with its own random stream.
 */
import type { ArmWindow } from '../../src/engine/metrics/windowMetrics.ts';
import { streamFor } from '../../src/engine/random/streams.ts';
import type { BivariateSums } from '../../src/engine/stats/bivariateMoments.ts';
import { windowGenerator } from '../../src/sim/replicate.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import type { FidelityMode, WindowRequest } from '../../src/sim/windowRequest.ts';
import type { World } from '../../src/sim/world.ts';
import { compileWorld, conditionsAt, emptyConditions } from '../../src/sim/world.ts';

/** A world whose models give `controlValues` / `candidateValues` (raw scenario JSON). */
export function valuesWorld(
  controlValues: Record<string, unknown>,
  candidateValues: Record<string, unknown>,
  traffic: Record<string, unknown>,
): World {
  const parsed = parseScenario({
    version: 1,
    name: 'metric values',
    traffic,
    control: { latency: { kind: 'exponential', mean: 100 }, errorRate: 0.01, values: controlValues },
    candidate: { latency: { kind: 'exponential', mean: 100 }, errorRate: 0.01, values: candidateValues },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return compileWorld(parsed.scenario, 'metric-values');
}

/** An A/B window request of `duration` seconds at candidate share `share`. */
export function abRequest(world: World, duration: number, share = 0.5): WindowRequest {
  const control = emptyConditions();
  const candidate = emptyConditions();
  conditionsAt(world, duration / 2, 0, control, candidate);
  return {
    start: 0,
    duration,
    stageKind: 'ab',
    candidateShare: share,
    mirrorShare: 0,
    needsLatency: false,
    needsOutcomes: true,
    needsSegments: false,
    control,
    candidate,
    candidateWorse: false,
  };
}

/** The values of an arm window (contracts C3). */
export function valuesOf(arm: ArmWindow | undefined): Record<string, BivariateSums> {
  const values = arm?.values;
  if (values === undefined) throw new Error('the window has no values');
  return values;
}

/** `windows` consecutive A/B windows of replicate `replicate` (seed `seed`) in `mode`. */
export function abWindows(
  world: World,
  mode: FidelityMode,
  seed: number,
  replicate: number,
  windows: number,
  duration: number,
  share = 0.5,
) {
  const generator = windowGenerator(world, streamFor(seed, replicate), mode);
  const request = abRequest(world, duration, share);
  const result = [];
  for (let w = 0; w < windows; w++) {
    request.start = w * duration;
    result.push(generator.next(request));
  }
  return result;
}

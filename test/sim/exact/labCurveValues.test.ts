/**
 * The lab's threshold curve under a daily cycle, pinned before the historical check's windows
 * began sharing one matrix per request count (src/sim/exact/cellCheckMatrix.ts): work that
 * changes only how the sums are organised must leave the answers within 1e-12. Every window of a
 * daily cycle has its own expected arrivals, so these curves read each matrix from hundreds of
 * windows of different laws (thresholdCurveValues.test.ts has a constant rate).
 *
 * Setup: bench/exact.ts's (bench/labExactSetup.ts) — the lab's worlds
 * (scenarios/identical-candidate.json with its 0.3 daily cycle, and the same with 3× the
 * candidate's errors), the framework default without its shadow and A/B stages, latency and
 * timeout ratio rules as absolute limits (no latency reference: nothing here depends on the
 * latency bracket) — at 20 req/s (the lab's first visit) and at the scenario's 100 req/s, with
 * `maxNeglected: 1` so that no setting is refused or refined. The reference values are this
 * evaluator's answers with healthCheckLaw.ts at commit 282c473 (the per-window step curve), in
 * the working tree of 2026-12-04 21:03 UTC, printed to 17 digits by the same calls as below — a
 * regression pin, not an independent reference: the check laws are checked against scipy and
 * brute force in healthCheckLaw.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { coveredPolicy, labWorlds } from '../../../bench/labExactSetup.ts';
import { exactOperatingCurve } from '../../../src/sim/exact/exactOperatingCurve.ts';
import type { ExactSummary } from '../../../src/sim/exact/exactTally.ts';
import type { Scenario } from '../../../src/sim/scenario.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import { withParameter } from '../../../src/sim/sweep.ts';

/** The lab's worlds at `requestsPerSecond`. */
function worldsAt(requestsPerSecond: number): { healthy: Scenario; regressed: Scenario } {
  const worlds = labWorlds();
  const at = (scenario: Scenario): Scenario => {
    const parsed = parseScenario({ ...scenario, traffic: { ...scenario.traffic, requestsPerSecond } });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return parsed.scenario;
  };
  return { healthy: at(worlds.healthy), regressed: at(worlds.regressed) };
}

// [errorRatio, healthy rollback, healthy promote, healthy neglected, regressed rollback, regressed promote, regressed neglected, regressed mean detection (s)]
const at20 = [
  [1.5, 0.9999037190133301, 9.628098666990243e-5, 1.7826426514562322e-6, 1, 0, 4.926327528711606e-12, 321.0269715486271],
  [2, 0.8209971811171505, 0.17900281888284952, 6.07027571524128e-5, 1, 0, 5.1756992204556335e-12, 362.45408625916696],
  [3, 0.11171950946710955, 0.8882804905328905, 3.4752567047652304e-6, 1, 0, 6.828389148308624e-12, 627.5676070621488],
] as const;
const at100 = [
  [
    4, 2.1808688188058763e-10, 0.9999999997819131, 1.8744068266349687e-10, 0.3972398338873072, 0.6027601661126929, 4.864000780495057e-5,
    3542.877612803295,
  ],
] as const;

function expectPinned(
  points: { value: number; healthy: ExactSummary; regressed: ExactSummary }[],
  pinned: readonly (readonly number[])[],
): void {
  expect(points.length).toBe(pinned.length);
  points.forEach((point, i) => {
    const [value, rollback, promote, neglected, regressedRollback, regressedPromote, regressedNeglected, detection] = pinned[i];
    expect(point.value).toBe(value);
    const close = (actual: number | null, expected: number, what: string, scale = 1) =>
      expect(Math.abs((actual as number) - expected), `${what} at ${value}`).toBeLessThan(1e-12 * scale);
    close(point.healthy.rollbackRate.rate, rollback, 'healthy rollback');
    close(point.healthy.promoteRate.rate, promote, 'healthy promote');
    close(point.healthy.neglectedMass, neglected, 'healthy neglected');
    close(point.regressed.rollbackRate.rate, regressedRollback, 'regressed rollback');
    close(point.regressed.promoteRate.rate, regressedPromote, 'regressed promote');
    close(point.regressed.neglectedMass, regressedNeglected, 'regressed neglected');
    // An expectation in seconds: relative 1e-12.
    close(point.regressed.detectionTime.mean, detection, 'regressed mean detection time', detection);
  });
}

describe('lab threshold curve values under a daily cycle (historical error ratio, baseline cells)', () => {
  it('at 20 req/s (the first visit), three thresholds in one vector chain per world, give the pinned answers to 1e-12', () => {
    const result = exactOperatingCurve({
      ...worldsAt(20),
      settings: at20.map(([value]) => ({ value, policy: withParameter(coveredPolicy(0), 'errorRatio', value) })),
      maxNeglected: 1,
    });
    expect(result.supported).toBe(true);
    if (result.supported) expectPinned(result.points, at20);
  });

  it('at 100 req/s, a threshold where the regressed candidate is often promoted, gives the pinned answer to 1e-12', () => {
    const result = exactOperatingCurve({
      ...labWorlds(),
      settings: at100.map(([value]) => ({ value, policy: withParameter(coveredPolicy(0), 'errorRatio', value) })),
      maxNeglected: 1,
    });
    expect(result.supported).toBe(true);
    if (result.supported) expectPinned(result.points, at100);
  });
});

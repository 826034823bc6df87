/**
 * An operating characteristic answered exactly: for each setting of one policy knob (the policy
 * with that setting), the exact outcome record (`evaluateExact`) of a healthy and of a regressed
 * world — the policy lab's question (issue 16: "the operating characteristic becomes a curve over
 * many settings"). Pure, no DOM: a worker runs it (workers/labExactEndpoint.ts), the bench and the
 * tests call it in-process.
 *
 * Each world is compiled once per flag group and reused by every setting (the sticky share and
 * the users' weights do not depend on the threshold), so the cost is the settings' chains, not
 * their scenario setup. The first setting is evaluated first: when it has no exact form the
 * curve stops there and returns its features (a curve half exact and half sampled would read as
 * one kind of number — `exactSweep` refuses the same way).
 */
import type { Policy } from '../../engine/policy/policy.ts';
import { flagGroup } from '../runner.ts';
import type { Scenario } from '../scenario.ts';
import type { World } from '../world.ts';
import { compileWorld } from '../world.ts';
import type { ExactOptions } from './evaluateExact.ts';
import { evaluateExact } from './evaluateExact.ts';
import type { ExactSummary } from './exactTally.ts';

/** One setting of the curve: the knob's value and the policy it gives. */
export interface ExactCurveSetting {
  value: number;
  policy: Policy;
}

/** What the curve is asked (plain data: it crosses to a worker). */
export interface ExactCurveRequest {
  healthy: Scenario;
  regressed: Scenario;
  /** The settings, the one to answer first (the lab's current setting) first. */
  settings: ExactCurveSetting[];
  /** Largest neglected probability mass accepted (`ExactOptions.maxNeglected`, default 1e-6). */
  maxNeglected?: number;
}

/** One setting's exact answer in both worlds. */
export interface ExactCurvePoint {
  value: number;
  healthy: ExactSummary;
  regressed: ExactSummary;
}

/** The curve in the order the settings were given, or the features that need simulation. */
export type ExactCurveResult = { supported: true; points: ExactCurvePoint[] } | { supported: false; features: string[] };

/**
 * Evaluates every setting in both worlds exactly (module comment). `onProgress(done, total)` after
 * each setting. Throws a RangeError when a setting's policy is invalid (as `simulate`). Cost:
 * 2 × settings exact evaluations plus one world compilation per world and flag group.
 */
export function exactOperatingCurve(request: ExactCurveRequest, onProgress?: (done: number, total: number) => void): ExactCurveResult {
  const worlds = new Map<string, World>();
  const worldOf = (which: 'healthy' | 'regressed', policy: Policy): World => {
    const group = flagGroup(policy);
    const key = `${which}\u0000${group}`;
    let world = worlds.get(key);
    if (world === undefined) {
      world = compileWorld(request[which], group);
      worlds.set(key, world);
    }
    return world;
  };
  const points: ExactCurvePoint[] = [];
  for (const [index, { value, policy }] of request.settings.entries()) {
    const summaries: ExactSummary[] = [];
    for (const which of ['healthy', 'regressed'] as const) {
      const options: ExactOptions = {
        world: worldOf(which, policy),
        ...(request.maxNeglected !== undefined ? { maxNeglected: request.maxNeglected } : {}),
      };
      const result = evaluateExact(request[which], policy, options);
      if (!result.supported) return { supported: false, features: result.features };
      summaries.push(result.summary);
    }
    points.push({ value, healthy: summaries[0], regressed: summaries[1] });
    onProgress?.(index + 1, request.settings.length);
  }
  return { supported: true, points };
}

/**
 * An operating characteristic answered exactly: for each setting of one policy knob (the policy
 * with that setting), the exact outcome record (`evaluateExact`) of a healthy and of a regressed
 * world — the policy lab's question (issue 16: "the operating characteristic becomes a curve over
 * many settings"). Pure, no DOM: a worker runs it (workers/labExactEndpoint.ts), the bench and the
 * tests call it in-process.
 *
 * Each world is compiled once per flag group and reused by every setting (the sticky share and
 * the users' weights do not depend on the threshold), and the settings' chains run as ONE vector
 * chain per world (vectorChain.ts: the settings × baseline nodes as columns, the chain's
 * bookkeeping paid once), so the cost is the laws' sums, not the settings' setup. When a setting
 * has no exact form the curve returns the first such setting's features (a curve half exact and
 * half sampled would read as one kind of number — `exactSweep` refuses the same way); when the
 * first setting (the lab's current one) is refused, before the second world is run.
 */
import type { Policy } from '../../engine/policy/policy.ts';
import type { Scenario } from '../scenario.ts';
import type { ExactOptions } from './evaluateExact.ts';
import { evaluateExactSettings } from './evaluateExact.ts';
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
  /** Most nodes the historical baseline's law is refined to (`ExactOptions.maxBaselineNodes`, default 256). */
  maxBaselineNodes?: number;
}

/** One setting's exact answer in both worlds. */
export interface ExactCurvePoint {
  value: number;
  healthy: ExactSummary;
  regressed: ExactSummary;
  /**
   * The most nodes of the historical baseline's law either world's answer used
   * (`ExactResult.baselineNodes`: the evaluator refines them per setting until its
   * discretisation estimate meets the tolerance); optional for the lab's hand-built results.
   */
  baselineNodes?: number;
}

/**
 * The curve in the order the settings were given, with the approximations any answer made
 * (`ExactResult.approximations`, without repeats; always set by `exactOperatingCurve`, optional
 * for the lab's hand-built results), or the features that need simulation.
 */
export type ExactCurveResult =
  | { supported: true; points: ExactCurvePoint[]; approximations?: string[] }
  | { supported: false; features: string[] };

/**
 * Evaluates every setting in both worlds exactly (module comment). `onProgress(done, total)` per
 * setting once its answers are in. Throws a RangeError when a setting's policy is invalid (as
 * `simulate`). Cost: per world, one vector chain run over the settings that share the chain's
 * structure (`evaluateExactSettings`: all of them for a threshold curve) and their baseline
 * nodes, plus one world compilation per world and flag group.
 */
export function exactOperatingCurve(request: ExactCurveRequest, onProgress?: (done: number, total: number) => void): ExactCurveResult {
  const options: ExactOptions = {
    ...(request.maxNeglected !== undefined ? { maxNeglected: request.maxNeglected } : {}),
    ...(request.maxBaselineNodes !== undefined ? { maxBaselineNodes: request.maxBaselineNodes } : {}),
  };
  const policies = request.settings.map((setting) => setting.policy);
  const healthy = evaluateExactSettings(request.healthy, policies, options);
  // The first setting refused: its features, without the other world's run.
  if (healthy.length > 0 && !healthy[0].supported) return { supported: false, features: healthy[0].features };
  const regressed = evaluateExactSettings(request.regressed, policies, options);
  const points: ExactCurvePoint[] = [];
  const approximations = new Set<string>();
  for (const [index, { value }] of request.settings.entries()) {
    const summaries: ExactSummary[] = [];
    let baselineNodes = 1;
    for (const result of [healthy[index], regressed[index]]) {
      if (!result.supported) return { supported: false, features: result.features };
      for (const note of result.approximations) approximations.add(note);
      summaries.push(result.summary);
      baselineNodes = Math.max(baselineNodes, result.baselineNodes);
    }
    points.push({ value, healthy: summaries[0], regressed: summaries[1], baselineNodes });
    onProgress?.(index + 1, request.settings.length);
  }
  return { supported: true, points, approximations: [...approximations] };
}

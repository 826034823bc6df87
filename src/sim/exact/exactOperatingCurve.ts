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
 *
 * What the curve costs besides the laws' sums (measured 00:42–00:50 UTC 2026-12-05, CPU ms in
 * Node, the lab's three exact questions — flat100: the framework default at 100 req/s without
 * daily cycle; firstVisit: the lab's first visit; covered: bench/labExactSetup.ts's covered
 * policy; 20 error-ratio settings × the healthy and regressed worlds — at commit 9432262 against
 * the same tree with this round's changes to the chain's files, alternated, 3 runs each, medians,
 * load 1.6–3.7 on 2 cores). The changes: the shadow gates' memo keyed by numbers rather than a
 * string built per column, the A/B law and the historical baseline's law shared by every setting
 * (abTestLawKey, baselineLawKey), mass vectors pooled, node averages built without per-column
 * tallies, window laws keyed without strings, a scenario object's worlds kept between calls
 * (vectorChain.ts, shadowGateLaw.ts, abTestLaw.ts, exactTally.ts, evaluateExact.ts). Fresh
 * scenario objects each round (every memo cold), rounds 2–3: flat100 20 settings 1,962 → 1,541 ms,
 * firstVisit 1,809 → 1,539, covered 1,355 → 1,153; one setting 458 → 377, 499 → 441, 289 → 285.
 * The same scenario objects again (the lab's kept worker, which keeps its scenarios by content:
 * evaluateExact.ts keeps their worlds, so the world's memos hit too), rounds 2–4: 20 settings
 * 583 → 236, 924 → 581, 414 → 322; one setting 156 → 67, 161 → 138, 69 → 63. On top of the
 * batched rateBelow (commit 78477a0 against the same tree with 9432262's chain files, 00:50–00:56
 * UTC, load 3–4): fresh objects, 20 settings 1,629 → 1,299, 1,443 → 992, 1,090 → 919, one
 * setting 466 → 395, 516 → 468, 293 → 296 (12 runs each: no difference); kept objects, 20 settings
 * 615 → 245, 813 → 554, 384 → 238, one setting 158 → 74, 156 → 109, 67 → 70. The rest is the
 * historical check's laws (healthCheckLaw.ts, cellCheckMatrix.ts, baselineLaw.ts). Every answer
 * bit-identical.
 *
 * Bounded answers (`ExactCurveRequest.boundedUpTo`): a setting refused for numerical tolerance
 * alone (every feature "numerical tolerance…") whose answer's whole neglected mass is at most
 * `boundedUpTo` is answered anyway with the answer the evaluator refused (`ExactUnsupported.bounded`,
 * computed before the refusal: nothing twice), marked `bounded` with its mass, and the curve says
 * why (`boundedBecause`, the refusals' own words). Its rates are within that mass of the truth —
 * rigorously but for the historical baseline's discretisation estimate — never exact. Without
 * `boundedUpTo` (the CLI) the curve refuses as before.
 */
import { compilePolicy } from '../../engine/controller/compilePolicy.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import type { Scenario } from '../scenario.ts';
import type { ExactOptions, ExactResult, ExactUnsupported } from './evaluateExact.ts';
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
  /**
   * Largest neglected probability mass at which a setting refused for numerical tolerance alone is
   * answered as a bounded point (module comment), between 0 and 1; absent: never (refused as the CLI does).
   */
  boundedUpTo?: number;
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
  /**
   * True when either world's answer is bounded, not exact (module comment): the evaluator refused
   * it for numerical tolerance and `boundedUpTo` accepted its mass. Absent: exact.
   */
  bounded?: true;
  /** With `bounded`: the larger of the two worlds' neglected masses, a bound on each rate's error. */
  neglectedMass?: number;
}

/**
 * The curve in the order the settings were given, with the approximations any answer made
 * (`ExactResult.approximations`, without repeats; always set by `exactOperatingCurve`, optional
 * for the lab's hand-built results), or the features that need simulation.
 */
export type ExactCurveResult =
  | {
      supported: true;
      points: ExactCurvePoint[];
      approximations?: string[];
      /** The evaluator's refusals (without repeats) behind the bounded points; absent when none is bounded. */
      boundedBecause?: string[];
    }
  | { supported: false; features: string[] };

/**
 * Evaluates every setting in both worlds exactly (module comment). `onProgress(done, total)` per
 * setting once its answers are in. Throws a RangeError when a setting's policy is invalid (as
 * `simulate`). Cost: per world, one vector chain run over the settings that share the chain's
 * structure (`evaluateExactSettings`: all of them for a threshold curve) and their baseline
 * nodes, plus one world compilation per world and flag group.
 */
export function exactOperatingCurve(request: ExactCurveRequest, onProgress?: (done: number, total: number) => void): ExactCurveResult {
  const steps = exactOperatingCurveSteps(request, request.settings.length, onProgress);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `exactOperatingCurve(request)` in steps, for a caller that must be able to stop between them
 * (the lab's kept worker, workers/labExactEndpoint.ts, listens for a cancel message there): the
 * settings are taken `settingsPerStep` at a time, in order, and each block is one step per world
 * (the healthy world's vector run, then the regressed world's). The generator yields after each
 * step (the value is the number of settings answered in both worlds so far) and returns the
 * curve. With one block it IS `exactOperatingCurve`.
 *
 * Equal to one block up to the last bits, not always to the bit: a vector chain's column does the
 * arithmetic of its one-column run, but the order in which merged states are summed follows the
 * states the other columns create (vectorChain.ts; its tests compare within 1e-12), so a setting
 * answered beside other settings may differ in the last bits (the lab's 20-threshold questions in
 * blocks of 2: byte-identical; its 51-threshold first visit: one decision-time mass of 3.8e-10
 * differs by one ulp). For a given block size the answer is a pure function of the request (the
 * memos are pure functions of their keys): test/sim/exact/exactOperatingCurveSteps.test.ts. What
 * a block costs beyond its columns is the chain's bookkeeping, paid once per step (measured in
 * labExactEndpoint.ts). The same errors as one block: every policy is compiled before the first
 * step (a RangeError for any invalid setting, before a refusal), and a refusal is the first
 * refused setting's, in order, healthy world first — a later block is then never evaluated.
 */
export function* exactOperatingCurveSteps(
  request: ExactCurveRequest,
  settingsPerStep: number,
  onProgress?: (done: number, total: number) => void,
): Generator<number, ExactCurveResult, void> {
  const { boundedUpTo } = request;
  if (boundedUpTo !== undefined && !(boundedUpTo >= 0 && boundedUpTo <= 1))
    throw new RangeError(`boundedUpTo must be a probability between 0 and 1, got ${boundedUpTo}`);
  if (!(Number.isInteger(settingsPerStep) && settingsPerStep >= 1) && request.settings.length > 0)
    throw new RangeError(`settingsPerStep must be a whole number ≥ 1, got ${settingsPerStep}`);
  const options: ExactOptions = {
    ...(request.maxNeglected !== undefined ? { maxNeglected: request.maxNeglected } : {}),
    ...(request.maxBaselineNodes !== undefined ? { maxBaselineNodes: request.maxBaselineNodes } : {}),
  };
  const total = request.settings.length;
  // One block's errors before its refusals: every invalid policy throws before the first step.
  if (settingsPerStep < total) for (const { policy } of request.settings) compilePolicy(policy);
  const points: ExactCurvePoint[] = [];
  const approximations = new Set<string>();
  const boundedBecause = new Set<string>();
  for (let start = 0; start < total; start += settingsPerStep) {
    const block = request.settings.slice(start, start + settingsPerStep);
    const policies = block.map((setting) => setting.policy);
    const healthy = evaluateExactSettings(request.healthy, policies, options);
    // The first setting refused: its features, without the other world's run.
    if (start === 0 && healthy.length > 0 && accepted(healthy[0], boundedUpTo) === null) return refusal(healthy[0]);
    yield start;
    const regressed = evaluateExactSettings(request.regressed, policies, options);
    for (const [offset, { value }] of block.entries()) {
      const summaries: ExactSummary[] = [];
      let baselineNodes = 1;
      let bounded = false;
      for (const result of [healthy[offset], regressed[offset]]) {
        const answer = accepted(result, boundedUpTo);
        if (answer === null) return refusal(result);
        if (!result.supported) {
          bounded = true;
          for (const feature of result.features) boundedBecause.add(feature);
        }
        for (const note of answer.approximations) approximations.add(note);
        summaries.push(answer.summary);
        baselineNodes = Math.max(baselineNodes, answer.baselineNodes);
      }
      const neglectedMass = Math.max(summaries[0].neglectedMass, summaries[1].neglectedMass);
      points.push({
        value,
        healthy: summaries[0],
        regressed: summaries[1],
        baselineNodes,
        ...(bounded ? { bounded: true as const, neglectedMass } : {}),
      });
      onProgress?.(start + offset + 1, total);
    }
    if (start + settingsPerStep < total) yield start + block.length;
  }
  return {
    supported: true,
    points,
    approximations: [...approximations],
    ...(boundedBecause.size > 0 ? { boundedBecause: [...boundedBecause] } : {}),
  };
}

/** A refused setting's features (the result carries no bounded answer across to the caller). */
function refusal(result: ExactResult | ExactUnsupported): ExactCurveResult {
  return { supported: false, features: (result as ExactUnsupported).features };
}

/**
 * The answer the curve uses for one world's setting: the exact one; or, refused for numerical
 * tolerance alone, the evaluator's bounded answer when its neglected mass is at most
 * `boundedUpTo`; else null (refused). A refusal for a feature (a statistical rule, …) is never
 * bounded, whatever `boundedUpTo`: the evaluator gives it no bounded answer. O(1).
 */
function accepted(result: ExactResult | ExactUnsupported, boundedUpTo: number | undefined): ExactResult | null {
  if (result.supported) return result;
  const { bounded } = result;
  // `bounded` is set only on a refusal for numerical tolerance alone (evaluateExact.ts `assemble`).
  if (boundedUpTo === undefined || bounded === undefined) return null;
  return bounded.summary.neglectedMass <= boundedUpTo ? bounded : null;
}

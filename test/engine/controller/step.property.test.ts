import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialState } from '../../../src/engine/controller/controllerState.ts';
import { step } from '../../../src/engine/controller/step.ts';
import type { ArmWindow, WindowMetrics } from '../../../src/engine/metrics/windowMetrics.ts';
import { parseWindowMetrics } from '../../../src/engine/metrics/windowMetrics.ts';
import { parsePolicy } from '../../../src/engine/policy/parsePolicy.ts';
import type { HealthRule, Policy, Stage } from '../../../src/engine/policy/policy.ts';

const metric = fc.constantFrom('errorRate', 'timeoutRate', 'latencyP50', 'latencyP95', 'latencyP99' as const);
const rule: fc.Arbitrary<HealthRule> = fc.oneof(
  fc.record({ type: fc.constant('ratio' as const), metric, maxRatio: fc.double({ min: 0.1, max: 5, noNaN: true }) }),
  fc.record({
    type: fc.constant('absolute' as const),
    metric: fc.constantFrom('errorRate', 'timeoutRate' as const),
    max: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({
    type: fc.constant('statistical' as const),
    metric: fc.constantFrom('errorRate', 'timeoutRate' as const),
    minimumEffect: fc.double({ min: 0, max: 0.05, noNaN: true }),
    method: fc.constantFrom('alphaSpending', 'alwaysValid' as const),
  }),
);
const rules = fc.array(rule, { minLength: 1, maxLength: 3 });
const minutes = (m: number) => `${m}m`;

/** Small valid policies: optional baseline and shadow, 1–2 canaries, optional A/B, full, optional promote. */
const policy: fc.Arbitrary<Policy> = fc
  .record({
    historical: fc.boolean(),
    shadow: fc.boolean(),
    canaries: fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 2 }),
    ab: fc.option(
      fc.record({
        design: fc.constantFrom('fixed', 'groupSequential', 'alwaysValid'),
        sampleSize: fc.option(fc.integer({ min: 1, max: 500 })),
      }),
    ),
    promote: fc.boolean(),
    minRequests: fc.integer({ min: 1, max: 50 }),
    failureLimit: fc.integer({ min: 1, max: 3 }),
    stageMinutes: fc.integer({ min: 5, max: 30 }),
    maxFactor: fc.option(fc.integer({ min: 1, max: 3 })),
    onMaxDuration: fc.constantFrom('rollback', 'hold' as const),
    canaryRules: rules,
    guardrails: rules,
    retire: fc.option(fc.integer({ min: 0, max: 7200 })),
  })
  .map((p) => {
    const duration = minutes(p.stageMinutes);
    const maxDuration = p.maxFactor === null ? undefined : minutes(p.stageMinutes * p.maxFactor);
    const common = { minDuration: duration, checkInterval: '5m', ...(maxDuration ? { maxDuration } : {}), onMaxDuration: p.onMaxDuration };
    const stages: Stage[] = [];
    if (p.historical) stages.push({ kind: 'baseline', minRequests: 100, ...common });
    if (p.shadow) {
      stages.push({
        kind: 'shadow',
        ...common,
        comparison: { method: 'exact' },
        gates: { minAgreement: 0.5, maxLatencyRatio: 2, maxErrorRatio: 3, minComparisons: 10 },
      });
    }
    for (const share of [...p.canaries].sort((a, b) => a - b))
      stages.push({ kind: 'canary', traffic: share / 100, ...common, rules: p.canaryRules });
    if (p.ab) {
      const design =
        p.ab.design === 'groupSequential'
          ? { type: 'groupSequential' as const, looks: 3, spending: 'obrienFleming' as const }
          : { type: p.ab.design as 'fixed' | 'alwaysValid' };
      stages.push({
        kind: 'ab',
        traffic: 0.5,
        ...common,
        test: { metric: 'successRate', minimumEffect: 0.05, design, ...(p.ab.sampleSize !== null ? { sampleSize: p.ab.sampleSize } : {}) },
        guardrails: p.guardrails,
      });
    }
    stages.push({ kind: 'full', ...common, rules: p.canaryRules });
    if (p.promote) stages.push({ kind: 'promote' });
    return {
      version: 1 as const,
      baseline: { mode: p.historical ? ('historical' as const) : ('concurrent' as const) },
      guards: { minRequests: p.minRequests, failureLimit: p.failureLimit },
      ...(p.retire !== null ? { flag: { name: 'f', retireAfter: p.retire } } : {}),
      stages,
    };
  });

/** Any valid arm, counts including zeros. */
const armArbitrary: fc.Arbitrary<ArmWindow> = fc
  .record({
    requests: fc.integer({ min: 0, max: 2000 }),
    errorShare: fc.double({ min: 0, max: 1, noNaN: true }),
    timeoutShare: fc.double({ min: 0, max: 1, noNaN: true }),
    latency: fc.option(fc.tuple(fc.double({ min: 0, max: 1000, noNaN: true }), fc.double({ min: 0, max: 1000, noNaN: true }))),
    outcomes: fc.option(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 1, noNaN: true }))),
    compared: fc.option(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 1, noNaN: true }))),
  })
  .map((a) => {
    const arm: ArmWindow = {
      requests: a.requests,
      errors: Math.floor(a.requests * a.errorShare),
      timeouts: Math.floor(a.requests * a.timeoutShare),
    };
    if (a.latency) arm.latency = { p50: a.latency[0], p95: a.latency[0] + a.latency[1], p99: a.latency[0] + 2 * a.latency[1] };
    if (a.outcomes) [arm.outcomes, arm.successes] = [a.outcomes[0], Math.floor(a.outcomes[0] * a.outcomes[1])];
    if (a.compared) [arm.compared, arm.agreements] = [a.compared[0], Math.floor(a.compared[0] * a.compared[1])];
    return arm;
  });

const windowSpecs = fc.array(fc.record({ control: fc.option(armArbitrary), candidate: fc.option(armArbitrary), missing: fc.boolean() }), {
  minLength: 1,
  maxLength: 60,
});

function toWindow(spec: { control: ArmWindow | null; candidate: ArmWindow | null }, index: number): WindowMetrics {
  const window: WindowMetrics = { startTime: 300 * index, duration: 300 };
  if (spec.control) window.control = spec.control;
  if (spec.candidate) window.candidate = spec.candidate;
  return window;
}

describe('step properties', () => {
  it('generated policies are valid', () => {
    fc.assert(
      fc.property(policy, (p) => {
        expect(parsePolicy(p)).toMatchObject({ ok: true });
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on any valid policy and valid windows, and its state stays JSON', () => {
    fc.assert(
      fc.property(policy, windowSpecs, (p, specs) => {
        const state = initialState(p, 0);
        specs.forEach((spec, i) => {
          const window = toWindow(spec, i);
          expect(parseWindowMetrics(window).ok).toBe(true);
          const result = step(state, [window], p);
          expect(['continue', 'advance', 'hold', 'rollback', 'promote']).toContain(result.decision);
          for (const reason of result.reasons) expect(typeof reason.message).toBe('string');
        });
        expect(JSON.parse(JSON.stringify(state))).toEqual(state);
        expect(state.events).toHaveLength(specs.length);
      }),
      { numRuns: 300 },
    );
  });

  it('never advances or promotes on missing data, in whatever stage the rollout is', () => {
    // Missing data for every stage: no window, a window with no arm, or a candidate below the
    // minimum requests (that one has control data, which a baseline stage may use).
    const missingWindows = fc.constantFrom(
      { controlPresent: false, make: (): WindowMetrics[] => [] },
      { controlPresent: false, make: (t: number): WindowMetrics[] => [{ startTime: t, duration: 300 }] },
      {
        controlPresent: true,
        make: (t: number, min: number): WindowMetrics[] => [
          {
            startTime: t,
            duration: 300,
            control: { requests: 5000, errors: 0, timeouts: 0 },
            candidate: { requests: min - 1, errors: 0, timeouts: 0 },
          },
        ],
      },
    );
    fc.assert(
      fc.property(policy, windowSpecs, missingWindows, (p, specs, missing) => {
        const state = initialState(p, 0);
        let checked = 0;
        specs.forEach((spec, i) => {
          if (state.status !== 'running') return;
          if (!spec.missing) {
            step(state, [toWindow(spec, i)], p);
            return;
          }
          if (missing.controlPresent && state.stageKind === 'baseline') return;
          const passedBefore = state.passedDuration;
          const result = step(state, missing.make(300 * i, p.guards!.minRequests!), p);
          checked++;
          expect(['hold', 'rollback']).toContain(result.decision);
          // A rollback on missing data only comes from the stage's maximum duration (other
          // reasons, such as a flag-retirement reminder, may accompany it).
          if (result.decision === 'rollback') expect(result.reasons.map((reason) => reason.rule)).toContain('maxDuration');
          expect(state.passedDuration).toBe(passedBefore);
        });
        return checked >= 0;
      }),
      { numRuns: 300 },
    );
  });

  it('lists several problems of an invalid policy together', () => {
    fc.assert(
      fc.property(
        policy,
        fc.double({ min: 1.01, max: 10, noNaN: true }),
        fc.double({ min: -5, max: 0, noNaN: true }),
        (p, share, ratio) => {
          const broken = JSON.parse(JSON.stringify(p));
          const canary = broken.stages.findIndex((s: Stage) => s.kind === 'canary');
          broken.stages[canary].traffic = share;
          broken.stages[canary].rules = [{ type: 'ratio', metric: 'errorRate', maxRatio: ratio }];
          broken.surprise = true;
          const result = parsePolicy(broken);
          expect(result.ok).toBe(false);
          if (result.ok) return;
          const paths = result.errors.map((e) => e.path);
          expect(paths).toContain(`stages[${canary}].traffic`);
          expect(paths).toContain(`stages[${canary}].rules[0].maxRatio`);
          expect(paths).toContain('surprise');
        },
      ),
      { numRuns: 100 },
    );
  });
});

/**
 * The shadow stage's gates, exactly (src/sim/exact/shadowGateLaw.ts): the agreement gate's
 * double Poisson sum against scipy (scripts/reference/exact_shadow.py, scipy 1.10.1 on Debian's
 * /usr/bin/python3), the bounded p95 and error gates deciding a latency regression, the refusal
 * when the p95 laws straddle the gate, and a shadow stage walked by the chain agreeing with the
 * windowed Monte-Carlo mode within 4 standard errors (400 replicates: SE 0.025 at p = 0.5); a
 * baseline stage under a concurrent baseline walked the same way, its waiting mass counted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/engine/controller/compilePolicy.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { evaluateExact } from '../../../src/sim/exact/evaluateExact.ts';
import { agreementGateLaw, memoisedShadowGateLaw, shadowGateLaw } from '../../../src/sim/exact/shadowGateLaw.ts';
import type { StageWindowRecord } from '../../../src/sim/exact/stageChain.ts';
import { flagGroup, simulate } from '../../../src/sim/runner.ts';
import type { Scenario } from '../../../src/sim/scenario.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import type { World } from '../../../src/sim/world.ts';
import { compileWorld, conditionsAt, emptyConditions } from '../../../src/sim/world.ts';
import { shadowThenCanary } from '../../helpers/exactChainCases.ts';

function scenario(file: string, edit: (json: Record<string, any>) => void = () => {}): Scenario {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  edit(json);
  const parsed = parseScenario(json);
  if (!parsed.ok) throw new Error(`${file} does not parse`);
  return parsed.scenario;
}

describe('the agreement gate (independent Poisson agreements and disagreements)', () => {
  // scripts/reference/exact_shadow.py (scipy 1.10.1).
  it.each([
    [900, 100, 0.9, 1000, 0.254047721133, 0.49579475582],
    [1800, 200, 0.9, 1000, 0.502478730061, 0],
    [4275, 225, 0.95, 1000, 0.503411191779, 0],
    [850, 150, 0.85, 0, 0.503239983724, 0],
  ])('μA = %d, μD = %d, gate > %d, at least %d comparisons', (meanAgree, meanDisagree, gate, minComparisons, pass, hold) => {
    const law = agreementGateLaw(meanAgree, meanDisagree, gate, minComparisons, 1e-12);
    expect(law.pass).toBeCloseTo(pass, 10);
    expect(law.hold).toBeCloseTo(hold, 10);
    expect(law.neglected).toBeLessThan(1e-11);
  });
});

describe('a shadow stage in the exact chain', () => {
  it('agrees with the windowed mode when the agreement gate sits on the candidate’s agreement (P(pass) ≈ 0.5)', () => {
    const world = scenario('scenarios/identical-candidate.json'); // agreement 0.95, 100 req/s, daily cycle
    const policy = shadowThenCanary(0.95);
    const exact = evaluateExact(world, policy);
    expect(exact.supported).toBe(true);
    if (!exact.supported) return;
    const rollback = exact.summary.rollbackRate.rate as number;
    // About 360,000 comparisons at 95%: the strict '>' makes the pass a little below one half.
    expect(rollback).toBeGreaterThan(0.45);
    expect(rollback).toBeLessThan(0.55);
    expect(exact.summary.neglectedMass).toBeLessThan(1e-6);
    const simulated = simulate(world, policy, { replicates: 400, seed: 'exact shadow gate', mode: 'window' });
    const standardError = Math.sqrt((rollback * (1 - rollback)) / 400);
    expect(Math.abs((simulated.rollbackRate.rate as number) - rollback)).toBeLessThanOrEqual(4 * standardError);
  }, 60_000);

  it('rolls a doubled p95 back in shadow surely (the p95 gate bounded on the fail side)', () => {
    const world = scenario('scenarios/library/ignoring-latency-regression.json'); // candidate p95 800 vs 400
    const exact = evaluateExact(world, shadowThenCanary(0.85));
    expect(exact.supported).toBe(true);
    if (!exact.supported) return;
    expect(exact.summary.rollbackRate.rate).toBe(1);
    expect(exact.summary.decisionTimeDistribution).toEqual({ 3600: 1 }); // judged at the end of the shadow's hour
    expect(exact.summary.neglectedMass).toBeLessThan(1e-6);
  });

  it('computes the gates once per world for settings that leave the shadow alone, with the same answer', () => {
    const scenarioValue = scenario('scenarios/identical-candidate.json');
    const fresh = evaluateExact(scenarioValue, shadowThenCanary(0.95));
    const world = compileWorld(scenarioValue, flagGroup(shadowThenCanary(0.95)));
    const first = evaluateExact(scenarioValue, shadowThenCanary(0.95), { world });
    const again = evaluateExact(scenarioValue, shadowThenCanary(0.95), { world });
    expect(first).toEqual(fresh);
    expect(again).toEqual(fresh);
  }, 60_000);

  it('refuses, naming the feature, when the p95 laws straddle the gate', () => {
    const world = scenario('scenarios/identical-candidate.json', (json) => {
      json.candidate.latency = { kind: 'lognormal', median: 180, p95: 600 }; // exactly 1.5 × the control's p95
    });
    const exact = evaluateExact(world, shadowThenCanary(0.85));
    expect(exact.supported).toBe(false);
    if (exact.supported) return;
    expect(exact.features).toEqual(['shadow p95 gate near its threshold']);
  });
});

describe('a baseline stage under a concurrent baseline', () => {
  /** The shadow policy after a 1-hour baseline of at least `minRequests` control requests. */
  function withBaseline(minRequests: number): Policy {
    const policy = shadowThenCanary(0.95);
    return { ...policy, stages: [{ kind: 'baseline', minDuration: '1h', minRequests, checkInterval: '5m' }, ...policy.stages] } as Policy;
  }

  it('advances at its minimum duration, the contrary counted as neglected mass, and agrees with the windowed mode', () => {
    const world = scenario('scenarios/identical-candidate.json');
    const exact = evaluateExact(world, withBaseline(100_000)); // about 270,000 control requests in the hour after midnight (100 req/s, 30% daily cycle peaking at 14:00)
    expect(exact.supported).toBe(true);
    if (!exact.supported) return;
    expect(exact.summary.neglectedMass).toBeLessThan(1e-6);
    const rollback = exact.summary.rollbackRate.rate as number;
    expect(Object.keys(exact.summary.decisionTimeDistribution)).toContain('7200'); // shadow judged at 2 h
    const simulated = simulate(world, withBaseline(100_000), { replicates: 400, seed: 'exact concurrent baseline stage', mode: 'window' });
    expect(Math.abs((simulated.rollbackRate.rate as number) - rollback)).toBeLessThanOrEqual(
      4 * Math.sqrt((rollback * (1 - rollback)) / 400),
    );
  }, 60_000);

  it('is refused when its minimum requests may not be met by its minimum duration', () => {
    // About 270,000 expected control requests in the first hour against a minimum of 360,000: the stage surely waits.
    const exact = evaluateExact(scenario('scenarios/identical-candidate.json'), withBaseline(360_000));
    expect(exact.supported).toBe(false);
    if (exact.supported) return;
    expect(exact.features[0]).toMatch(/^numerical tolerance/);
  });
});

describe('the shadow gates’ memo (memoisedShadowGateLaw, keyed by the numbers the law reads)', () => {
  /** The stage's windows of a shadow hour at 5-minute checks, each with its own copy of the conditions at its midpoint. */
  function hourOfWindows(world: World): StageWindowRecord[] {
    const records: StageWindowRecord[] = [];
    for (let start = 0; start < 3600; start += 300) {
      const control = emptyConditions();
      const candidate = emptyConditions();
      conditionsAt(world, start + 150, 0, control, candidate);
      records.push({ start, duration: 300, control, candidate });
    }
    return records;
  }
  const source = scenario('scenarios/identical-candidate.json'); // agreement 0.95, identical latency
  const shadowOf = (minAgreement: number) => compilePolicy(shadowThenCanary(minAgreement)).stages[0];

  it('answers warm exactly as cold, and serves a warm entry for equal numbers in new objects', () => {
    const world = compileWorld(source, flagGroup(shadowThenCanary(0.95)));
    const fresh = shadowGateLaw(world, shadowOf(0.95), hourOfWindows(world));
    const cold = memoisedShadowGateLaw(world, shadowOf(0.95), hourOfWindows(world));
    const warm = memoisedShadowGateLaw(world, shadowOf(0.95), hourOfWindows(world));
    expect(cold).toEqual(fresh); // toEqual compares numbers with Object.is: bit for bit
    expect(warm).toBe(cold); // a new policy object and new window records: the same entry
    expect(cold.pass).toBeGreaterThan(0.45); // the gate on the candidate's agreement: P(pass) near 1/2
    expect(cold.pass).toBeLessThan(0.55);
  });

  it('never serves a stale entry: a window changed in place, a changed gate or a stage renamed is a new key', () => {
    const world = compileWorld(source, flagGroup(shadowThenCanary(0.95)));
    const windows = hourOfWindows(world);
    const first = memoisedShadowGateLaw(world, shadowOf(0.95), windows);
    // The same array, one window's agreement lowered in place: the law reads it, so must the memo.
    windows[5].candidate.agreement = 0.9;
    const changed = memoisedShadowGateLaw(world, shadowOf(0.95), windows);
    expect(changed).toEqual(shadowGateLaw(world, shadowOf(0.95), windows));
    expect(changed.pass).toBeLessThan(first.pass);
    // Restored: the first entry again.
    windows[5].candidate.agreement = 0.95;
    expect(memoisedShadowGateLaw(world, shadowOf(0.95), windows)).toBe(first);
    // A lower agreement gate: the gate passes surely.
    const looser = memoisedShadowGateLaw(world, shadowOf(0.9), windows);
    expect(looser).toEqual(shadowGateLaw(world, shadowOf(0.9), windows));
    expect(looser.pass).toBeGreaterThan(0.999);
    // A refusal is memoised too, and names its own stage: the same numbers under another name.
    const tight = {
      ...shadowOf(0.95),
      shadow: { ...shadowOf(0.95).shadow!, gates: { ...shadowOf(0.95).shadow!.gates, maxLatencyRatio: 1 } },
    };
    expect(() => memoisedShadowGateLaw(world, tight, windows)).toThrow(/stage 0 \('shadow/);
    expect(() => memoisedShadowGateLaw(world, { ...tight, name: 'renamed' }, windows)).toThrow(/stage 0 \('renamed'\)/);
  });
});

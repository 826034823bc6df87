/**
 * Windows broken down by segment (an A/B stage with `segmentKeys`), in both fidelity modes.
 *
 * Law: with Poisson arrivals, the candidate's requests from segment s that are judged correct in
 * a window are a thinned Poisson count, Poisson(Λ·f·w_s·a_s) (Λ expected arrivals, f the exact
 * share of requests of users in the rollout, w_s the segment's share, a_s its accuracy), in both
 * modes; so are its requests, Poisson(Λ·f·w_s). Each mode's mean over W windows is checked
 * against that expectation within 4 standard errors (√(mean/W)), and its variance-to-mean ratio
 * against 1 within 4·√(2/(W − 1)) (the sampling sd of a sample variance of a Poisson count,
 * normal approximation). Every window's arm totals are the sums of its segments.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ArmWindow } from '../../src/engine/metrics/windowMetrics.ts';
import { streamFor } from '../../src/engine/random/streams.ts';
import { playbackReplicate } from '../../src/sim/playbackReplicate.ts';
import { windowGenerator } from '../../src/sim/replicate.ts';
import { simulate } from '../../src/sim/runner.ts';
import type { Scenario } from '../../src/sim/scenario.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { expectedArrivals, exposedShare } from '../../src/sim/traffic.ts';
import type { FidelityMode, WindowRequest } from '../../src/sim/windowRequest.ts';
import { compileWorld, conditionsAt, emptyConditions } from '../../src/sim/world.ts';
import { scenarioPolicy } from '../../src/ui/playback/scenarioLibrary.ts';

function library(id: string): Scenario {
  const parsed = parseScenario(JSON.parse(readFileSync(`scenarios/library/${id}.json`, 'utf8')));
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  return parsed.scenario;
}

const fields = ['requests', 'errors', 'timeouts', 'successes', 'outcomes'] as const;

function expectSumsOfSegments(arm: ArmWindow, names: string[]): void {
  expect(Object.keys(arm.segments!)).toEqual(names);
  for (const field of fields) {
    const sum = names.reduce((total, name) => total + (arm.segments![name][field] ?? 0), 0);
    expect(sum, field).toBe(arm[field]);
  }
}

describe('windows broken down by segment', () => {
  // The Simpson scenario: 200 requests/s, mobile 20% (control 0.80, candidate 0.88 accurate), web 80% (0.90, 0.88).
  const scenario = library('segments-hiding-a-winner');
  const world = compileWorld(scenario, 'segments');
  const control = emptyConditions();
  const candidate = emptyConditions();
  const start = 14 * 3600;
  const duration = 300;
  conditionsAt(world, start + duration / 2, 10, control, candidate);
  const request: WindowRequest = {
    start,
    duration,
    stageKind: 'ab',
    candidateShare: 0.5,
    mirrorShare: 0,
    needsLatency: true,
    needsOutcomes: true,
    needsSegments: true,
    control,
    candidate,
    candidateWorse: false,
  };
  const windowsPerMode = 400;
  const expectedCandidate = expectedArrivals(scenario.traffic, start, start + duration) * exposedShare(world.population, 0.5);

  for (const mode of ['window', 'request'] as FidelityMode[]) {
    it(`${mode} mode: the arms are the sums of their segments, and each segment's counts follow its Poisson law`, () => {
      expect(world.segments).toEqual(['mobile', 'web']);
      expect(candidate.segmentShares).toEqual([0.2, 0.8]);
      expect(candidate.segmentAccuracy).toEqual([0.88, 0.88]);
      expect(control.segmentAccuracy).toEqual([0.8, 0.9]);
      const generator = windowGenerator(world, streamFor(7, mode === 'window' ? 0 : 1), mode);
      const counts = {
        mobileRequests: [] as number[],
        mobileCorrect: [] as number[],
        webCorrect: [] as number[],
        controlMobileCorrect: [] as number[],
      };
      for (let i = 0; i < windowsPerMode; i++) {
        const window = generator.next(request);
        expectSumsOfSegments(window.control!, world.segments);
        expectSumsOfSegments(window.candidate!, world.segments);
        expect(window.candidate!.latency).toBeDefined();
        counts.mobileRequests.push(window.candidate!.segments!.mobile.requests);
        counts.mobileCorrect.push(window.candidate!.segments!.mobile.successes!);
        counts.webCorrect.push(window.candidate!.segments!.web.successes!);
        counts.controlMobileCorrect.push(window.control!.segments!.mobile.successes!);
      }
      const expectedControl = expectedArrivals(scenario.traffic, start, start + duration) - expectedCandidate;
      const checks: [number[], number][] = [
        [counts.mobileRequests, expectedCandidate * 0.2],
        [counts.mobileCorrect, expectedCandidate * 0.2 * 0.88],
        [counts.webCorrect, expectedCandidate * 0.8 * 0.88],
        [counts.controlMobileCorrect, expectedControl * 0.2 * 0.8],
      ];
      for (const [values, expected] of checks) {
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
        expect(Math.abs(mean - expected)).toBeLessThan(4 * Math.sqrt(expected / values.length));
        expect(Math.abs(variance / expected - 1)).toBeLessThan(4 * Math.sqrt(2 / (values.length - 1)));
      }
    });
  }

  it('leaves windows unbroken (and the random stream unchanged) without segment keys', () => {
    const plain = { ...request, needsSegments: false };
    for (const mode of ['window', 'request'] as FidelityMode[]) {
      const window = windowGenerator(world, streamFor(3, 0), mode).next(plain);
      expect(window.candidate!.segments).toBeUndefined();
      expect(window.control!.segments).toBeUndefined();
    }
  });

  it('plays the Simpson scenario with the A/B report by segment: mobile → candidate, web → control, and no false paradox', () => {
    const policy = scenarioPolicy(scenario);
    const messages: string[] = [];
    for (let replicate = 0; replicate < 5; replicate++) {
      const playback = playbackReplicate(scenario, policy, 1, replicate);
      const reports = playback.windows.flatMap((w) => w.reasons.filter((r) => r.rule === 'segments'));
      expect(reports).toHaveLength(1);
      const [report] = reports;
      messages.push(report.message);
      expect(report.message).toMatch(
        /^A\/B by segment: 'mobile' candidate 8\d\.\d% vs control [78]\d\.\d% \(\+\d\.\d points, p [^)]*\); 'web' candidate/,
      );
      expect(report.message).toContain("Route per segment ('mobile' → candidate, 'web' → control)");
      // Randomised arms share one segment mix: never called Simpson's paradox.
      expect(report.message).not.toContain("Simpson's paradox:");
      // Routing by segment gains ≈ 0.2 × 8 points = 1.6 points over the better single model (0.2·0.88 + 0.8·0.90 − 0.88 = 0.016).
      expect(report.observed!).toBeGreaterThan(0.008);
      expect(report.observed!).toBeLessThan(0.024);
    }
    // When the point estimates reverse (the aggregate "winner" loses on web, 80% of traffic), it says why.
    expect(
      messages.some(
        (message) =>
          message.includes("averages opposite effects by segment away; the arms' segment mixes match") &&
          message.includes("so this is cancellation, not Simpson's paradox"),
      ),
    ).toBe(true);
  });

  it('rates the segment winners the aggregate hid: nearly always here, about α or less when segments do not differ', () => {
    const policy = scenarioPolicy(scenario);
    const hidden = simulate(scenario, policy, { replicates: 120, seed: 11 });
    expect(hidden.segmentWinnerRate.total).toBe(hidden.candidateWinRate.total);
    // Mobile +8 points on ~4,000+ outcomes per arm: p < 1e-10 in practice, so every report finds it.
    expect(hidden.segmentWinnerRate.rate).toBe(1);
    // No segment difference at all (both models 0.88 everywhere): a "winner" is a false positive of
    // one segment's z-test whose winner is not the better model overall, at most α (one-sided side
    // of a two-sided test at 0.05 per segment, one disagreeing segment at most here).
    const flat = { ...scenario, control: { ...scenario.control, accuracy: { mobile: 0.88, web: 0.88 } } };
    const null_ = simulate(flat, policy, { replicates: 400, seed: 12 });
    expect(null_.segmentWinnerRate.total).toBeGreaterThan(350);
    // Measured: 2 of 400 (web, 80% of the traffic, nearly always picks the better model overall).
    expect(null_.segmentWinnerRate.rate!).toBeLessThan(0.05 + 4 * Math.sqrt((0.05 * 0.95) / null_.segmentWinnerRate.total));
  }, 60_000);
});

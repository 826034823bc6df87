/**
 * The A/B stage with a metric list, end to end on simulated metric values (issue 15): the scenario
 * scenarios/ab-metrics-longer-answers.json — revenue per user (success metric, CUPED with a
 * pre-period correlation of 0.7) and tokens per request (guardrail, non-inferior within 5%, a
 * ratio with a persistent per-user effect) — simulated in the windowed mode through the engine's
 * `step`, under each design (fixed; group-sequential, 4 looks, O'Brien–Fleming type; always valid).
 *
 * - The candidate's answers use 10% more tokens per request: every design rolls it back on the
 *   guardrail (20 runs each, at least 18 required; measured: 20 of 20, and 40 of 40 in a longer run).
 * - Identical models (A/A): the stage ends without a difference in most runs, and then does what
 *   `onInconclusive` says, the same for every design: with common random numbers, the runs that
 *   end inconclusive promote under 'advance' and roll back under 'rollback', and no others change.
 *   Wrong conclusions (a winner declared, or a metric significantly worse) stay within the
 *   multi-metric rule's error rates: at most about 2α = 0.1 of runs (two metrics' one-sided
 *   deterioration tests at α), checked at ≤ 0.25 with 40 runs (3.5 standard errors above 0.1).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatPolicyError, parsePolicy } from '../../src/engine/policy/index.ts';
import type { Policy } from '../../src/engine/policy/policy.ts';
import type { ReplicateOutcome } from '../../src/sim/replicate.ts';
import { prepareSimulation, runOne } from '../../src/sim/runner.ts';
import { parseScenario } from '../../src/sim/scenario.ts';

const document = JSON.parse(readFileSync('scenarios/ab-metrics-longer-answers.json', 'utf8'));
const designs = [{ type: 'fixed' }, { type: 'groupSequential', looks: 4, spending: 'obrienFleming' }, { type: 'alwaysValid' }];

function scenario(tokensMedian: number) {
  const raw = structuredClone(document);
  raw.candidate.values.tokens.value.median = tokensMedian;
  const parsed = parseScenario(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

function policy(design: unknown, onInconclusive: string): Policy {
  const raw = structuredClone(document.policy);
  raw.stages[0].test.design = design;
  raw.stages[0].test.onInconclusive = onInconclusive;
  const parsed = parsePolicy(raw);
  if (!parsed.ok) throw new Error(parsed.errors.map(formatPolicyError).join('; '));
  return parsed.policy;
}

function outcomes(tokensMedian: number, design: unknown, onInconclusive: string, runs: number): ReplicateOutcome[] {
  const simulation = prepareSimulation(scenario(tokensMedian), policy(design, onInconclusive), 'window', 'ab-metrics-end-to-end');
  return Array.from({ length: runs }, (_, i) => runOne(simulation, i));
}

describe('an A/B stage deciding on revenue and tokens per request', () => {
  it.each(designs.map((design) => [design.type, design] as const))(
    'rolls back a candidate using a tenth more tokens per request (%s)',
    (_name, design) => {
      const runs = outcomes(330, design, 'advance', 20);
      const rolledBack = runs.filter((run) => run.decision === 'rollback' && run.abWinner === 'control').length;
      expect(rolledBack).toBeGreaterThanOrEqual(18);
    },
  );

  it.each(designs.map((design) => [design.type, design] as const))(
    'identical models: an inconclusive end does what onInconclusive says (%s)',
    (_name, design) => {
      const runs = 40;
      const advance = outcomes(300, design, 'advance', runs);
      const rollback = outcomes(300, design, 'rollback', runs);
      let inconclusive = 0;
      let wrong = 0;
      for (let i = 0; i < runs; i++) {
        const ended = advance[i].abWinner === null && advance[i].decision === 'promote';
        if (ended) {
          inconclusive += 1;
          expect(rollback[i].decision).toBe('rollback');
          expect(rollback[i].abWinner).toBeNull();
        } else {
          wrong += 1;
          // A conclusion does not depend on onInconclusive.
          expect(rollback[i].decision).toBe(advance[i].decision);
          expect(rollback[i].abWinner).toBe(advance[i].abWinner);
        }
      }
      expect(wrong / runs).toBeLessThanOrEqual(0.25);
      expect(inconclusive).toBe(runs - wrong);
    },
  );
});

/**
 * The exact answer panel's template (src/ui/lab/labExactPanel.ts) read without a browser: its
 * static strings and values flattened to text. The supported path is fed the exact answer of the
 * issue's hand case (test/sim/exact/exactOperatingCurve.test.ts: P(false rollback) =
 * 0.960558369954671, scipy), small and fast; the lab's own question is the browser test's
 * (test/e2e/labExact.test.ts).
 */
import type { TemplateResult } from 'lit';
import { describe, expect, it } from 'vitest';
import { exactOperatingCurve } from '../../src/sim/exact/exactOperatingCurve.ts';
import type { RateEstimate } from '../../src/sim/summary.ts';
import { formatNeglectedMass } from '../../src/ui/format.ts';
import { labExactAnswer } from '../../src/ui/lab/labExact.ts';
import { type LabExactRun, labExactPanel, showsExactAnswer } from '../../src/ui/lab/labExactPanel.ts';
import type { OperatingPoint } from '../../src/ui/lab/labModel.ts';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { initialState } from '../../src/ui/state/viewState.ts';
import { curveHandPolicy, curveHandScenario } from '../helpers/exactChainCases.ts';

const settings = readLabSettings(initialState(labSchema));

/** The template's text: static strings and interpolated values, nested templates and arrays included. */
function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(text).join('');
  if (typeof value === 'object' && 'strings' in (value as object)) {
    const template = value as TemplateResult;
    return template.strings.map((part, i) => part + (i < template.values.length ? text(template.values[i]) : '')).join('');
  }
  return typeof value === 'object' ? '' : String(value);
}

/** The hand case's curve (exactChainCases.ts `curveHandPolicy` at the 0.2% limit); `tolerance` asks the evaluator for a stricter tolerance and accepts bounded answers. */
function handCase(tolerance: { maxNeglected: number; boundedUpTo: number } | object = {}) {
  return exactOperatingCurve({
    healthy: curveHandScenario(0.001),
    regressed: curveHandScenario(0.003),
    settings: [{ value: 2, policy: curveHandPolicy(0.002) }],
    ...tolerance,
  });
}

const wilson = (rate: number, total: number): RateEstimate => ({
  rate,
  lower: rate - 0.02,
  upper: rate + 0.02,
  count: rate * total,
  total,
});

describe('labExactPanel', () => {
  const curve = handCase();
  const answer = labExactAnswer(curve);
  if (!answer.supported) throw new Error('the hand case has an exact answer');
  const run: LabExactRun = { status: 'complete', value: answer, error: undefined, progress: 1 };

  it('shows the exact rate without an interval, and says the Monte-Carlo run agrees when it is within 4 SE', () => {
    // 0.96 vs 0.960558…, n = 200: SE = √(0.9606 · 0.0394 / 200) = 0.01377, 0.04 SE apart.
    const monteCarlo: OperatingPoint = {
      ...answer.current,
      healthy: { ...answer.current.healthy, falseRollbackRate: wilson(0.96, 200) },
      regressed: {
        ...answer.current.regressed,
        missedRegressionRate: wilson(answer.current.regressed.missedRegressionRate.rate ?? 0, 200),
      },
    };
    const shown = text(labExactPanel(run, { running: false, current: monteCarlo, replicates: 200 }, settings));
    expect(shown).toContain('96.06% (exact)');
    expect(shown).toContain('96.0% [94.0%, 98.0%]');
    expect(shown).toContain('Monte-Carlo confirmation (200 replicates): agrees');
    expect(showsExactAnswer(run)).toBe(true);
  });

  it('says "differs" when the Monte-Carlo rate is more than 4 SE away, and "running" before it is in', () => {
    const far: OperatingPoint = { ...answer.current, healthy: { ...answer.current.healthy, falseRollbackRate: wilson(0.85, 200) } };
    expect(text(labExactPanel(run, { running: false, current: far, replicates: 200 }, settings))).toContain('differs');
    expect(text(labExactPanel(run, { running: true, current: undefined, replicates: 200 }, settings))).toContain(
      'Monte-Carlo confirmation (200 replicates) running…',
    );
  });

  it('says what the exact answer rests on: its neglected mass, and that the evaluator names no approximation', () => {
    if (!curve.supported) throw new Error('the hand case has an exact answer');
    const neglected = Math.max(curve.points[0].healthy.neglectedMass, curve.points[0].regressed.neglectedMass);
    expect(answer.neglectedMass).toBe(neglected);
    expect(answer.approximations).toEqual([]);
    const shown = text(labExactPanel(run, { running: true, current: undefined, replicates: 200 }, settings));
    expect(shown).toContain(`Exact within <span data-neglected>${formatNeglectedMass(neglected)}</span>`);
    expect(shown).toContain('The evaluator names no approximation for this policy and scenario.');
  });

  it('says over how many nodes of its law the historical baseline was averaged, when more than one', () => {
    if (!curve.supported) throw new Error('the hand case has an exact answer');
    for (const [nodes, shownNodes] of [
      [64, true],
      [1, false],
    ] as const) {
      const refined = labExactAnswer({ ...curve, points: curve.points.map((point) => ({ ...point, baselineNodes: nodes })) });
      expect(refined.supported && refined.baselineNodes).toBe(nodes);
      const shown = text(labExactPanel({ ...run, value: refined }, { running: true, current: undefined, replicates: 200 }, settings));
      expect(shown.includes(`averaged over <span data-baseline-nodes>${nodes}</span> nodes of its law`)).toBe(shownNodes);
    }
  });

  it('names every approximation the evaluator reports', () => {
    if (!curve.supported) throw new Error('the hand case has an exact answer');
    const normalLaw = 'A/B test of stage 3 by the normal law of its z statistic';
    const other = 'another named approximation';
    const approximated = labExactAnswer({ ...curve, approximations: [normalLaw, other] });
    expect(approximated.supported && approximated.approximations).toEqual([normalLaw, other]);
    const shown = text(labExactPanel({ ...run, value: approximated }, { running: true, current: undefined, replicates: 200 }, settings));
    expect(shown).toContain('It rests on 2 approximations, named by the evaluator:');
    expect(shown).toContain(`<li data-approximation>${normalLaw}</li>`);
    expect(shown).toContain(`<li data-approximation>${other}</li>`);
  });

  it('rounds a neglected mass up to one significant digit (a bound stays a bound)', () => {
    expect(formatNeglectedMass(2.3e-8)).toBe('3e-8');
    expect(formatNeglectedMass(3e-8)).toBe('3e-8');
    expect(formatNeglectedMass(9.01e-7)).toBe('1e-6');
    expect(formatNeglectedMass(1e-6)).toBe('1e-6');
    expect(formatNeglectedMass(0)).toBe('0');
  });

  it('names the features when there is no exact answer', () => {
    const refused: LabExactRun = {
      status: 'complete',
      value: { supported: false, features: ['A/B stage (stage 4)'] },
      error: undefined,
      progress: 1,
    };
    expect(text(labExactPanel(refused, { running: true, current: undefined, replicates: 200 }, settings))).toContain('A/B stage (stage 4)');
    expect(showsExactAnswer(refused)).toBe(false);
  });

  it('shows a bounded answer as bounded, never exact: the bound, the refusal in its words, Monte-Carlo beside it', () => {
    // At maxNeglected 1e-12 the evaluator refuses the hand case for its 1.0018656168168492e-11 of
    // neglected probability (exactOperatingCurve.test.ts); boundedUpTo 1e-9 takes it as bounded.
    const boundedAnswer = labExactAnswer(handCase({ maxNeglected: 1e-12, boundedUpTo: 1e-9 }));
    if (!boundedAnswer.supported) throw new Error(boundedAnswer.features.join('; '));
    expect(boundedAnswer.current.bound).toBe(1.0018656168168492e-11);
    expect(boundedAnswer.boundedBecause).toEqual([
      'numerical tolerance (the exact sums neglect 1.00e-11 of probability, above 1e-12)',
      'numerical tolerance (the exact sums neglect 3.26e-12 of probability, above 1e-12)',
    ]);
    const boundedRun: LabExactRun = { status: 'complete', value: boundedAnswer, error: undefined, progress: 1 };
    // 0.96 vs 0.960558…, n = 200: 0.04 SE apart, as for the exact answer.
    const monteCarlo: OperatingPoint = {
      ...boundedAnswer.current,
      healthy: { ...boundedAnswer.current.healthy, falseRollbackRate: wilson(0.96, 200) },
      regressed: {
        ...boundedAnswer.current.regressed,
        missedRegressionRate: wilson(boundedAnswer.current.regressed.missedRegressionRate.rate ?? 0, 200),
      },
    };
    const shown = text(labExactPanel(boundedRun, { running: false, current: monteCarlo, replicates: 200 }, settings));
    expect(shown).toContain('<td class="number" data-exact>96.06% (bounded within ±1.1e-9 points)</td>');
    expect(shown).toContain('data-mode=bounded');
    expect(shown).toContain('<th class="number">Bounded</th>');
    expect(shown).toContain('Not exact: <span data-bound>±1.1e-9 points</span> on each rate.');
    expect(shown).toContain('<span data-neglected>2e-11</span> of probability, above its 1e-6 tolerance');
    expect(shown).toContain(
      '<li data-bounded-because>numerical tolerance (the exact sums neglect 1.00e-11 of probability, above 1e-12)</li>',
    );
    expect(shown).toContain(
      'Monte-Carlo confirmation (200 replicates): agrees — every rate within 4 standard errors of the bounded one (beyond its ±1.1e-9 points).',
    );
    expect(shown).toContain('The charts are drawn from bounded answers');
    expect(shown).not.toContain('(exact)');
    expect(shown).not.toContain('Exact within');
    expect(showsExactAnswer(boundedRun)).toBe(true);
  });

  it('says the exact answer is still being computed past the budget, with Monte-Carlo shown meanwhile', () => {
    const late: LabExactRun = {
      status: 'pending',
      value: { supported: false, stillComputing: true, features: ["speed: … takes longer than the lab's 3 s budget"] },
      error: undefined,
      progress: 0,
    };
    const shown = text(labExactPanel(late, { running: true, current: undefined, replicates: 200 }, settings));
    expect(shown).toContain('data-still-computing=true');
    expect(shown).toContain('The exact answer is still being computed, so the rates below are Monte-Carlo estimates meanwhile:');
    expect(shown).not.toContain('No exact answer');
    expect(showsExactAnswer(late)).toBe(false);
  });
});

/**
 * The A/B stage's report by segment (the policy's `segmentKeys`): while the test runs, each
 * window's per-segment outcomes (`ArmWindow.segments`) are tallied; when the test concludes, the
 * tallies of each key are analysed by `analyzeSegments` (per-segment rates, z-tests, Simpson's
 * paradox, routing per segment) and reported as one reason per key. The report never changes the
 * decision, which rests on the pre-registered aggregate test: looking at segments after the fact
 * is exploratory (several segments, several tests), and the reason says which differences are
 * significant on their own.
 *
 * Simpson's paradox needs the arms to spread differently over the segments. In a randomised test
 * they do not, so a reversal of point estimates there is cancellation (opposite effects averaged
 * away), not a paradox: the report tests the arms' segment mixes (Pearson χ² of homogeneity,
 * stats/contingency.ts) and calls it Simpson's paradox only when they differ (p below the
 * sample-ratio-mismatch threshold, 0.001), which also flags broken assignment.
 *
 * Segment names: a window breaks its counts down by one level of names. A name `key=value`
 * belongs to `key` (so a producer can break down by several keys at once: `device=mobile`,
 * `country=DE`, …); a plain name (`mobile`) belongs to the stage's first segment key.
 */

import { analyzeSegments } from '../analysis/segments.ts';
import type { ArmWindow } from '../metrics/windowMetrics.ts';
import { homogeneityTest } from '../stats/contingency.ts';
import { DEFAULT_SRM_THRESHOLD } from '../stats/sampleRatioMismatch.ts';
import { formatPercent } from '../text/format.ts';
import type { SegmentTally } from './controllerState.ts';

/** Adds one window's per-segment outcomes to `tallies`, in place. Cost O(segments). */
export function addSegmentOutcomes(tallies: Record<string, SegmentTally>, control: ArmWindow | undefined, candidate: ArmWindow): void {
  const add = (arm: ArmWindow | undefined, isCandidate: boolean) => {
    if (arm?.segments === undefined) return;
    for (const name in arm.segments) {
      const segment = arm.segments[name];
      if (segment.successes === undefined || segment.outcomes === undefined) continue;
      const tally = (tallies[name] ??= { controlSuccesses: 0, controlOutcomes: 0, candidateSuccesses: 0, candidateOutcomes: 0 });
      if (isCandidate) {
        tally.candidateSuccesses += segment.successes;
        tally.candidateOutcomes += segment.outcomes;
      } else {
        tally.controlSuccesses += segment.successes;
        tally.controlOutcomes += segment.outcomes;
      }
    }
  };
  add(control, false);
  add(candidate, true);
}

/** One key's report: the gain of routing by segment over the better single model, and the sentence. */
export interface SegmentReport {
  key: string;
  /** Expected success rate routing each segment to its winner minus that of the better model for all (≥ 0), or null without an analysis. */
  routingGain: number | null;
  /** The aggregate winner loses in every segment or in most of the traffic, and the arms' segment mixes differ. */
  simpsonParadox: boolean;
  /** p-value of the test that both arms have the same segment mix (null without an analysis). */
  mixPValue: number | null;
  /**
   * The smallest p-value among the segments whose winner is not the better model overall (the
   * evidence that routing by segment beats serving one model to all); null when every segment's
   * winner is that model, or without an analysis. Below α: a segment winner the aggregate hid.
   */
  disagreementPValue: number | null;
  message: string;
}

function points(x: number): string {
  const value = (100 * x).toFixed(1);
  return `${x > 0 ? '+' : x < 0 ? '−' : '±'}${value.replace('-', '')} points`;
}

function fourDigits(x: number): string {
  return String(Number(x.toPrecision(4)));
}

/** A p-value in two significant digits; one below the smallest double's reach (it underflowed to 0) as "< 1e-300". */
function pValueText(p: number): string {
  if (p < 1e-300) return '< 1e-300';
  return p < 1e-4 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
}

/**
 * The report of each segment key over `tallies` at significance `alpha`. Segments without
 * outcomes in both arms are named and left out of the analysis; a key with fewer than two
 * analysable segments gets a report saying so. Cost O(keys × segments).
 */
export function segmentReports(tallies: Record<string, SegmentTally>, keys: readonly string[], alpha: number): SegmentReport[] {
  return keys.map((key, keyIndex) => {
    const usable: { name: string; tally: SegmentTally }[] = [];
    const empty: string[] = [];
    for (const name in tallies) {
      const cut = name.indexOf('=');
      const owner = cut > 0 ? name.slice(0, cut) : keyIndex === 0 ? key : null;
      if (owner !== key) continue;
      const label = cut > 0 ? name.slice(cut + 1) : name;
      const tally = tallies[name];
      if (tally.controlOutcomes > 0 && tally.candidateOutcomes > 0) usable.push({ name: label, tally });
      else empty.push(label);
    }
    const skipped = empty.length > 0 ? ` (no outcomes in one arm: ${empty.map((name) => `'${name}'`).join(', ')})` : '';
    if (usable.length < 2) {
      return {
        key,
        routingGain: null,
        simpsonParadox: false,
        mixPValue: null,
        disagreementPValue: null,
        message: `A/B by ${key}: fewer than two segments with outcomes in both arms${skipped}; no breakdown to report (the windows carry none, or the producer sends no \`segments\`)`,
      };
    }
    const analysis = analyzeSegments({
      variants: ['control', 'candidate'],
      alpha,
      segments: usable.map(({ name, tally }) => ({
        name,
        first: { successes: tally.controlSuccesses, total: tally.controlOutcomes },
        second: { successes: tally.candidateSuccesses, total: tally.candidateOutcomes },
      })),
    });
    const bySegment = analysis.segments
      .map(
        (s) =>
          `'${s.segment}' candidate ${formatPercent(s.second.rate)} vs control ${formatPercent(s.first.rate)} (${points(-s.difference)}, p ${pValueText(s.pValue)}${s.significant ? '' : ', not significant'})`,
      )
      .join('; ');
    const best = Math.max(analysis.expectedRate.first, analysis.expectedRate.second);
    const mix = homogeneityTest(
      usable.map(({ tally }) => tally.controlOutcomes),
      usable.map(({ tally }) => tally.candidateOutcomes),
    );
    const mixDiffers = mix.pValue < DEFAULT_SRM_THRESHOLD;
    const mixText = `χ² ${fourDigits(mix.chiSquare)}, p ${pValueText(mix.pValue)}`;
    // Significant effects in both directions (difference = control − candidate).
    const opposite =
      analysis.segments.some((s) => s.significant && s.difference < 0) && analysis.segments.some((s) => s.significant && s.difference > 0);
    let paradox = '';
    if (analysis.simpsonParadox && mixDiffers) {
      paradox = ` ${analysis.explanation} The arms' segment mixes differ (${mixText}): a randomised assignment should not do this; check it.`;
    } else if (mixDiffers) {
      paradox = ` The arms' segment mixes differ (${mixText}): a sample-ratio mismatch by segment; check the assignment.`;
    } else if (analysis.simpsonParadox || opposite) {
      const aggregate = analysis.aggregate;
      paradox =
        ` The aggregate (candidate ${formatPercent(aggregate.second.rate)} vs control ${formatPercent(aggregate.first.rate)}) averages opposite effects by segment away; ` +
        `the arms' segment mixes match (${mixText})${analysis.simpsonParadox ? ", so this is cancellation, not Simpson's paradox" : ''}.`;
    }
    const bestModel = analysis.expectedRate.second > analysis.expectedRate.first ? 'candidate' : 'control';
    const disagreeing = analysis.segments.filter((s) => s.higher !== null && s.higher !== bestModel).map((s) => s.pValue);
    return {
      key,
      routingGain: Math.max(0, analysis.expectedRate.perSegmentWinner - best),
      simpsonParadox: analysis.simpsonParadox && mixDiffers,
      mixPValue: mix.pValue,
      disagreementPValue: disagreeing.length > 0 ? Math.min(...disagreeing) : null,
      message: `A/B by ${key}${skipped}: ${bySegment}.${paradox} ${analysis.recommendation} (exploratory: ${analysis.segments.length} segments tested at α = ${alpha} each; the decision rests on the aggregate test)`,
    };
  });
}

/**
 * The A/B stage's report by segment (the policy's `segmentKeys`): while the test runs, each
 * window's per-segment outcomes (`ArmWindow.segments`) are tallied; when the test concludes, the
 * tallies of each key are analysed by `analyzeSegments` (per-segment rates, z-tests, Simpson's
 * paradox, routing per segment) and reported as one reason per key. The report never changes the
 * decision, which rests on the pre-registered aggregate test: looking at segments after the fact
 * is exploratory (several segments, several tests), and the reason says which differences are
 * significant on their own.
 *
 * Segment names: a window breaks its counts down by one level of names. A name `key=value`
 * belongs to `key` (so a producer can break down by several keys at once: `device=mobile`,
 * `country=DE`, …); a plain name (`mobile`) belongs to the stage's first segment key.
 */
import type { ArmWindow } from '../metrics/windowMetrics.ts';
import { analyzeSegments } from '../analysis/segments.ts';
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
  /** Whether the aggregate winner loses in every segment or in most of the traffic. */
  simpsonParadox: boolean;
  message: string;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function points(x: number): string {
  const value = (100 * x).toFixed(1);
  return `${x > 0 ? '+' : x < 0 ? '−' : '±'}${value.replace('-', '')} points`;
}

function pValueText(p: number): string {
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
          `'${s.segment}' candidate ${percent(s.second.rate)} vs control ${percent(s.first.rate)} (${points(-s.difference)}, p ${pValueText(s.pValue)}${s.significant ? '' : ', not significant'})`,
      )
      .join('; ');
    const best = Math.max(analysis.expectedRate.first, analysis.expectedRate.second);
    const paradox = analysis.simpsonParadox ? ` ${analysis.explanation}` : '';
    return {
      key,
      routingGain: Math.max(0, analysis.expectedRate.perSegmentWinner - best),
      simpsonParadox: analysis.simpsonParadox,
      message: `A/B by ${key}${skipped}: ${bySegment}.${paradox} ${analysis.recommendation} (exploratory: ${analysis.segments.length} segments tested at α = ${alpha} each; the decision rests on the aggregate test)`,
    };
  });
}

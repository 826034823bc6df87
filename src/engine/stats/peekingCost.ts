/**
 * The cost of peeking at an A/A test, exactly: the false-positive rate after K equally spaced
 * looks when testing naively at α each time, beside a Lan–DeMets group-sequential design (the
 * A/B test sizer's peeking chart, computed in a worker: workers/peekingCostEndpoint.ts).
 */
import {
  crossingProbabilities,
  equallySpacedFractions,
  groupSequentialBoundaries,
  naiveRepeatedTestingFalsePositiveRate,
  type SpendingFunctionName,
} from './groupSequential.ts';

/** The false-positive rate after a number of equally spaced looks, by one way of testing. */
export interface PeekingPoint {
  looks: number;
  /** `'Naive: test at α every look'` or the group-sequential design's name. */
  design: string;
  falsePositiveRate: number;
  /** How the number was obtained: exact numerical integration, or Monte-Carlo simulation. */
  source: 'exact' | 'simulated';
  /** For simulated points: the 95% Wilson interval of the rate. */
  lower?: number;
  upper?: number;
}

/** Names of the two designs on the peeking chart. */
export const peekingDesignNames = {
  naive: 'Naive: z-test at α at every look',
  obrienFleming: "Group-sequential (Lan–DeMets O'Brien–Fleming)",
  pocock: 'Group-sequential (Lan–DeMets Pocock)',
} as const;

/**
 * The cost of peeking, computed exactly (numerical integration, `groupSequential.ts`, no Monte
 * Carlo): for K = 1 … maxLooks equally spaced looks at an A/A test, the probability of
 * declaring a difference at some look when testing at the unadjusted two-sided level α each
 * time (Armitage, McPherson & Rowe 1969), beside a two-sided Lan–DeMets design with the chosen
 * spending function, whose boundaries are evaluated by `crossingProbabilities` under no effect
 * (it stays at α by construction). Cost O(maxLooks² · m²), m ≤ 213: milliseconds for 20 looks.
 */
export function peekingCost(alpha: number, maxLooks: number, spending: SpendingFunctionName): PeekingPoint[] {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
  if (!(Number.isInteger(maxLooks) && maxLooks >= 1 && maxLooks <= 50)) {
    throw new RangeError(`number of looks must be a whole number from 1 to 50, got ${maxLooks}`);
  }
  const points: PeekingPoint[] = [];
  for (let looks = 1; looks <= maxLooks; looks++) {
    points.push({
      looks,
      design: peekingDesignNames.naive,
      falsePositiveRate: naiveRepeatedTestingFalsePositiveRate(looks, alpha, 2),
      source: 'exact',
    });
    const fractions = equallySpacedFractions(looks);
    const design = groupSequentialBoundaries({ informationFractions: fractions, alpha, sides: 2, spending });
    const exits = crossingProbabilities(
      design.z,
      fractions,
      0,
      design.z.map((z) => -z),
    );
    points.push({
      looks,
      design: peekingDesignNames[spending],
      falsePositiveRate: exits.cumulativeUpper[looks - 1] + exits.cumulativeLower[looks - 1],
      source: 'exact',
    });
  }
  return points;
}

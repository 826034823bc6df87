/**
 * The rollout engine's public entry: what a production controller (or the simulator) imports.
 * Pure: no DOM, no Node APIs, no globals (DESIGN.md §1). Re-exports only.
 */

export * from './analysis/drift.ts';
export * from './analysis/segments.ts';
export * from './analysis/shadow.ts';
export * from './controller/index.ts';
export * from './metrics/windowMetrics.ts';
export * from './policy/index.ts';
export * from './random/index.ts';
export * from './routing/blueGreen.ts';
export * from './routing/bucketing.ts';
export * from './routing/flag.ts';
export * from './routing/murmurHash3.ts';
export * from './stats/abDecision.ts';
export * from './stats/alwaysValid.ts';
export * from './stats/bivariateMoments.ts';
export * from './stats/cuped.ts';
export * from './stats/differenceZTest.ts';
export * from './stats/distributions.ts';
export * from './stats/groupSequential.ts';
export * from './stats/kolmogorov.ts';
export * from './stats/latencySketch.ts';
export * from './stats/mannWhitney.ts';
export * from './stats/meanSampleSize.ts';
export * from './stats/multiArmDesign.ts';
export * from './stats/multiMetricDecision.ts';
export * from './stats/multipleComparisons.ts';
export * from './stats/nonInferiority.ts';
export * from './stats/proportions.ts';
export * from './stats/quantile.ts';
export * from './stats/ratioMetric.ts';
export * from './stats/sampleRatioMismatch.ts';
export * from './stats/sampleSize.ts';
export * from './stats/sequentialSampleRatioMismatch.ts';
export * from './stats/welch.ts';
export * from './stats/wilson.ts';

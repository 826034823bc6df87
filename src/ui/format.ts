/**
 * The number formats the views import: the one formatter of the whole tool lives in
 * src/engine/text/format.ts (the engine's messages, the CLI and the app read the same forms);
 * this module only names the ones the views use, so a view's import stays short.
 */
export { formatCount, formatInterval, formatPercent, formatPoints, formatPValue } from '../engine/text/format.ts';

/**
 * A bound on a probability's error as percentage points, rounded UP to 2 significant digits so
 * that the number shown is still a bound (rounding to nearest would understate it half the time:
 * 3.53e-6 → "0.00036", not "0.00035"); "0" for no bound. Every place that shows a bound says it
 * through this (labModel.ts `formatBoundPoints`, the exact plots' subtitles). O(1).
 */
export function boundInPoints(bound: number): string {
  if (!(bound > 0)) return '0';
  const points = 100 * bound;
  const step = 10 ** (Math.floor(Math.log10(points)) - 1);
  // 1e-9 absorbs the float error of the division, so 0.46 stays 0.46.
  const rounded = Math.ceil(points / step - 1e-9) * step;
  return rounded.toPrecision(2);
}

/**
 * A neglected probability mass as the bound it is: rounded up to one significant digit
 * ("3e-8" for 2.3e-8), "0" when nothing was neglected. O(1). The audit's
 * tables and the lab's panel both say a neglected mass through this.
 */
export function formatNeglectedMass(mass: number): string {
  if (!(mass > 0)) return '0';
  const exponent = Math.floor(Math.log10(mass));
  // 1e-12 absorbs the float error of the division, so 3e-8 stays 3e-8.
  const digit = Math.ceil(mass / 10 ** exponent - 1e-12);
  return digit >= 10 ? `1e${exponent + 1}` : `${digit}e${exponent}`;
}

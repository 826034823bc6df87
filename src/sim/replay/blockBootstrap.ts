/**
 * Resampled arrival times that keep a log's bursts, autocorrelation and daily pattern: a local
 * moving-block bootstrap over minutes.
 *
 * The output covers D whole days (D = the log's span in days, rounded up, at least 1), starting
 * at midnight UTC, in consecutive blocks of `blockMinutes` minutes. For the output block starting
 * at time of day τ, a source block of the same length is drawn uniformly among the log's blocks
 * whose start lies within ±`localWindowMinutes` of τ (on any day of the log), and its arrivals are
 * copied with their exact offsets. Copying whole blocks keeps the dependence between nearby
 * minutes (bursts, autocorrelation) — Künsch's moving-block bootstrap ("The jackknife and the
 * bootstrap for general stationary observations", Ann. Statist. 17, 1989) — and drawing them
 * only near the same time of day keeps the non-stationary daily pattern, as the local block
 * bootstrap of Paparoditis & Politis ("Local block bootstrap", C. R. Acad. Sci. Paris I 335,
 * 2002) does for a smoothly varying mean. Where the log does not cover a time of day at all
 * (a log of a few hours), blocks are drawn from the whole log (a plain moving-block bootstrap).
 *
 * Block length: by default b = round(n^(1/3)) minutes for a log of n minutes (11 minutes for a
 * day, 24 for a week) — the n^(1/3) rate is the MSE-optimal order for block-bootstrap variance
 * and distribution estimates (Hall, Horowitz & Jing, "On blocking rules for the bootstrap with
 * dependent data", Biometrika 82, 1995); long enough to keep minute-scale bursts whole, short
 * enough that a day yields 130 blocks to recombine.
 */
import type { Random } from '../../engine/random/prng.ts';

/** Options of `blockBootstrapArrivals`. */
export interface BlockBootstrapOptions {
  /** Block length in minutes; default round(n^(1/3)) for a log spanning n minutes. */
  blockMinutes?: number;
  /** Source blocks start within this many minutes of the output block's time of day; default 60. */
  localWindowMinutes?: number;
}

/** The resampled arrivals. */
export interface BootstrapArrivals {
  /** Arrival times in seconds from midnight UTC of day 0, ascending. */
  times: number[];
  /** Length of the resampled series, seconds (whole days): the period it repeats with. */
  period: number;
  /** Block length used, minutes. */
  blockMinutes: number;
}

const MINUTE = 60_000;
const DAY_MINUTES = 1440;

/** The default block length for a log spanning `minutes` minutes: round(minutes^(1/3)), at least 1. */
export function defaultBlockMinutes(minutes: number): number {
  return Math.max(1, Math.round(Math.cbrt(minutes)));
}

/**
 * The start (minutes from the log's first minute) of a source block for an output block at
 * `timeOfDay` (minutes after midnight UTC): uniform among the starts in [0, `lastStart`] whose
 * time of day lies within ±`localWindowMinutes` of it on any of the log's `days` (the log's
 * first minute has time of day `firstTimeOfDay`), or uniform over all starts when none does.
 * One draw of `random`. Cost O(days).
 */
export function drawLocalBlockStart(
  random: Random,
  timeOfDay: number,
  firstTimeOfDay: number,
  days: number,
  lastStart: number,
  localWindowMinutes: number,
): number {
  // Source starts j with time of day within ±window of τ: j ≡ τ − firstTimeOfDay (mod 1440) ± window.
  let candidates = 0;
  const centre = timeOfDay - firstTimeOfDay;
  const lows: number[] = [];
  const highs: number[] = [];
  for (let day = -1; day <= days; day++) {
    const low = Math.max(0, Math.ceil(centre + day * DAY_MINUTES - localWindowMinutes));
    const high = Math.min(lastStart, Math.floor(centre + day * DAY_MINUTES + localWindowMinutes));
    if (high >= low) {
      lows.push(low);
      highs.push(high);
      candidates += high - low + 1;
    }
  }
  if (candidates === 0) return Math.floor(random() * (lastStart + 1));
  let pick = Math.floor(random() * candidates);
  for (let k = 0; k < lows.length; k++) {
    const size = highs[k] - lows[k] + 1;
    if (pick < size) return lows[k] + pick;
    pick -= size;
  }
  return highs[highs.length - 1];
}

/**
 * Resamples the arrival times `timestamps` (epoch ms, any order, at least one) by the local
 * moving-block bootstrap of the module comment, drawing from `random`. Cost O(n log n) for the
 * sort plus O(output arrivals + blocks × days of the log).
 */
export function blockBootstrapArrivals(
  timestamps: ArrayLike<number>,
  random: Random,
  options: BlockBootstrapOptions = {},
): BootstrapArrivals {
  if (timestamps.length === 0) throw new RangeError('timestamps must hold at least one arrival');
  const sorted = Float64Array.from(timestamps).sort();
  const firstMinute = Math.floor(sorted[0] / MINUTE);
  const minutes = Math.floor(sorted[sorted.length - 1] / MINUTE) - firstMinute + 1;
  const { blockMinutes: requested = defaultBlockMinutes(minutes), localWindowMinutes = 60 } = options;
  if (!(Number.isInteger(requested) && requested >= 1))
    throw new RangeError(`blockMinutes must be a whole number of at least 1, got ${requested}`);
  if (!(localWindowMinutes >= 0 && localWindowMinutes < DAY_MINUTES / 2)) {
    throw new RangeError(`localWindowMinutes must be between 0 and 720 (half a day), got ${localWindowMinutes}`);
  }
  const block = Math.min(requested, minutes);
  // Index of the first arrival of each minute of the log (prefix counts), so a block copies in O(its arrivals).
  const minuteStart = new Uint32Array(minutes + 1);
  for (let i = 0; i < sorted.length; i++) minuteStart[Math.floor(sorted[i] / MINUTE) - firstMinute + 1]++;
  for (let m = 0; m < minutes; m++) minuteStart[m + 1] += minuteStart[m];

  const days = Math.max(1, Math.ceil(minutes / DAY_MINUTES));
  const outputMinutes = days * DAY_MINUTES;
  const lastStart = minutes - block; // source blocks start in [0, lastStart]
  const firstTimeOfDay = ((firstMinute % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  const times: number[] = [];
  for (let outputStart = 0; outputStart < outputMinutes; outputStart += block) {
    const source = drawLocalBlockStart(random, outputStart % DAY_MINUTES, firstTimeOfDay, days, lastStart, localWindowMinutes);
    const length = Math.min(block, outputMinutes - outputStart);
    const sourceOrigin = (firstMinute + source) * MINUTE;
    const from = minuteStart[source];
    const to = minuteStart[source + length];
    for (let i = from; i < to; i++) times.push(outputStart * 60 + (sorted[i] - sourceOrigin) / 1000);
  }
  return { times, period: outputMinutes * 60, blockMinutes: block };
}

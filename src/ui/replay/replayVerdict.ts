import { formatCount, formatElapsed, formatRateEstimate } from '../../engine/text/format.ts';
import type { RequestReplayResult } from '../../sim/replay/replayReport.ts';
import type { RateEstimate } from '../../sim/summary.ts';

/**
 * A detection time for people: `seconds` (as the replay reports it) rounded to the second and
 * written as policies write durations (5400 → "1h30m", 150 → "2m30s"), or "—": `formatElapsed`
 * of src/engine/text/format.ts, under the name the Replay view uses.
 */
export const formatDetectionTime: (seconds: number | null) => string = formatElapsed;

/** A rate with its interval for a sentence: "4.0% [1.6%, 9.8%]", or "—" (src/engine/text/format.ts; the Replay view imports it from here). */
export { formatRateEstimate };

/** How good a verdict is, for its colour. */
export type VerdictTone = 'good' | 'warn' | 'bad';

/**
 * The app's name for each command-line option a replay message may mention, so that the app
 * speaks of its own controls: messages written for `rollout-lab replay` (the parser's warnings,
 * the error-definition check) say "with --error-when", the app says where to type it.
 */
export const APP_WORDS_FOR_OPTIONS: Readonly<Record<string, string>> = {
  '--error-when': 'the box "What counts as an error"',
  '--latency-unit': 'the "Latency unit" list:',
  '--map': 'the column mapping',
  '--inject': 'the box "Injected regression"',
  '--policy': 'the policy box',
  '--replicates': 'the "Replicates" box',
  '--seed': 'the "Seed" box',
  '--sticky-by': 'the "User id" column of the mapping',
  '--allow-wrap': 'the box "Replay a log shorter than the rollout by reusing its blocks"',
};

/**
 * A message in the app's words: every command-line option of `APP_WORDS_FOR_OPTIONS` replaced
 * by the control that does the same here ("say what counts as an error with --error-when" →
 * "… with the box "What counts as an error""). Other text is unchanged. O(length).
 */
export function inAppWords(message: string): string {
  return message.replace(/--[a-z][a-z-]*/g, (option) => APP_WORDS_FOR_OPTIONS[option] ?? option);
}

/** The largest upper bound and the smallest lower bound: how a verdict reads two estimates of one rate. */
function worseOf(a: RateEstimate, b: RateEstimate): RateEstimate {
  if (a.rate === null) return b;
  if (b.rate === null) return a;
  return a.rate >= b.rate ? a : b;
}

/** Whether two Wilson intervals overlap (both defined). */
function intervalsOverlap(a: RateEstimate, b: RateEstimate): boolean {
  return a.lower !== null && a.upper !== null && b.lower !== null && b.upper !== null && a.lower <= b.upper && b.lower <= a.upper;
}

/**
 * The verdict on a request replay (`RequestReplayResult`), in whole sentences that each name
 * their subject and speak the app's words (no command-line options; the regression as the
 * replay describes it):
 *
 * 1. false rollbacks: the resampled estimate and the rate on the log's own consecutive windows,
 *    and whether their intervals overlap (when they do not, the log's own history is what
 *    happened: the replay is optimistic or pessimistic for this policy);
 * 2. detection net of noise: the share of replays rolled back only because of the regression,
 *    those the noise alone would have rolled back too, and the misses;
 * 3. runs that ended without the requests a stage needs (their rates mean little).
 *
 * Tone, judged on the Wilson intervals as `replayVerdict`: the false-rollback rate read is the
 * worse of the two estimates; "good" when its upper bound is at most 5% and the detection's lower
 * bound at least 80%, "bad" when a point estimate is on the wrong side, else "warn".
 */
export function requestReplayVerdict(result: RequestReplayResult): { tone: VerdictTone; text: string } {
  const sentences: string[] = [];
  let tone: VerdictTone = 'good';
  const worsen = (next: VerdictTone) => {
    if (next === 'bad' || (next === 'warn' && tone === 'good')) tone = next;
  };
  const resampled = result.falseRollbackRate;
  const own = result.ownWindows.falseRollbackRate;
  const ownText =
    own.rate === null
      ? 'the log is too short to run it on its own windows'
      : `on the log's own windows it did in ${formatRateEstimate(own)} of ${formatCount(own.total)} runs`;
  sentences.push(
    `The policy rolls back a healthy candidate in ${formatRateEstimate(resampled)} of ${formatCount(resampled.total)} replays; ${ownText}.`,
  );
  if (resampled.rate !== null && own.rate !== null && !intervalsOverlap(resampled, own)) {
    sentences.push(
      `The two disagree: the log's own history rolled back ${own.rate > resampled.rate ? 'more' : 'less'} often than the replay, so the replay is ${own.rate > resampled.rate ? 'optimistic' : 'pessimistic'} for this policy.`,
    );
  }
  const falseRollback = worseOf(resampled, own);
  if (falseRollback.rate !== null) {
    if ((falseRollback.upper as number) <= 0.05) worsen('good');
    else if (falseRollback.rate > 0.05) worsen('bad');
    else worsen('warn');
  }
  const detection = result.detection;
  if (detection !== null && result.regression !== null) {
    const caught = detection.onlyBecauseOfRegression;
    sentences.push(
      `With ${result.regression.description}, it rolls back in ${formatRateEstimate(caught)} of replays only because of the regression` +
        `, rolls back in ${formatRateEstimate(detection.inBoth)} where the noise alone would have done it too` +
        `, and misses it (promotes the candidate) in ${formatRateEstimate(detection.missed)}.`,
    );
    if (caught.rate !== null) {
      if ((caught.lower as number) >= 0.8) worsen('good');
      else if (caught.rate < 0.8) worsen('bad');
      else worsen('warn');
    }
  }
  const starvedRuns = result.healthy.starved.reduce((sum, s) => sum + s.runs, 0);
  if (starvedRuns > 0) {
    sentences.push(
      `${formatCount(starvedRuns)} of ${formatCount(result.healthy.runs)} healthy replays ended in a stage that never got the requests it needs (see why below): their outcome says little about the thresholds.`,
    );
    worsen('warn');
  }
  sentences.push(
    tone === 'good'
      ? 'On this traffic the policy is safe and sensitive enough.'
      : tone === 'bad'
        ? 'On this traffic the policy needs other thresholds.'
        : starvedRuns > 0
          ? 'Give the starved stages more traffic or time before trusting these rates.'
          : 'The estimates are too close to the limits (5% false rollbacks, 80% detection) to be sure: run more replicates.',
  );
  return { tone, text: sentences.join(' ') };
}

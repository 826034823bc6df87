import { rateEstimate } from '../../sim/summary.ts';
import type { RateEstimate, SimulationSummary } from '../../sim/summary.ts';
import { formatDuration } from '../../engine/policy/duration.ts';
import { formatInterval, formatPercent } from '../format.ts';

/**
 * A detection time for people: `seconds` (as the replay reports it) rounded to the second and
 * written as policies write durations (`formatDuration`: 5400 → "1h30m", 150 → "2m30s"), or "—".
 */
export function formatDetectionTime(seconds: number | null): string {
  return seconds === null ? '—' : formatDuration(Math.round(seconds));
}

/**
 * Detection power of a replay, as `rollout-lab replay` reports it: rollbacks of a candidate that
 * was worse than the tolerance, among the replicates whose candidate was worse —
 * (rollbacks − false rollbacks) / worse candidates, with its Wilson 95% interval (`rateEstimate`).
 * Rate null when no replicate had a worse candidate.
 */
export function detectionPower(summary: SimulationSummary): RateEstimate {
  return rateEstimate(summary.rollbackRate.count - summary.falseRollbackRate.count, summary.missedRegressionRate.total);
}

/** A rate with its interval for a sentence: "4.0% [1.6%, 9.8%]", or "—" when undefined. */
export function formatRateEstimate(rate: RateEstimate): string {
  if (rate.rate === null || rate.lower === null || rate.upper === null) return '—';
  return `${formatPercent(rate.rate)} ${formatInterval({ lower: rate.lower, upper: rate.upper })}`;
}

/** How good a verdict is, for its colour. */
export type VerdictTone = 'good' | 'warn' | 'bad';

/**
 * One sentence on the two replays: the false-rollback rate when the candidate is as logged
 * (`healthy`) and the detection power against the injected regression (`injected`; null without
 * an injection). Judged on the Wilson intervals, not the point estimates: a false-rollback rate
 * whose upper bound is at most 5% and a power whose lower bound is at least 80% are "good";
 * point estimates on the wrong side are "bad"; anything else is "warn" (more replicates needed).
 * The 5% and 80% are the usual α and power of test design (Cohen 1988).
 */
export function replayVerdict(healthy: SimulationSummary, injected: SimulationSummary | null, injectText: string): { tone: VerdictTone; text: string } {
  const falseRollback = healthy.falseRollbackRate;
  const power = injected ? detectionPower(injected) : null;
  const parts: string[] = [];
  let tone: VerdictTone = 'good';
  const worsen = (next: VerdictTone) => {
    if (next === 'bad' || (next === 'warn' && tone === 'good')) tone = next;
  };
  if (falseRollback.rate === null) {
    parts.push('the candidate as logged is already worse than the tolerance, so this replay measures no false rollbacks');
    worsen('warn');
  } else {
    parts.push(`rolls back a healthy candidate in ${formatRateEstimate(falseRollback)} of replays`);
    if ((falseRollback.upper as number) <= 0.05) worsen('good');
    else if (falseRollback.rate > 0.05) worsen('bad');
    else worsen('warn');
  }
  if (power !== null) {
    if (power.rate === null) {
      parts.push(`the injected ${injectText} never made the candidate worse than the tolerance, so it measures no detection power`);
      worsen('warn');
    } else {
      parts.push(`catches ${injectText} in ${formatRateEstimate(power)}`);
      if ((power.lower as number) >= 0.8) worsen('good');
      else if (power.rate < 0.8) worsen('bad');
      else worsen('warn');
    }
  }
  const judgement =
    tone === 'good'
      ? 'On this traffic the policy is safe and sensitive enough.'
      : tone === 'bad'
        ? 'On this traffic the policy needs other thresholds.'
        : 'More replicates are needed to be sure.';
  return { tone, text: `The policy ${parts.join(', and ')}. ${judgement}` };
}

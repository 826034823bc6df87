/**
 * A feature flag that routes traffic between the control and the candidate model: kill switch,
 * deny and allow lists, segment targeting, and a sticky percentage rollout (possibly following a
 * schedule), evaluated per request by `evaluateFlag`.
 */
import { anonymousBucket, isInRollout, normalizedValue } from './bucketing.ts';

/** Which model a request is served by. */
export type FlagVariant = 'control' | 'candidate';

/** One step of a percentage schedule: from `time` (seconds) on, `percentage` % of traffic. */
export interface PercentageStep {
  time: number;
  /** Between 0 and 100. */
  percentage: number;
}

/** The configuration of a rollout flag. */
export interface FlagConfig {
  /** The flag's name; also the bucketing group unless `group` is given. */
  name: string;
  /** Bucketing group (Unleash `groupId`); defaults to `name`. Users keep their bucket across flags that share a group. */
  group?: string;
  /**
   * Which context field makes a user sticky: `'userId'` (default), `'sessionId'`, or the name of
   * a key of `FlagContext.properties`.
   */
  stickiness?: string;
  /** Fixed share of eligible traffic on the candidate, 0–100. Ignored when `schedule` is given. */
  percentage?: number;
  /** Percentage as a step function of time (steps sorted by time); 0 before the first step. */
  schedule?: PercentageStep[];
  /** When non-empty, only requests whose `segment` is listed are eligible for the candidate. */
  segments?: string[];
  /** User ids always served the candidate (QA, dogfooding), unless the kill switch is on or they are denied. */
  allow?: string[];
  /** User ids never served the candidate. */
  deny?: string[];
  /** When true, everybody is served the control model (instant rollback). */
  killSwitch?: boolean;
}

/** What is known about the request being routed. */
export interface FlagContext {
  userId?: string;
  sessionId?: string;
  /** The request's segment (e.g. `'mobile'`, `'eu'`), for segment targeting. */
  segment?: string;
  /** Other fields that may be used as stickiness keys. */
  properties?: Record<string, string | undefined>;
}

/** Evaluation-time inputs that are not part of the request. */
export interface FlagEvaluationOptions {
  /** Current time in seconds, required when the flag has a `schedule`. */
  time?: number;
  /** Uniform [0, 1) source for anonymous traffic (no stickiness value); without it anonymous requests get control. */
  random?: () => number;
}

/** Why a request got its variant. */
export type FlagReason =
  | 'kill-switch'
  | 'denied'
  | 'allowed'
  | 'segment-not-targeted'
  | 'in-rollout'
  | 'outside-rollout'
  | 'anonymous-in-rollout'
  | 'anonymous-outside-rollout'
  | 'anonymous-without-random';

/** The outcome of evaluating a flag for one request. */
export interface FlagEvaluation {
  /** True when the candidate serves the request. */
  enabled: boolean;
  variant: FlagVariant;
  reason: FlagReason;
  /** The request's bucket (1–100) when the percentage rule decided. */
  bucket?: number;
  /** The percentage in force when the percentage rule decided. */
  percentage?: number;
}

function checkPercentage(value: number, field: string): void {
  if (!(typeof value === 'number' && value >= 0 && value <= 100)) {
    throw new RangeError(`${field} must be between 0 and 100, got ${value}`);
  }
}

/**
 * The percentage in force at `time` under `schedule`: the `percentage` of the last step whose
 * `time` ≤ `time`, 0 before the first step (a step function, as a staged rollout is). Steps must
 * be sorted by time. Cost O(steps).
 */
export function percentageAt(schedule: readonly PercentageStep[], time: number): number {
  if (!Number.isFinite(time)) throw new RangeError(`time must be a finite number, got ${time}`);
  let current = 0;
  for (let i = 0; i < schedule.length; i++) {
    const step = schedule[i];
    checkPercentage(step.percentage, `schedule[${i}].percentage`);
    if (!Number.isFinite(step.time)) throw new RangeError(`schedule[${i}].time must be a finite number, got ${step.time}`);
    if (i > 0 && step.time < schedule[i - 1].time) {
      throw new RangeError(`schedule[${i}].time must not be earlier than schedule[${i - 1}].time, got ${step.time}`);
    }
    if (step.time <= time) current = step.percentage;
  }
  return current;
}

function stickinessValue(context: FlagContext, key: string): string | undefined {
  const value = key === 'userId' ? context.userId : key === 'sessionId' ? context.sessionId : context.properties?.[key];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Routes one request. Rules in order, the first that applies decides:
 * 1. kill switch on → control;
 * 2. `userId` on the deny list → control;
 * 3. `userId` on the allow list → candidate;
 * 4. segment targeting set and the request's segment not listed → control;
 * 5. percentage rollout: bucket = `normalizedValue(stickiness value, group)` (Unleash gradual
 *    rollout: MurmurHash3 of `group:id`, seed 0, mod 100, + 1), candidate when bucket ≤
 *    percentage; a request without a stickiness value is bucketed from `options.random`
 *    (control if none is given).
 * Pure: the same flag, context and options always give the same answer. Cost O(list sizes + key length).
 */
export function evaluateFlag(flag: FlagConfig, context: FlagContext, options: FlagEvaluationOptions = {}): FlagEvaluation {
  if (typeof flag.name !== 'string' || flag.name === '') throw new RangeError('flag.name must be a non-empty string');
  if (flag.killSwitch) return { enabled: false, variant: 'control', reason: 'kill-switch' };
  const userId = context.userId;
  if (userId !== undefined && flag.deny?.includes(userId)) return { enabled: false, variant: 'control', reason: 'denied' };
  if (userId !== undefined && flag.allow?.includes(userId)) return { enabled: true, variant: 'candidate', reason: 'allowed' };
  if (flag.segments && flag.segments.length > 0) {
    if (context.segment === undefined || !flag.segments.includes(context.segment)) {
      return { enabled: false, variant: 'control', reason: 'segment-not-targeted' };
    }
  }
  let percentage: number;
  if (flag.schedule !== undefined) {
    if (options.time === undefined) throw new RangeError(`options.time is required for flag '${flag.name}', which has a schedule`);
    percentage = percentageAt(flag.schedule, options.time);
  } else {
    percentage = flag.percentage ?? 0;
    checkPercentage(percentage, 'flag.percentage');
  }
  const id = stickinessValue(context, flag.stickiness ?? 'userId');
  if (id === undefined) {
    if (options.random === undefined) return { enabled: false, variant: 'control', reason: 'anonymous-without-random', percentage };
    const bucket = anonymousBucket(options.random);
    const enabled = isInRollout(bucket, percentage);
    return {
      enabled,
      variant: enabled ? 'candidate' : 'control',
      reason: enabled ? 'anonymous-in-rollout' : 'anonymous-outside-rollout',
      bucket,
      percentage,
    };
  }
  const bucket = normalizedValue(id, flag.group ?? flag.name);
  const enabled = isInRollout(bucket, percentage);
  return { enabled, variant: enabled ? 'candidate' : 'control', reason: enabled ? 'in-rollout' : 'outside-rollout', bucket, percentage };
}

/**
 * The policy lab's settings: what the user changes in the lab, read from the form
 * (`readLabSettings` in `labState.ts`) — the policy's knobs by the engine's own names
 * (`PolicyKnob`: `errorRate.maxRatio`, `guards.failureLimit`, …), the lab's stages, the two
 * worlds' traffic, models and fault, and the run (replicates, seed).
 */
import type { PolicyKnob } from '../../engine/policy/policyKnobs.ts';
import type { LabImportedPolicy } from './labImportedPolicy.ts';

/**
 * The policy knobs the lab's controls set, named as the engine names them (`PolicyKnob`), so the
 * threshold the user types is the `maxRatio` the rule fires on: the four ratio thresholds (framework:
 * error 2, p95 1.5, p50 1.2, timeouts 2), the check interval and the guards.
 */
export interface LabKnobs {
  /** maxRatio of every error-rate ratio rule (framework: 2). */
  'errorRate.maxRatio': number;
  /** maxRatio of every p95-latency ratio rule (framework: 1.5). */
  'latencyP95.maxRatio': number;
  /** maxRatio of every p50-latency ratio rule (framework: 1.2). */
  'latencyP50.maxRatio': number;
  /** maxRatio of every timeout-rate ratio rule (framework: 2). */
  'timeoutRate.maxRatio': number;
  /** Check interval of the baseline, shadow, A/B and full stages, and of canaries that set none, as the policy writes it (`"5m"`). */
  checkInterval: string;
  /** Guard: minimum requests per arm per window. */
  'guards.minRequests': number;
  /** Guard: failing checks, as `guards.failureCounting` counts them, before a rollback. */
  'guards.failureLimit': number;
  /** Guard: how failing checks are counted — in a row, in total, or M of the last N. */
  'guards.failureCounting': 'consecutive' | 'total' | 'mOfN';
  /** Guard: N of 'mOfN' counting (changes nothing under the other modes). */
  'guards.failureWindow': number;
}

/** A knob the lab sets. */
export type LabKnob = keyof LabKnobs & PolicyKnob;

/** The knobs the lab sets, in the order its form shows them. */
export const labKnobs: readonly LabKnob[] = [
  'errorRate.maxRatio',
  'latencyP95.maxRatio',
  'latencyP50.maxRatio',
  'timeoutRate.maxRatio',
  'checkInterval',
  'guards.minRequests',
  'guards.failureLimit',
  // The counting before its window: the window knob applies only once the counting is 'mOfN'.
  'guards.failureCounting',
  'guards.failureWindow',
];

/** One canary stage as the lab edits it; durations are passed to the policy as typed ("2h"). */
export interface LabCanary {
  /** Candidate share, percent (0–100 exclusive). */
  trafficPercent: number;
  minDuration: string;
  /** Empty: no maximum. */
  maxDuration: string;
  /** Empty: the policy's check interval (`checkMinutes`). */
  checkInterval: string;
}

/** The A/B stage as the lab edits it. */
export interface LabAbStage {
  enabled: boolean;
  trafficPercent: number;
  alpha: number;
  power: number;
  minimumEffect: number;
  design: 'fixed' | 'groupSequential' | 'alwaysValid';
}

/** Which stage kinds an extra rule (absolute limit, statistical test) watches. */
export type LabRuleStages = 'canary' | 'canary+full' | 'all';

/** A model's latency distribution as the lab edits it (ms). */
export type LabLatency =
  | { kind: 'lognormal'; median: number; p95: number }
  | { kind: 'gamma'; shape: number; mean: number }
  | { kind: 'exponential'; mean: number };

/** One model (control or candidate) as the lab edits it. */
export interface LabModelBehaviour {
  latency: LabLatency;
  errorRate: number;
  /** Latency above which a request times out, ms; null: no timeout. */
  timeout: number | null;
}

/** The fault injected into the candidate of the regressed world; durations as typed. */
export interface LabFault {
  kind: 'none' | 'start' | 'step' | 'ramp' | 'leak' | 'bursts';
  /** Error rate × this at full strength (per hour for a leak). */
  errorFactor: number;
  /** Latency × this at full strength (per hour for a leak). */
  latencyFactor: number;
  /** Step time, ramp start, first burst. */
  at: string;
  /** Ramp end. */
  end: string;
  /** Bursts: period and length. */
  every: string;
  duration: string;
}

/** A shared-dependency outage hitting both models in both worlds. */
export interface LabOutage {
  start: string;
  duration: string;
  errorFactor: number;
}

/** What the lab lets the user change (numbers already read from the form); the policy knobs by their own names (`LabKnobs`). */
export interface LabSettings extends LabKnobs {
  baselineMode: 'historical' | 'concurrent';
  /** The shadow stage (24 h of mirrored traffic) on or off. */
  shadow: boolean;
  /** The canary stages, in order (framework: 5% 2–4 h, 25% 6–12 h). */
  canaries: LabCanary[];
  ab: LabAbStage;
  /** The full (100%) stage on or off. */
  full: boolean;
  /** Absolute limits (null: none): error rate (0–1) and p95 latency (ms), on the stages of `absoluteStages`. */
  absoluteErrorRate: number | null;
  absoluteP95: number | null;
  absoluteStages: LabRuleStages;
  /** A one-sided statistical test on the error rate (null: none), on the stages of `statisticalStages`. */
  statistical: { minimumEffect: number; method: 'alphaSpending' | 'alwaysValid' } | null;
  statisticalStages: LabRuleStages;
  /** Scenario: mean requests per second, daily-cycle amplitude (0–1), users. */
  requestsPerSecond: number;
  dailyAmplitude: number;
  users: number;
  control: LabModelBehaviour;
  candidate: LabModelBehaviour;
  /** The regressed world's candidate fault. */
  fault: LabFault;
  outage: LabOutage | null;
  replicates: number;
  seed: number;
  /**
   * The policy imported from the user's Argo Rollouts or Flagger files, when the lab starts from
   * it instead of the framework default (issue 14, `labImportedPolicy.ts`): its stages replace the
   * lab's stage controls, and the knobs above apply on top of it. Absent: the framework default.
   */
  imported?: LabImportedPolicy;
}

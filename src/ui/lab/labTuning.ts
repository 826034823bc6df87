/**
 * "Tune for me" in the policy lab, as plain functions (no DOM, no workers): the tuner's request
 * built from the lab's settings and the user's targets, the recommended setting written back
 * into the lab's controls, and the points of the Pareto chart. The search space is the lab's
 * own controls — error, timeout, p95 and p50 ratio thresholds, check interval, minimum requests,
 * failure limit — so that "Use this policy" can put any recommendation into the form; statistical
 * rules, which the lab cannot express, are left to `rollout-lab tune`.
 */

import type { TuneRequest } from '../../../workers/tuneRequest.ts';
import type { TuneResult } from '../../sim/tune.ts';
import type { TuningSetting } from '../../sim/tuningSpace.ts';
import { defaultTuningSpace, tuningSettingKnobs } from '../../sim/tuningSpace.ts';
import type { ParetoFrontPoint } from '../plots/paretoFrontPlot.ts';
import { readNumber } from '../state/readNumber.ts';
import { labPolicy } from './labPolicy.ts';
import type { LabKnob, LabSettings } from './labSettings.ts';
import { type LabState, labKnobFields } from './labState.ts';
import { labScenarios } from './labWorlds.ts';

/** The tuning form, as typed. */
export interface LabTuneForm {
  /** Largest acceptable false-rollback rate, percent. */
  maxFalseRollbackPercent: string;
  /** Smallest acceptable detection rate, percent. */
  minDetectionPercent: string;
  /** Minutes after the regressed candidate first serves users. */
  withinMinutes: string;
  /** Replicates per world for each searched candidate (finalists get 5×). */
  replicates: string;
  /** Most candidates simulated. */
  candidates: string;
}

/** First visit: false rollbacks ≤ 5%, a regression caught within 60 minutes in ≥ 90%, 100 replicates, 30 candidates. */
export const defaultLabTuneForm: LabTuneForm = {
  maxFalseRollbackPercent: '5',
  minDetectionPercent: '90',
  withinMinutes: '60',
  replicates: '100',
  candidates: '30',
};

/** The tuner's targets and budget, read and checked once (RangeError naming the field). */
export interface LabTuneTargets {
  maxFalseRollbackRate: number;
  minDetectionRate: number;
  withinMinutes: number;
  replicates: number;
  candidates: number;
}

/** Reads the tuning form: RangeError naming the field and the reason. */
export function readLabTuneTargets(form: LabTuneForm): LabTuneTargets {
  const percent = (text: string, label: string) => {
    const value = readNumber(text, label);
    if (!(value > 0 && value < 100)) throw new RangeError(`${label} must be between 0 and 100 (exclusive), got ${value}`);
    return value / 100;
  };
  const whole = (text: string, label: string, min: number, max: number) => {
    const value = readNumber(text, label);
    if (!(Number.isInteger(value) && value >= min && value <= max))
      throw new RangeError(`${label} must be a whole number from ${min} to ${max}, got ${value}`);
    return value;
  };
  const withinMinutes = readNumber(form.withinMinutes, 'detection window (minutes)');
  if (!(withinMinutes > 0)) throw new RangeError(`detection window (minutes) must be greater than 0, got ${withinMinutes}`);
  return {
    maxFalseRollbackRate: percent(form.maxFalseRollbackPercent, 'largest false-rollback rate (%)'),
    minDetectionRate: percent(form.minDetectionPercent, 'smallest detection rate (%)'),
    withinMinutes,
    replicates: whole(form.replicates, 'tuning replicates', 10, 2000),
    candidates: whole(form.candidates, 'candidates to try', 2, 200),
  };
}

/**
 * The tuner's request for the lab: the lab's policy and two worlds (`labPolicy`,
 * `labScenarios`), the lab's controls as the search space (`defaultTuningSpace` without
 * statistical rules; check intervals 1–15 minutes), the lab's seed, `replicates` per world per
 * candidate, 5× that for the 3 finalists' confirmation, windowed mode.
 */
export function labTuneRequest(settings: LabSettings, targets: LabTuneTargets): TuneRequest {
  const basePolicy = labPolicy(settings);
  const { healthy, regressed } = labScenarios(settings);
  return {
    basePolicy,
    healthy,
    regressed,
    options: {
      targets: {
        maxFalseRollbackRate: targets.maxFalseRollbackRate,
        minDetectionRate: targets.minDetectionRate,
        detectWithin: targets.withinMinutes * 60,
      },
      seed: settings.seed,
      mode: 'window',
      searchReplicates: targets.replicates,
      confirmReplicates: 5 * targets.replicates,
      maxEvaluations: targets.candidates,
      finalists: 3,
      space: defaultTuningSpace(basePolicy, healthy, { allowStatistical: false }),
    },
  };
}

/**
 * The lab controls that put a tuned setting into the form ("Use this policy"): the setting's knob
 * values (`tuningSettingKnobs`) written into the fields that edit them (`labKnobFields`; the check
 * interval in minutes). Knobs the setting does not set, or the lab has no control for (a
 * statistical rule), are left out.
 */
export function labStateFromTuning(setting: TuningSetting): Partial<LabState> {
  const knobs = tuningSettingKnobs(setting);
  const state: Partial<LabState> = {};
  for (const [knob, { field }] of Object.entries(labKnobFields) as [LabKnob, (typeof labKnobFields)[LabKnob]][]) {
    const value = knobs[knob];
    if (value !== undefined) (state as Record<string, string>)[field] = String(knob === 'checkInterval' ? value / 60 : value);
  }
  return state;
}

/** One candidate as the Pareto chart draws it. */
export type TunePlotPoint = ParetoFrontPoint;

/** The chart's points: every candidate's search numbers (common random numbers), flagged. */
export function tunePlotPoints(result: TuneResult): TunePlotPoint[] {
  return result.candidates.map((candidate) => ({
    id: candidate.id,
    label: candidate.label,
    falseRollbackRate: candidate.search.falseRollbackRate.rate ?? 0,
    missedDetectionRate: candidate.search.missedDetectionRate.rate ?? 1,
    pareto: candidate.pareto,
    recommended: result.recommended?.id === candidate.id,
  }));
}

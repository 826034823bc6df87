import { readNumber } from '../state/readNumber.ts';
import { readSeed } from '../state/readSeed.ts';
import { choiceField, type StateSchema, textField } from '../state/viewState.ts';
import { readLabImport } from './labImportedPolicy.ts';
import {
  type LabCanary,
  type LabFault,
  type LabKnob,
  type LabKnobs,
  type LabLatency,
  type LabModelBehaviour,
  type LabRuleStages,
  type LabSettings,
  labKnobs,
} from './labSettings.ts';

type OnOff = 'on' | 'off';
type LatencyKind = LabLatency['kind'];
type RuleStagesChoice = LabRuleStages;

/**
 * The policy lab's form, as typed (held in `#/lab?…` and autosaved). Kept compact for the URL:
 * the canary stages are one field (`canaries`, see `parseCanaryRows`), optional rules are off
 * when their field is empty.
 */
export interface LabState {
  errorRatio: string;
  p95Ratio: string;
  p50Ratio: string;
  timeoutRatio: string;
  checkMinutes: string;
  minRequests: string;
  failureLimit: string;
  /** How failing checks are counted (`guards.failureCounting`). */
  failureCounting: 'consecutive' | 'total' | 'mOfN';
  /** N of 'mOfN' counting. */
  failureWindow: string;
  baselineMode: 'historical' | 'concurrent';
  shadow: OnOff;
  canaries: string;
  ab: OnOff;
  abTraffic: string;
  abAlpha: string;
  abPower: string;
  abEffect: string;
  abDesign: 'fixed' | 'groupSequential' | 'alwaysValid';
  full: OnOff;
  /** Absolute limits; empty: none. */
  absError: string;
  absP95: string;
  absStages: RuleStagesChoice;
  /** Statistical rule's minimum effect; empty: no statistical rule. */
  statEffect: string;
  statMethod: 'alphaSpending' | 'alwaysValid';
  statStages: RuleStagesChoice;
  requestsPerSecond: string;
  dailyAmplitude: string;
  users: string;
  controlLatency: LatencyKind;
  controlMedian: string;
  controlP95: string;
  controlShape: string;
  controlMean: string;
  controlErrorRate: string;
  controlTimeout: string;
  candidateLatency: LatencyKind;
  candidateMedian: string;
  candidateP95: string;
  candidateShape: string;
  candidateMean: string;
  candidateErrorRate: string;
  candidateTimeout: string;
  faultKind: LabFault['kind'];
  /** The fault's error factor (the "regression factor"). */
  regressionFactor: string;
  faultLatency: string;
  faultAt: string;
  faultEnd: string;
  faultEvery: string;
  faultFor: string;
  /** Shared outage start; empty: no outage. */
  outageStart: string;
  outageFor: string;
  outageErrors: string;
  replicates: string;
  seed: string;
  /** The imported base policy (`formatLabImport`'s JSON); empty: the framework default. */
  imported: string;
}

/** One canary row as typed: share (%), minimum duration, maximum duration, check interval. */
export type CanaryRow = [traffic: string, minDuration: string, maxDuration: string, checkInterval: string];

/**
 * The canary rows of the `canaries` field: rows separated by `*`, cells by `_` (characters a URL
 * query keeps as they are): `5_2h_4h_*25_6h_12h_` is 5% for 2–4 h and 25% for 6–12 h, both checked
 * at the policy's interval. An empty field is no canary.
 */
export function parseCanaryRows(text: string): CanaryRow[] {
  if (text.trim() === '') return [];
  return text.split('*').map((row) => {
    const cells = row.split('_');
    return [cells[0] ?? '', cells[1] ?? '', cells[2] ?? '', cells[3] ?? ''];
  });
}

/** The `canaries` field of rows (inverse of `parseCanaryRows`; `*` and `_` typed in a cell are dropped). */
export function formatCanaryRows(rows: readonly CanaryRow[]): string {
  return rows.map((row) => row.map((cell) => cell.replace(/[*_]/g, '')).join('_')).join('*');
}

const onOff = (initial: OnOff) => choiceField<OnOff>(['on', 'off'], initial);
const latencyKinds: LatencyKind[] = ['lognormal', 'gamma', 'exponential'];
const ruleStages: RuleStagesChoice[] = ['canary', 'canary+full', 'all'];

/**
 * First visit: the framework's default policy (baseline → shadow → canary 5% 2–4 h → 25% 6–12 h →
 * A/B 50% → full), 20 requests/s with a 30% daily cycle and 20,000 users, both models lognormal
 * (median 120 ms, p95 400 ms) with 1% errors and no timeout, a candidate with 3× the errors from
 * the start for the regressed world, 200 replicates, seed 1.
 */
export const labSchema: StateSchema<LabState> = {
  errorRatio: textField('2'),
  p95Ratio: textField('1.5'),
  p50Ratio: textField('1.2'),
  timeoutRatio: textField('2'),
  checkMinutes: textField('5'),
  minRequests: textField('100'),
  failureLimit: textField('1'),
  failureCounting: choiceField(['consecutive', 'total', 'mOfN'], 'consecutive'),
  failureWindow: textField('5'),
  baselineMode: choiceField(['historical', 'concurrent'], 'historical'),
  shadow: onOff('on'),
  canaries: textField('5_2h_4h_*25_6h_12h_'),
  ab: onOff('on'),
  abTraffic: textField('50'),
  abAlpha: textField('0.05'),
  abPower: textField('0.8'),
  abEffect: textField('0.02'),
  abDesign: choiceField(['fixed', 'groupSequential', 'alwaysValid'], 'fixed'),
  full: onOff('on'),
  absError: textField(''),
  absP95: textField(''),
  absStages: choiceField(ruleStages, 'canary'),
  statEffect: textField(''),
  statMethod: choiceField(['alphaSpending', 'alwaysValid'], 'alphaSpending'),
  statStages: choiceField(ruleStages, 'canary'),
  requestsPerSecond: textField('20'),
  dailyAmplitude: textField('0.3'),
  users: textField('20000'),
  controlLatency: choiceField(latencyKinds, 'lognormal'),
  controlMedian: textField('120'),
  controlP95: textField('400'),
  controlShape: textField('2'),
  controlMean: textField('200'),
  controlErrorRate: textField('0.01'),
  controlTimeout: textField(''),
  candidateLatency: choiceField(latencyKinds, 'lognormal'),
  candidateMedian: textField('120'),
  candidateP95: textField('400'),
  candidateShape: textField('2'),
  candidateMean: textField('200'),
  candidateErrorRate: textField('0.01'),
  candidateTimeout: textField(''),
  faultKind: choiceField(['none', 'start', 'step', 'ramp', 'leak', 'bursts'], 'start'),
  regressionFactor: textField('3'),
  faultLatency: textField('1'),
  faultAt: textField('30h'),
  faultEnd: textField('40h'),
  faultEvery: textField('2h'),
  faultFor: textField('15m'),
  outageStart: textField(''),
  outageFor: textField('30m'),
  outageErrors: textField('5'),
  replicates: textField('200'),
  seed: textField('1'),
  imported: textField(''),
};

/**
 * The form field that edits each of the lab's policy knobs, and its name in messages: the one
 * mapping between the lab's controls and the engine's knob names. The fields keep their short
 * names because they are the keys of saved and shared `#/lab?…` links. The check interval is
 * typed in minutes.
 */
export const labKnobFields: { readonly [K in LabKnob]: { field: keyof LabState & string; label: string } } = {
  'errorRate.maxRatio': { field: 'errorRatio', label: 'error-rate threshold' },
  'latencyP95.maxRatio': { field: 'p95Ratio', label: 'p95 latency threshold' },
  'latencyP50.maxRatio': { field: 'p50Ratio', label: 'p50 latency threshold' },
  'timeoutRate.maxRatio': { field: 'timeoutRatio', label: 'timeout-rate threshold' },
  checkInterval: { field: 'checkMinutes', label: 'check interval' },
  'guards.minRequests': { field: 'minRequests', label: 'minimum requests per window' },
  'guards.failureLimit': { field: 'failureLimit', label: 'failure limit' },
  'guards.failureCounting': { field: 'failureCounting', label: 'failure counting' },
  'guards.failureWindow': { field: 'failureWindow', label: 'failure window (N of M of the last N)' },
};

/** The knobs as typed in the form: numbers read (RangeError naming the control), the check interval as minutes ("5m"). */
function readLabKnobs(state: LabState): LabKnobs {
  const knobs = {} as Record<LabKnob, number | string>;
  // In the form's order, so the first bad control is the one reported.
  for (const knob of labKnobs) {
    // The counting mode is a choice, not a number; the window is read only where it counts.
    if (knob === 'guards.failureCounting') {
      knobs[knob] = state.failureCounting;
      continue;
    }
    if (knob === 'guards.failureWindow' && state.failureCounting !== 'mOfN') {
      knobs[knob] = Number(state.failureWindow) || 1;
      continue;
    }
    const value = readNumber(state[labKnobFields[knob].field] as string, labKnobFields[knob].label);
    knobs[knob] = knob === 'checkInterval' ? `${value}m` : value;
  }
  return knobs as unknown as LabKnobs;
}

function optionalNumber(text: string, label: string): number | null {
  return text.trim() === '' ? null : readNumber(text, label);
}

function readModel(state: LabState, model: 'control' | 'candidate'): LabModelBehaviour {
  const kind = state[`${model}Latency`];
  const latency: LabLatency =
    kind === 'lognormal'
      ? {
          kind,
          median: readNumber(state[`${model}Median`], `${model} median latency`),
          p95: readNumber(state[`${model}P95`], `${model} p95 latency`),
        }
      : kind === 'gamma'
        ? {
            kind,
            shape: readNumber(state[`${model}Shape`], `${model} latency shape`),
            mean: readNumber(state[`${model}Mean`], `${model} mean latency`),
          }
        : { kind, mean: readNumber(state[`${model}Mean`], `${model} mean latency`) };
  return {
    latency,
    errorRate: readNumber(state[`${model}ErrorRate`], `${model} error rate`),
    timeout: optionalNumber(state[`${model}Timeout`], `${model} timeout`),
  };
}

/** The lab's settings; throws a `RangeError` naming a field that is not a number. */
export function readLabSettings(state: LabState): LabSettings {
  const canaries: LabCanary[] = parseCanaryRows(state.canaries).map(([traffic, minDuration, maxDuration, checkInterval], index) => ({
    trafficPercent: readNumber(traffic, `canary ${index + 1} traffic share`),
    minDuration: minDuration.trim(),
    maxDuration: maxDuration.trim(),
    checkInterval: checkInterval.trim(),
  }));
  const statEffect = optionalNumber(state.statEffect, 'statistical rule minimum effect');
  const outageStart = state.outageStart.trim();
  const imported = readLabImport(state.imported);
  return {
    ...readLabKnobs(state),
    baselineMode: state.baselineMode,
    shadow: state.shadow === 'on',
    canaries,
    ab: {
      enabled: state.ab === 'on',
      trafficPercent: readNumber(state.abTraffic, 'A/B traffic share'),
      alpha: readNumber(state.abAlpha, 'A/B α'),
      power: readNumber(state.abPower, 'A/B power'),
      minimumEffect: readNumber(state.abEffect, 'A/B minimum effect'),
      design: state.abDesign,
    },
    full: state.full === 'on',
    absoluteErrorRate: optionalNumber(state.absError, 'absolute error-rate limit'),
    absoluteP95: optionalNumber(state.absP95, 'absolute p95 limit'),
    absoluteStages: state.absStages,
    statistical: statEffect === null ? null : { minimumEffect: statEffect, method: state.statMethod },
    statisticalStages: state.statStages,
    requestsPerSecond: readNumber(state.requestsPerSecond, 'requests per second'),
    dailyAmplitude: readNumber(state.dailyAmplitude, 'daily-cycle amplitude'),
    users: readNumber(state.users, 'users'),
    control: readModel(state, 'control'),
    candidate: readModel(state, 'candidate'),
    fault: {
      kind: state.faultKind,
      errorFactor: readNumber(state.regressionFactor, 'fault: errors ×'),
      latencyFactor: readNumber(state.faultLatency, 'fault: latency ×'),
      at: state.faultAt.trim(),
      end: state.faultEnd.trim(),
      every: state.faultEvery.trim(),
      duration: state.faultFor.trim(),
    },
    outage:
      outageStart === ''
        ? null
        : { start: outageStart, duration: state.outageFor.trim(), errorFactor: readNumber(state.outageErrors, 'outage: errors ×') },
    replicates: readNumber(state.replicates, 'replicates'),
    seed: readSeed(state.seed),
    ...(imported === undefined ? {} : { imported }),
  };
}

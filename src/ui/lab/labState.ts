import { readNumber } from '../state/readNumber.ts';
import { choiceField, textField, type StateSchema } from '../state/viewState.ts';
import type { LabSettings } from './labModel.ts';

/** The policy lab's form, as typed (held in `#/lab?…` and autosaved). */
export interface LabState {
  errorRatio: string;
  p95Ratio: string;
  p50Ratio: string;
  timeoutRatio: string;
  checkMinutes: string;
  minRequests: string;
  failureLimit: string;
  baselineMode: 'historical' | 'concurrent';
  canaryHours: string;
  requestsPerSecond: string;
  controlErrorRate: string;
  regressionFactor: string;
  replicates: string;
  seed: string;
}

/** First visit: the framework's default policy, 20 requests/s, 1% errors, a 3× regression, 200 replicates, seed 1. */
export const labSchema: StateSchema<LabState> = {
  errorRatio: textField('2'),
  p95Ratio: textField('1.5'),
  p50Ratio: textField('1.2'),
  timeoutRatio: textField('2'),
  checkMinutes: textField('5'),
  minRequests: textField('100'),
  failureLimit: textField('1'),
  baselineMode: choiceField(['historical', 'concurrent'], 'historical'),
  canaryHours: textField('2'),
  requestsPerSecond: textField('20'),
  controlErrorRate: textField('0.01'),
  regressionFactor: textField('3'),
  replicates: textField('200'),
  seed: textField('1'),
};

/** The lab's settings; throws a `RangeError` naming a field that is not a number. */
export function readLabSettings(state: LabState): LabSettings {
  return {
    errorRatio: readNumber(state.errorRatio, 'error-rate threshold'),
    p95Ratio: readNumber(state.p95Ratio, 'p95 latency threshold'),
    p50Ratio: readNumber(state.p50Ratio, 'p50 latency threshold'),
    timeoutRatio: readNumber(state.timeoutRatio, 'timeout-rate threshold'),
    checkMinutes: readNumber(state.checkMinutes, 'check interval'),
    minRequests: readNumber(state.minRequests, 'minimum requests per window'),
    failureLimit: readNumber(state.failureLimit, 'failure limit'),
    baselineMode: state.baselineMode,
    canaryHours: readNumber(state.canaryHours, 'first canary duration'),
    requestsPerSecond: readNumber(state.requestsPerSecond, 'requests per second'),
    controlErrorRate: readNumber(state.controlErrorRate, 'control error rate'),
    regressionFactor: readNumber(state.regressionFactor, 'regression factor'),
    replicates: readNumber(state.replicates, 'replicates'),
    seed: readNumber(state.seed, 'seed'),
  };
}

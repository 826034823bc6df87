import type { SpendingFunctionName } from '../../engine/stats/groupSequential.ts';
import { readCount, readNumber } from '../state/readNumber.ts';
import { choiceField, type StateSchema, textField } from '../state/viewState.ts';
import type { SizerInputs } from './sizerModel.ts';

/** The sizer's form, field by field, as typed (the URL and autosave hold exactly this). */
export interface SizerState {
  baseline: string;
  effect: string;
  effectKind: 'absolute' | 'relative';
  alpha: string;
  power: string;
  sides: '1' | '2';
  split: string;
  trafficPerDay: string;
  looks: string;
  spending: SpendingFunctionName;
  srmControl: string;
  srmCandidate: string;
  /** The success metric's kind; a rate also gets the two-method table above. */
  metricKind: 'proportion' | 'mean' | 'ratio';
  /** Mean: the spread per unit, as a standard deviation or a variance (`spreadKind`). */
  spread: string;
  spreadKind: 'sd' | 'variance';
  /** Ratio (delta method): per-user means, variances and covariance of numerator y and denominator x. */
  numeratorMean: string;
  denominatorMean: string;
  numeratorVariance: string;
  denominatorVariance: string;
  covariance: string;
  /** CUPED's pre-period correlation ρ of the success metric. */
  cupedR: string;
  /** Control plus candidates. */
  arms: string;
  /** 'z': variances known; 't': estimated (the t-test; mean and ratio metrics). */
  test: 'z' | 't';
  /** Guardrails, `;`-separated, each as the CLI's `--guardrail KIND:BASELINE:MARGIN[%][:SD][:lower]`. */
  guardrails: string;
  /** How distinct users accrue: every user new, or returning users from the population or the returning share. */
  accrual: 'linear' | 'population' | 'returning';
  population: string;
  returningShare: string;
  heterogeneity: string;
}

/** Field codecs and first-visit values: a 10% baseline, +2 points, α 5%, power 80%, 50/50, 2,000 users a day. */
export const sizerSchema: StateSchema<SizerState> = {
  baseline: textField('0.1'),
  effect: textField('0.02'),
  effectKind: choiceField(['absolute', 'relative'], 'absolute'),
  alpha: textField('0.05'),
  power: textField('0.8'),
  sides: choiceField(['1', '2'], '2'),
  split: textField('0.5'),
  trafficPerDay: textField('2000'),
  looks: textField('10'),
  spending: choiceField(['obrienFleming', 'pocock'], 'obrienFleming'),
  srmControl: textField('50210'),
  srmCandidate: textField('49790'),
  metricKind: choiceField(['proportion', 'mean', 'ratio'], 'proportion'),
  spread: textField('2'),
  spreadKind: choiceField(['sd', 'variance'], 'sd'),
  numeratorMean: textField('3'),
  denominatorMean: textField('12'),
  numeratorVariance: textField('9'),
  denominatorVariance: textField('64'),
  covariance: textField('12'),
  cupedR: textField('0'),
  arms: textField('2'),
  test: choiceField(['z', 't'], 'z'),
  guardrails: textField(''),
  accrual: choiceField(['linear', 'population', 'returning'], 'returning'),
  population: textField('50000'),
  returningShare: textField('0.3'),
  heterogeneity: textField('1'),
};

/** The sizing inputs the form holds; throws a `RangeError` naming a field that is not a number. */
export function readSizerInputs(state: SizerState): SizerInputs {
  return {
    baseline: readNumber(state.baseline, 'baseline'),
    effect: readNumber(state.effect, 'minimum detectable effect'),
    effectKind: state.effectKind,
    alpha: readNumber(state.alpha, 'alpha'),
    power: readNumber(state.power, 'power'),
    sides: state.sides === '1' ? 1 : 2,
    split: readNumber(state.split, 'split'),
    trafficPerDay: readNumber(state.trafficPerDay, 'traffic per day'),
  };
}

/** The peeking chart's inputs. */
export function readPeekingInputs(state: SizerState): { alpha: number; maxLooks: number; spending: SpendingFunctionName } {
  return {
    alpha: readNumber(state.alpha, 'alpha'),
    maxLooks: readNumber(state.looks, 'number of looks'),
    spending: state.spending,
  };
}

/** The SRM check's inputs. */
export function readSrmInputs(state: SizerState): { control: number; candidate: number; split: number } {
  return {
    control: readCount(state.srmControl, 'users in control'),
    candidate: readCount(state.srmCandidate, 'users in candidate'),
    split: readNumber(state.split, 'split'),
  };
}

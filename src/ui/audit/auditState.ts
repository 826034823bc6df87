/**
 * The "Audit my rollout" form, as typed (held in `#/audit?…` and autosaved, so a reload keeps the
 * pasted YAML): the files, the import's options (`--from`, `--map`), what the user knows about
 * their traffic in the CLI's own words (`40rps`, `0.002`, `350ms`, `errors*3`, read by the audit
 * library's parsers), the tuning targets and the run. Pure: no DOM.
 */
import type { ImportInput, ImportOptions } from '../../engine/import/importTypes.ts';
import { parseLatencyMs, parseRate, parseRegression, parseRequestRate } from '../../sim/audit/auditInputs.ts';
import type { AuditWorldOptions } from '../../sim/audit/auditScenario.ts';
import type { TuningTargets } from '../../sim/tuningTargets.ts';
import { readNumber } from '../state/readNumber.ts';
import { readSeed } from '../state/readSeed.ts';
import { choiceField, type StateSchema, textField } from '../state/viewState.ts';
import { filledInputs, readAuditInputs } from './auditInputs.ts';
import { readMetricMap } from './auditMetrics.ts';

/** The audit's form, every field as typed. */
export interface AuditState {
  /** The files (`formatAuditInputs`'s JSON); empty: one empty paste box. */
  files: string;
  /** Which system the files are for; `auto` detects it from apiVersion/kind. */
  from: 'auto' | 'argo' | 'flagger';
  /** Which of the user's metrics is which health metric, as `--map` takes it (`success-rate=errorRate`). */
  map: string;
  /** Requests per second (`40rps`, `2400rpm`, or a number). */
  traffic: string;
  /** The service's error rate today (`0.002` or `0.2%`). */
  errorRate: string;
  /** The service's p95 latency today (`350ms`, `0.35s`). */
  p95: string;
  /** The share of requests that time out today; empty: none. */
  timeoutRate: string;
  /** The regression to catch: terms separated by commas (`errors*3`, `p95*1.5`, `errors+0.01`, `timeouts*2`). */
  regression: string;
  /** Tuning targets: the largest false-rollback rate (%), the smallest detection rate (%), within (minutes of first serving). */
  maxFalseRollback: string;
  minDetection: string;
  withinMinutes: string;
  /** Replicates per world (Monte-Carlo answers and the tuner's search). */
  replicates: string;
  /** Candidates the tuner may simulate, the imported policy included. */
  candidates: string;
  seed: string;
}

/**
 * First visit: an empty paste box, 40 requests/s at 0.2% errors and 350 ms p95, a 3× error
 * regression (the example); false rollbacks ≤ 5%, 90% caught within 2 h (the audit
 * library's default targets); 200 replicates, 20 candidates, seed 1.
 */
export const auditSchema: StateSchema<AuditState> = {
  files: textField(''),
  from: choiceField(['auto', 'argo', 'flagger'], 'auto'),
  map: textField(''),
  traffic: textField('40rps'),
  errorRate: textField('0.002'),
  p95: textField('350ms'),
  timeoutRate: textField(''),
  regression: textField('errors*3'),
  maxFalseRollback: textField('5'),
  minDetection: textField('90'),
  withinMinutes: textField('120'),
  replicates: textField('200'),
  candidates: textField('20'),
  seed: textField('1'),
};

/** What the import reads: the files that hold something, and the options. */
export interface AuditImportSettings {
  inputs: ImportInput[];
  options: ImportOptions;
}

/** The tuner's targets (rates as fractions; `detectWithin` in seconds of first serving) and the run. */
export interface AuditRunSettings extends TuningTargets {
  replicates: number;
  candidates: number;
  seed: number;
}

/**
 * The import's inputs and options; throws a RangeError naming the field (the files list, the
 * map) when the form does not make them. No file with text is not an error here: the view asks for one.
 */
export function readAuditImport(state: AuditState): AuditImportSettings {
  const inputs = filledInputs(readAuditInputs(state.files));
  const map = readMetricMap(state.map);
  return {
    inputs,
    options: { ...(state.from === 'auto' ? {} : { from: state.from }), ...(Object.keys(map).length > 0 ? { map } : {}) },
  };
}

/** The two worlds' options (`auditScenario`), read with the audit library's parsers: RangeError naming the field. */
export function readAuditWorld(state: AuditState): AuditWorldOptions {
  const timeoutRate = state.timeoutRate.trim();
  const terms = state.regression.split(',').filter((term) => term.trim() !== '');
  if (terms.length === 0) throw new RangeError('regression is missing: enter one like errors*3 or p95*1.5');
  return {
    requestsPerSecond: parseRequestRate(state.traffic, 'requests per second'),
    errorRate: parseRate(state.errorRate, 'error rate'),
    p95: parseLatencyMs(state.p95, 'p95 latency'),
    ...(timeoutRate === '' ? {} : { timeoutRate: parseRate(timeoutRate, 'timeout rate') }),
    regression: terms.map((term) => parseRegression(term)),
  };
}

function percent(text: string, label: string): number {
  const value = readNumber(text, label);
  if (!(value > 0 && value < 100)) throw new RangeError(`${label} must be between 0 and 100 (exclusive), got ${value}`);
  return value / 100;
}

/** The targets and the run: RangeError naming the field. */
export function readAuditRun(state: AuditState): AuditRunSettings {
  const within = readNumber(state.withinMinutes, 'detection window (minutes)');
  if (!(within > 0)) throw new RangeError(`detection window (minutes) must be greater than 0, got ${within}`);
  const replicates = readNumber(state.replicates, 'replicates');
  if (!(Number.isInteger(replicates) && replicates >= 10 && replicates <= 5000))
    throw new RangeError(`replicates must be a whole number from 10 to 5,000, got ${replicates}`);
  const candidates = readNumber(state.candidates, 'candidates to try');
  if (!(Number.isInteger(candidates) && candidates >= 2 && candidates <= 200))
    throw new RangeError(`candidates to try must be a whole number from 2 to 200, got ${candidates}`);
  return {
    maxFalseRollbackRate: percent(state.maxFalseRollback, 'largest false-rollback rate (%)'),
    minDetectionRate: percent(state.minDetection, 'smallest detection rate (%)'),
    detectWithin: within * 60,
    replicates,
    candidates,
    seed: readSeed(state.seed),
  };
}

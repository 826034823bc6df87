import { defaultPolicy } from '../../engine/policy/defaultPolicy.ts';
import { formatPolicyError, parsePolicy } from '../../engine/policy/parsePolicy.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import type { ColumnMapping, LogField } from '../../sim/replay/columnMapping.ts';
import { LOG_FIELDS, parseColumnMapping } from '../../sim/replay/columnMapping.ts';
import { parseErrorRule } from '../../sim/replay/errorRule.ts';
import type { ImportSettings } from '../../sim/replay/importSettings.ts';
import type { Injection } from '../../sim/replay/injection.ts';
import { parseInjection } from '../../sim/replay/injection.ts';
import type { LatencyUnit } from '../../sim/replay/parseLatency.ts';
import { LATENCY_UNITS } from '../../sim/replay/parseLatency.ts';
import { readCount } from '../state/readNumber.ts';
import { readSeed } from '../state/readSeed.ts';
import { choiceField, type StateSchema, textField } from '../state/viewState.ts';

/**
 * The replay view's state, kept in the URL and autosaved: the column mapping (one column name
 * per field, '' when unmapped), the latency unit, the error rule (`--error-when`, '' for the
 * default rule), the injected regression (`--inject`), replicates, seed, the policy (JSON text,
 * '' for the framework default) and the name of the file last opened — the file itself cannot
 * be stored, so after a reload the view asks for it again by name.
 */
export interface ReplayState {
  timestamp: string;
  latency: string;
  status: string;
  model: string;
  segment: string;
  user: string;
  latencyUnit: LatencyUnit;
  errorWhen: string;
  inject: string;
  replicates: string;
  seed: string;
  policy: string;
  /** 'yes': replay a log shorter than the rollout by reusing its blocks (`--allow-wrap`); 'no': refuse, as the CLI does by default. */
  allowShorterLog: 'yes' | 'no';
  file: string;
}

/** First visit: nothing mapped, default error rule, a 30% latency regression, 200 replicates, seed 1 (the CLI's defaults). */
export const replaySchema: StateSchema<ReplayState> = {
  timestamp: textField(''),
  latency: textField(''),
  status: textField(''),
  model: textField(''),
  segment: textField(''),
  user: textField(''),
  latencyUnit: choiceField(LATENCY_UNITS, 'ms'),
  errorWhen: textField(''),
  inject: textField('latency*1.3'),
  replicates: textField('200'),
  seed: textField('1'),
  policy: textField(''),
  allowShorterLog: choiceField(['yes', 'no'] as const, 'no'),
  file: textField(''),
};

/** The mapping as the CLI's `--map` text: `timestamp=COL,latency=COL,status=COL[,…]` (mapped fields only). */
export function mappingText(state: ReplayState): string {
  return LOG_FIELDS.filter((field) => state[field].trim() !== '')
    .map((field) => `${field}=${state[field].trim()}`)
    .join(',');
}

/** The mapping, checked: a RangeError names the missing required fields. */
export function readColumnMapping(state: ReplayState): ColumnMapping {
  const missing = (['timestamp', 'latency', 'status'] as LogField[]).filter((field) => state[field].trim() === '');
  if (missing.length > 0) throw new RangeError(`choose the column that holds ${missing.join(', ')}`);
  return parseColumnMapping(mappingText(state));
}

/** The error rule's problem for people, or '' when it compiles ('' text is the default rule). */
export function errorRuleProblem(text: string): string {
  if (text.trim() === '') return '';
  try {
    parseErrorRule(text);
    return '';
  } catch (error) {
    // parseErrorRule's messages already start with 'error rule'.
    if (error instanceof RangeError) return /^error rule\b/.test(error.message) ? error.message : `error rule: ${error.message}`;
    throw error;
  }
}

export type { ImportSettings };

/** The import settings, checked; a RangeError names the first problem (mapping, then error rule). */
export function readImportSettings(state: ReplayState): ImportSettings {
  const mapping = readColumnMapping(state);
  const problem = errorRuleProblem(state.errorWhen);
  if (problem) throw new RangeError(problem);
  return { mapping, latencyUnit: state.latencyUnit, errorWhen: state.errorWhen.trim() };
}

/** The seed as the CLI reads `--seed` (the app's one reader of seeds, src/ui/state/readSeed.ts). */
export { readSeed };

/** What the replay needs besides the log: plain data, posted to the worker. */
export interface ReplaySettings {
  policy: Policy;
  /** The injected regression; empty when none. */
  injections: Injection[];
  /** The injection as written ('' when none). */
  injectText: string;
  replicates: number;
  seed: number | string;
  /** Reuse the log's blocks when it is shorter than the rollout (`--allow-wrap`). */
  allowShorterLog: boolean;
}

/** Most replicates the app runs (the CLI allows more). */
export const MAX_APP_REPLICATES = 100_000;

/** The policy: the framework default for '' or the pasted JSON, checked by `parsePolicy`. */
export function readPolicy(text: string): Policy {
  let json: unknown = defaultPolicy();
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new RangeError(`policy is not valid JSON: ${(error as Error).message}`);
    }
  }
  const parsed = parsePolicy(json);
  if (!parsed.ok) throw new RangeError(`policy is not valid: ${parsed.errors.map(formatPolicyError).join('; ')}`);
  return parsed.policy;
}

/** The replay settings, checked; a RangeError names the field and the reason. */
export function readReplaySettings(state: ReplayState): ReplaySettings {
  const injectText = state.inject.trim();
  const injections = injectText === '' ? [] : parseInjection(injectText);
  const replicates = readCount(state.replicates, 'replicates');
  if (replicates < 1 || replicates > MAX_APP_REPLICATES) {
    throw new RangeError(`replicates must be between 1 and ${MAX_APP_REPLICATES.toLocaleString('en')}, got ${replicates}`);
  }
  return {
    policy: readPolicy(state.policy),
    injections,
    injectText,
    replicates,
    seed: readSeed(state.seed),
    allowShorterLog: state.allowShorterLog === 'yes',
  };
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The arguments of the `rollout-lab replay` command that computes the same numbers as the view
 * (`withInjection` false: the run without the injected regression). The policy is the default
 * one or `--policy POLICY.json` (the pasted JSON saved to that file).
 */
export function replayCommandArguments(state: ReplayState, fileName: string, withInjection = true): string[] {
  const args = [fileName, '--map', mappingText(state)];
  if (state.latencyUnit !== 'ms') args.push('--latency-unit', state.latencyUnit);
  if (state.errorWhen.trim() !== '') args.push('--error-when', state.errorWhen.trim());
  if (state.policy.trim() !== '') args.push('--policy', 'POLICY.json');
  if (withInjection && state.inject.trim() !== '') args.push('--inject', state.inject.trim());
  if (state.allowShorterLog === 'yes') args.push('--allow-wrap');
  args.push('--replicates', state.replicates.trim(), '--seed', state.seed.trim());
  return args;
}

/** `replayCommandArguments` as one shell line: `rollout-lab replay requests.csv --map … --seed 1`. */
export function replayCommandLine(state: ReplayState, fileName: string, withInjection = true): string {
  return ['rollout-lab', 'replay', ...replayCommandArguments(state, fileName, withInjection)].map(shellQuote).join(' ');
}

import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import { seedFromText } from '../../../src/engine/random/seedFromText.ts';
import {
  errorRuleProblem,
  mappingText,
  type ReplayState,
  readImportSettings,
  readReplaySettings,
  readSeed,
  replayCommandArguments,
  replayCommandLine,
  replaySchema,
} from '../../../src/ui/replay/replayState.ts';
import { decodeState, encodeState, initialState } from '../../../src/ui/state/viewState.ts';

const mapped: ReplayState = {
  ...initialState(replaySchema),
  timestamp: 'timestamp',
  latency: 'latency_ms',
  status: 'status',
  segment: 'segment',
  user: 'user',
  file: 'requests-one-day.csv',
};

describe('replay view state', () => {
  it('starts with the CLI defaults and round-trips through the URL', () => {
    const initial = initialState(replaySchema);
    expect([initial.replicates, initial.seed, initial.latencyUnit, initial.inject, initial.errorWhen, initial.policy]).toEqual([
      '200',
      '1',
      'ms',
      'latency*1.3',
      '',
      '',
    ]);
    const state = { ...mapped, errorWhen: 'status>=500 or status in (error, timeout)', latencyUnit: 's' as const };
    expect(decodeState(replaySchema, encodeState(replaySchema, state))).toEqual(state);
    // An unknown unit in a shared URL falls back to ms.
    expect(decodeState(replaySchema, new URLSearchParams('latencyUnit=hours')).latencyUnit).toBe('ms');
  });

  it('writes the mapping as --map text and checks it', () => {
    expect(mappingText(mapped)).toBe('timestamp=timestamp,latency=latency_ms,status=status,segment=segment,user=user');
    expect(readImportSettings(mapped)).toEqual({
      mapping: { timestamp: 'timestamp', latency: 'latency_ms', status: 'status', segment: 'segment', user: 'user' },
      latencyUnit: 'ms',
      errorWhen: '',
    });
    expect(() => readImportSettings({ ...mapped, latency: '', status: '' })).toThrow('choose the column that holds latency, status');
  });

  it('explains a bad error rule', () => {
    expect(errorRuleProblem('')).toBe('');
    expect(errorRuleProblem('status >= 500')).toBe('');
    expect(errorRuleProblem('status >=')).toMatch(/^error rule: /);
    expect(() => readImportSettings({ ...mapped, errorWhen: 'status >=' })).toThrow(/^error rule: /);
  });

  it('reads the replay settings as the CLI reads its options', () => {
    const settings = readReplaySettings(mapped);
    expect(settings.policy).toEqual(defaultPolicy());
    expect(settings.injections).toEqual([{ kind: 'latencyScale', factor: 1.3 }]);
    expect([settings.replicates, settings.seed]).toEqual([200, 1]);
    expect(readReplaySettings({ ...mapped, inject: '' }).injections).toEqual([]);
    expect(readSeed('42')).toBe(42);
    // A text is the engine's seedFromText of it (values pinned in test/engine/random/seedFromText.test.ts).
    expect(readSeed(' release-2026-12 ')).toBe(6579759434890201);
    expect(readSeed('99999999999999999999')).toBe(seedFromText('99999999999999999999'));
    expect(() => readSeed('  ')).toThrow('seed is missing: enter a number or a word');
    expect(() => readReplaySettings({ ...mapped, inject: 'latency/2' })).toThrow(
      "injection 'latency/2' must look like latency*1.3, latency+50ms, errors*2, errors+0.01 or leak:latency+2ms/h",
    );
    expect(() => readReplaySettings({ ...mapped, replicates: '0' })).toThrow('replicates must be between 1 and 100,000, got 0');
    expect(() => readReplaySettings({ ...mapped, replicates: '2.5' })).toThrow('replicates must be a whole number ≥ 0, got 2.5');
    expect(() => readReplaySettings({ ...mapped, policy: '{' })).toThrow(/^policy is not valid JSON: /);
    expect(() => readReplaySettings({ ...mapped, policy: '{"version": 1}' })).toThrow(/^policy is not valid: /);
  });

  it('names the equivalent rollout-lab replay command', () => {
    expect(replayCommandArguments(mapped, 'log.csv')).toEqual([
      'log.csv',
      '--map',
      'timestamp=timestamp,latency=latency_ms,status=status,segment=segment,user=user',
      '--inject',
      'latency*1.3',
      '--replicates',
      '200',
      '--seed',
      '1',
    ]);
    expect(replayCommandLine({ ...mapped, errorWhen: 'status in (error, timeout)', latencyUnit: 's' }, 'my log.csv', false)).toBe(
      "rollout-lab replay 'my log.csv' --map timestamp=timestamp,latency=latency_ms,status=status,segment=segment,user=user --latency-unit s --error-when 'status in (error, timeout)' --replicates 200 --seed 1",
    );
  });
});

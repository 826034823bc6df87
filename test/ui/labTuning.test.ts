import { describe, expect, it } from 'vitest';
import { applyTuningSetting } from '../../src/sim/tuningSpace.ts';
import { labPolicy } from '../../src/ui/lab/labPolicy.ts';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { defaultLabTuneForm, labStateFromTuning, labTuneRequest, readLabTuneTargets } from '../../src/ui/lab/labTuning.ts';
import { initialState } from '../../src/ui/state/viewState.ts';

const settings = readLabSettings(initialState(labSchema));

describe('lab tuning model', () => {
  it('reads the targets form, in percent and minutes, naming a bad field', () => {
    expect(readLabTuneTargets(defaultLabTuneForm)).toEqual({
      maxFalseRollbackRate: 0.05,
      minDetectionRate: 0.9,
      withinMinutes: 60,
      replicates: 100,
      candidates: 30,
    });
    expect(() => readLabTuneTargets({ ...defaultLabTuneForm, maxFalseRollbackPercent: '150' })).toThrow(
      'largest false-rollback rate (%) must be between 0 and 100 (exclusive), got 150',
    );
    expect(() => readLabTuneTargets({ ...defaultLabTuneForm, replicates: '5' })).toThrow(
      'tuning replicates must be a whole number from 10 to 2000, got 5',
    );
    expect(() => readLabTuneTargets({ ...defaultLabTuneForm, withinMinutes: '' })).toThrow(
      'detection window (minutes) is missing: enter a number',
    );
  });

  it('searches only what the lab controls can hold: ratio thresholds, check interval and guards', () => {
    const request = labTuneRequest(settings, readLabTuneTargets(defaultLabTuneForm));
    expect(request.options.targets).toEqual({ maxFalseRollbackRate: 0.05, minDetectionRate: 0.9, detectWithin: 3600 });
    expect(request.options.searchReplicates).toBe(100);
    expect(request.options.confirmReplicates).toBe(500);
    expect(request.options.seed).toBe(settings.seed);
    const space = request.options.space!;
    expect(space.errorRule!.every((rule) => rule.type === 'ratio')).toBe(true);
    expect(Object.keys(space).sort()).toEqual([
      'checkInterval',
      'errorRule',
      'failureLimit',
      'minRequests',
      'p50Ratio',
      'p95Ratio',
      'timeoutRatio',
    ]);
  });

  it('"Use this policy" puts a tuned setting into the controls, giving the same policy as the tuner', () => {
    const setting = {
      errorRule: { type: 'ratio' as const, maxRatio: 3 },
      p95Ratio: 2,
      p50Ratio: 1.5,
      timeoutRatio: 4,
      checkInterval: 600,
      minRequests: 200,
      failureLimit: 2,
    };
    const state = labStateFromTuning(setting);
    expect(state).toEqual({
      errorRatio: '3',
      p95Ratio: '2',
      p50Ratio: '1.5',
      timeoutRatio: '4',
      checkMinutes: '10',
      minRequests: '200',
      failureLimit: '2',
    });
    const fromLab = labPolicy(readLabSettings({ ...initialState(labSchema), ...state }));
    const fromTuner = applyTuningSetting(labPolicy(settings), setting);
    expect(fromLab.stages).toEqual(fromTuner.stages);
    expect(fromLab.guards).toEqual(fromTuner.guards);
  });
});

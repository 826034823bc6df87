import { describe, expect, it } from 'vitest';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { durationText, labStateFromScenario } from '../../src/ui/lab/labStateFromScenario.ts';
import { labScenarioProblems } from '../../src/ui/lab/labWorlds.ts';
import { libraryIds, libraryScenario } from '../../src/ui/playback/scenarioLibrary.ts';
import { initialState } from '../../src/ui/state/viewState.ts';

describe('labStateFromScenario', () => {
  it('writes durations as the shortest exact text', () => {
    expect(durationText(7200)).toBe('2h');
    expect(durationText(5400)).toBe('90m');
    expect(durationText(45)).toBe('45s');
  });

  it('turns a candidate that is a slowed-down control into "worse from the start" on a healthy candidate', () => {
    // scenarios/library/ignoring-latency-regression.json: control lognormal 120/400 ms, candidate 240/800 ms, both 1% errors.
    const state = labStateFromScenario(libraryScenario('ignoring-latency-regression'));
    expect(state).toMatchObject({
      controlLatency: 'lognormal',
      controlMedian: '120',
      controlP95: '400',
      candidateMedian: '120',
      candidateP95: '400',
      candidateErrorRate: '0.01',
      faultKind: 'start',
      regressionFactor: '1',
      faultLatency: '2',
      outageStart: '',
    });
  });

  it('gives lab settings the scenario parser accepts, for every library scenario', () => {
    for (const id of libraryIds()) {
      const state = { ...initialState(labSchema), ...labStateFromScenario(libraryScenario(id)) };
      const settings = readLabSettings(state);
      if (settings.fault.kind !== 'none' && !(settings.fault.errorFactor > 1 || settings.fault.latencyFactor > 1)) continue;
      expect(labScenarioProblems(settings), id).toEqual([]);
    }
  });
});

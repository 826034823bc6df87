import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { knobValue } from '../../src/engine/policy/policyKnobs.ts';
import { applyTuningSetting, baseTuningSetting, tuningSettingKnobs } from '../../src/sim/tuningSpace.ts';

describe('a tuning setting in the engine’s knob vocabulary', () => {
  it('names each coordinate’s knob', () => {
    expect(
      tuningSettingKnobs({
        errorRule: { type: 'ratio', maxRatio: 3 },
        p95Ratio: 2,
        p50Ratio: 1.5,
        timeoutRatio: 4,
        checkInterval: 600,
        minRequests: 200,
        failureLimit: 2,
      }),
    ).toEqual({
      'errorRate.maxRatio': 3,
      'latencyP95.maxRatio': 2,
      'latencyP50.maxRatio': 1.5,
      'timeoutRate.maxRatio': 4,
      checkInterval: 600,
      'guards.minRequests': 200,
      'guards.failureLimit': 2,
    });
    expect(tuningSettingKnobs({ errorRule: { type: 'statistical', minimumEffect: 0.004, alpha: 0.05 } })).toEqual({
      'errorRate.minimumEffect': 0.004,
    });
  });

  it('applies a setting so that the knobs read back its values', () => {
    const setting = {
      errorRule: { type: 'ratio' as const, maxRatio: 3 },
      p95Ratio: 2,
      checkInterval: 600,
      minRequests: 200,
      failureLimit: 2,
    };
    const tuned = applyTuningSetting(defaultPolicy(), setting);
    for (const [knob, value] of Object.entries(tuningSettingKnobs(setting))) expect(knobValue(tuned, knob as never)).toBe(value);
    // The base setting of the tuned policy is the setting, plus the knobs it left alone (p50 1.2, timeouts 2).
    expect(baseTuningSetting(tuned)).toEqual({ ...setting, p50Ratio: 1.2, timeoutRatio: 2 });
  });
});

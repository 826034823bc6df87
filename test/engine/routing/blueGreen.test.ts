import { describe, expect, it } from 'vitest';
import {
  createBlueGreen,
  deployToIdle,
  idleModel,
  liveModel,
  markWarm,
  otherSlot,
  rollback,
  swap,
} from '../../../src/engine/routing/blueGreen.ts';

describe('blue-green slots', () => {
  it('keeps both slots warm and swaps on promote', () => {
    const start = createBlueGreen('model-v1', 'model-v2');
    expect(start).toEqual({ blue: { model: 'model-v1', warm: true }, green: { model: 'model-v2', warm: true }, live: 'blue' });
    const promoted = swap(start);
    expect(liveModel(promoted)).toBe('model-v2');
    expect(idleModel(promoted)).toBe('model-v1');
    expect(promoted.blue.warm && promoted.green.warm).toBe(true);
    expect(liveModel(start)).toBe('model-v1'); // inputs are not mutated
  });

  it('rolls back by routing only: the previous model is still warm and takes traffic at once', () => {
    const promoted = swap(createBlueGreen('v1', 'v2', 'green'));
    expect(promoted.live).toBe('blue');
    const back = rollback(promoted);
    expect(back.live).toBe('green');
    expect(liveModel(back)).toBe('v1');
    expect({ blue: back.blue, green: back.green }).toEqual({ blue: promoted.blue, green: promoted.green });
  });

  it('refuses to swap to a cold slot', () => {
    const deployed = deployToIdle(createBlueGreen('v1', 'v0'), 'v2');
    expect(deployed.green).toEqual({ model: 'v2', warm: false });
    expect(() => swap(deployed)).toThrow('the green slot (v2) is not warm; it cannot take traffic');
    expect(liveModel(swap(markWarm(deployed, 'green')))).toBe('v2');
    expect(otherSlot('blue')).toBe('green');
    expect(() => createBlueGreen('a', 'b', 'red' as never)).toThrow(/live must be/);
  });
});

/**
 * Blue-green deployment as data: two slots, each holding a model and kept warm; the router sends
 * all traffic to the live slot. Promoting swaps the slots; rolling back swaps them back — a
 * routing change only, nothing is redeployed, so it takes effect on the next request.
 * Every function returns a new state and leaves its input untouched.
 */

/** The two slots. */
export type SlotName = 'blue' | 'green';

/** One slot: which model it holds and whether it is warmed up (loaded, caches primed, health-checked). */
export interface Slot {
  model: string;
  warm: boolean;
}

/** The blue-green pair and which slot serves traffic. */
export interface BlueGreenState {
  blue: Slot;
  green: Slot;
  /** The slot that serves all traffic. */
  live: SlotName;
}

/** The other slot. */
export function otherSlot(slot: SlotName): SlotName {
  return slot === 'blue' ? 'green' : 'blue';
}

/** A pair with `liveModel` serving from `live` and `idleModel` warm in the other slot. */
export function createBlueGreen(liveModel: string, idleModel: string, live: SlotName = 'blue'): BlueGreenState {
  if (live !== 'blue' && live !== 'green') throw new RangeError(`live must be 'blue' or 'green', got '${String(live)}'`);
  const liveSlot: Slot = { model: liveModel, warm: true };
  const idleSlot: Slot = { model: idleModel, warm: true };
  return live === 'blue' ? { blue: liveSlot, green: idleSlot, live } : { blue: idleSlot, green: liveSlot, live };
}

/** The model that serves traffic now. */
export function liveModel(state: BlueGreenState): string {
  return state[state.live].model;
}

/** The model kept warm in the idle slot (the rollback target after a promotion). */
export function idleModel(state: BlueGreenState): string {
  return state[otherSlot(state.live)].model;
}

/** Loads `model` into the idle slot, not yet warm; the live slot is untouched. */
export function deployToIdle(state: BlueGreenState, model: string): BlueGreenState {
  const idle = otherSlot(state.live);
  return { ...state, [idle]: { model, warm: false } };
}

/** Marks `slot` as warm (its health checks passed). */
export function markWarm(state: BlueGreenState, slot: SlotName): BlueGreenState {
  return { ...state, [slot]: { ...state[slot], warm: true } };
}

/**
 * Promotes: the idle slot becomes live and the previously live slot stays warm as the rollback
 * target. Refuses (RangeError) when the idle slot is not warm — a cold slot must not take traffic.
 */
export function swap(state: BlueGreenState): BlueGreenState {
  const idle = otherSlot(state.live);
  if (!state[idle].warm) {
    throw new RangeError(`the ${idle} slot (${state[idle].model}) is not warm; it cannot take traffic`);
  }
  return { ...state, live: idle };
}

/**
 * Rolls back after a promotion: traffic returns to the other (previously live, still warm) slot.
 * The same routing change as `swap`, named for the audit trail.
 */
export function rollback(state: BlueGreenState): BlueGreenState {
  return swap(state);
}

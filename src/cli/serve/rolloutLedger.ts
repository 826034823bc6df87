/**
 * The decision service's rollouts in memory and the one queue through which every change goes
 * (decide, kill, reset, of any rollout): apply in arrival order → append the group's lines to the
 * event log (fsync) → replace the state file → make the group visible → answer.
 *
 * Two views of each rollout:
 * - DURABLE (`get`): what is on disk. Every read of the service (state, gate, listing) uses it,
 *   so no one sees a decision that a crash could still lose — a gate opened on a phantom is a
 *   real rollout advanced on nothing.
 * - WORKING: a copy made when a group starts, to which the group's changes are applied; it
 *   becomes the durable view only after both writes succeeded.
 * The event array and the counted-window map are shared between the two (appending to them is
 * O(1); copying them would make every request O(log)); the durable view only reads the first
 * `eventCount` events, and the window map is only read inside the queue. A failed write cuts
 * both back, so memory, log and state file never disagree.
 *
 * Group commit: the changes that queue up while a write is in flight are written together (one
 * log append + one state replace, one fsync each), so throughput does not collapse to one fsync
 * per request under load.
 */

import type { ControllerState } from '../../engine/controller/controllerState.ts';
import { cloneState } from '../../engine/controller/controllerState.ts';
import { HttpError } from './httpBody.ts';
import type { CountedWindow, EventLogLine, LoadedServiceState, ServiceStateFile } from './serviceStateFile.ts';
import type { ServiceStorage } from './serviceStorage.ts';

/** A rollout (one controller state per id). */
export interface Rollout {
  id: string;
  /** Explicit resets so far. */
  generation: number;
  /** Events of this generation that belong to this view (the state's array may be longer while a group is in flight). */
  eventCount: number;
  lastWindow: CountedWindow | null;
  /** Null until the first window or kill of the generation. */
  state: ControllerState | null;
  /** Counted windows of this generation by id (shared; read only inside the queue). */
  windows: Map<string, CountedWindow>;
}

/**
 * A change to one rollout, applied to its working copy (mutate it): the log line to write (null
 * when nothing changes, e.g. a duplicate) and the answer to send once the group is durable.
 * Throwing (e.g. an `HttpError` 409) undoes this change alone.
 */
export type Change = (rollout: Rollout) => { line: EventLogLine | null; answer: unknown };

/** The rollouts and their queue. */
export interface RolloutLedger {
  /** The durable view of `id`, or undefined when it has never been written. */
  get(id: string): Rollout | undefined;
  /** Durable rollout ids, sorted. */
  ids(): string[];
  /** Queues `change` on rollout `id`; resolves with its answer once it is on disk. */
  commit(id: string, change: Change): Promise<unknown>;
  /** Resolves when the queue is empty. */
  drain(): Promise<void>;
  /** The durable state file content (events left out). */
  file(): ServiceStateFile;
}

/** A rollout with no state, generation `generation`. */
export function freshRollout(id: string, generation: number): Rollout {
  return { id, generation, eventCount: 0, lastWindow: null, state: null, windows: new Map() };
}

function copyOf(rollout: Rollout): Rollout {
  const state = rollout.state ? { ...cloneState({ ...rollout.state, events: [] }), events: rollout.state.events } : null;
  return { ...rollout, state };
}

/** A ledger starting from `loaded` (or empty), writing to `storage` (or memory only). */
export function createRolloutLedger(options: { policy: string; loaded?: LoadedServiceState; storage?: ServiceStorage }): RolloutLedger {
  const { storage } = options;
  let durable = new Map<string, Rollout>();
  for (const [id, { entry, windows }] of options.loaded?.rollouts ?? []) {
    durable.set(id, {
      id,
      generation: entry.generation,
      eventCount: entry.eventCount,
      lastWindow: entry.lastWindow,
      state: entry.state,
      windows,
    });
  }
  let accepted = options.loaded?.file.accepted ?? 0;
  let logBytes = options.loaded?.logBytes ?? 0;
  // A line appended just before a crash (never committed by the state file) is cut first.
  const ready = storage ? storage.cutLog(logBytes) : Promise.resolve();

  function fileOf(rollouts: Map<string, Rollout>, lines: number): ServiceStateFile {
    const entries: ServiceStateFile['rollouts'] = {};
    for (const id of [...rollouts.keys()].sort()) {
      const rollout = rollouts.get(id)!;
      entries[id] = {
        generation: rollout.generation,
        eventCount: rollout.eventCount,
        lastWindow: rollout.lastWindow,
        state: rollout.state ? { ...rollout.state, events: [] } : null,
      };
    }
    return { format: 'rollout-lab-serve-state', version: 2, policy: options.policy, accepted: lines, rollouts: entries };
  }

  interface Pending {
    id: string;
    change: Change;
    resolve: (answer: unknown) => void;
    reject: (error: unknown) => void;
  }
  let pending: Pending[] = [];
  let flushing: Promise<void> | null = null;

  async function flush(): Promise<void> {
    await ready;
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      await applyBatch(batch);
    }
  }

  async function applyBatch(batch: Pending[]): Promise<void> {
    const working = new Map<string, Rollout>();
    // What a failed write must cut back in the shared structures of the durable view.
    const sharedWindowsAdded: [Map<string, CountedWindow>, string][] = [];
    const applied: { item: Pending; answer: unknown; line: EventLogLine | null }[] = [];
    for (const item of batch) {
      let rollout = working.get(item.id);
      if (!rollout) {
        const before = durable.get(item.id);
        rollout = before ? copyOf(before) : freshRollout(item.id, 0);
        working.set(item.id, rollout);
      }
      const undo = copyOf(rollout);
      const eventsLength = rollout.state?.events.length ?? 0;
      const windowsBefore = rollout.windows;
      const windowCount = rollout.windows.size;
      try {
        const { line, answer } = item.change(rollout);
        rollout.eventCount = rollout.state?.events.length ?? 0;
        // A window counted in a map the durable view shares is remembered, to be removed on failure.
        if (rollout.windows === windowsBefore && rollout.windows.size > windowCount && rollout.lastWindow) {
          sharedWindowsAdded.push([rollout.windows, rollout.lastWindow.id]);
        }
        applied.push({ item, answer, line });
      } catch (error) {
        if (rollout.windows === windowsBefore && rollout.windows.size > windowCount && rollout.lastWindow)
          rollout.windows.delete(rollout.lastWindow.id);
        Object.assign(rollout, undo);
        if (rollout.state) rollout.state.events.length = eventsLength;
        item.reject(error);
      }
    }
    if (applied.length === 0) return;
    const lines = applied.filter((entry) => entry.line !== null).map((entry) => JSON.stringify(entry.line) + '\n');
    const next = new Map(durable);
    for (const [id, rollout] of working) next.set(id, rollout);
    if (storage && lines.length > 0) {
      try {
        const added = await storage.appendLog(lines.join(''));
        await storage.writeState(JSON.stringify(fileOf(next, accepted + lines.length)));
        logBytes += added;
      } catch (error) {
        for (const [id] of working) {
          const before = durable.get(id);
          if (before?.state) before.state.events.length = before.eventCount;
        }
        for (const [windows, key] of sharedWindowsAdded) windows.delete(key);
        await storage.cutLog(logBytes).catch(() => undefined);
        const failure = new HttpError(
          500,
          `could not persist the decision (nothing changed): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
        for (const { item } of applied) item.reject(failure);
        return;
      }
    }
    accepted += lines.length;
    durable = next;
    for (const { item, answer } of applied) item.resolve(answer);
  }

  return {
    get: (id) => durable.get(id),
    ids: () => [...durable.keys()].sort(),
    commit(id: string, change: Change): Promise<unknown> {
      return new Promise((resolvePromise, reject) => {
        pending.push({ id, change, resolve: resolvePromise, reject });
        flushing ??= flush().finally(() => {
          flushing = null;
        });
      });
    },
    async drain(): Promise<void> {
      while (flushing) await flushing;
    },
    file: () => fileOf(durable, accepted),
  };
}

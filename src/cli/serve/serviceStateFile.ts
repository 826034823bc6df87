/**
 * The decision service's persistence, in two files:
 * - the STATE file: a versioned JSON document with, per rollout id, the controller state WITHOUT
 *   its event log, the rollout's generation (how many explicit resets), its number of events and
 *   the identity of its last counted window; plus the number of accepted log lines and a
 *   fingerprint of the policy — small, rewritten atomically (temp file + fsync + rename) after
 *   every group of changes;
 * - the EVENT LOG `<state>.events.jsonl`: the audit trail, append-only (each group of lines
 *   fsynced before the state file is replaced), one line per accepted change:
 *   `{ rollout, generation, window?: { id, startTime, hash }, event }` for a decision (a counted
 *   window carries its identity, so duplicates are recognised after a restart),
 *   `{ rollout, generation, event }` for the kill switch, and
 *   `{ rollout, reset: { generation, reason, time } }` for an explicit reset.
 * Rewriting the whole log on every decision would cost O(n) per request (O(n²) per rollout);
 * appending keeps a decision O(1). The state file is the commit point: on start the log is cut
 * back to the state's `accepted` lines (a line appended just before a crash, whose decision was
 * never answered, is dropped), so a restart loses nothing that was acknowledged.
 *
 * Version 1 (one rollout per process; log lines were bare decision events) is read as the
 * rollout `default` and written as version 2 at the next change; its lines stay in the log.
 */
import { readFileSync } from 'node:fs';
import type { ControllerState } from '../../engine/controller/controllerState.ts';
import type { DecisionEvent } from '../../engine/controller/decision.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { defaultRolloutId, isRolloutId } from './rolloutId.ts';
import type { WindowIdentity } from './windowIdentity.ts';

/** The state file's format marker. */
export const serviceStateFormat = 'rollout-lab-serve-state';

/** The version this code writes (it reads 1 and 2). */
export const serviceStateVersion = 2;

/** A counted window: its identity and the index of its decision in the rollout's events. */
export interface CountedWindow extends WindowIdentity {
  eventIndex: number;
}

/** One rollout in the state file. */
export interface RolloutEntry {
  /** Explicit resets of this id so far (0 for a rollout never reset). */
  generation: number;
  /** Events of the current generation (= its lines in the log since its last reset). */
  eventCount: number;
  /** The last counted window of the current generation, or null. */
  lastWindow: CountedWindow | null;
  /** Null until the first window or kill of the generation; `events` empty in the file. */
  state: ControllerState | null;
}

/** What the state file holds (version 2). */
export interface ServiceStateFile {
  format: typeof serviceStateFormat;
  version: typeof serviceStateVersion;
  /** `policyFingerprint(policy)`: a restart with another policy is refused. */
  policy: string;
  /** Lines of the event log that are committed (decisions, kills and resets of every rollout). */
  accepted: number;
  rollouts: Record<string, RolloutEntry>;
}

/** A line of the event log (version 2). */
export type EventLogLine =
  | { rollout: string; generation: number; window?: WindowIdentity; event: DecisionEvent }
  | { rollout: string; reset: { generation: number; reason: string | null; time: number | null } };

/** The event log beside a state file. */
export function eventLogPath(stateFile: string): string {
  return `${stateFile}.events.jsonl`;
}

/** A stable fingerprint of a policy: FNV-1a 32-bit of its JSON with sorted keys (catches a wrong file, not an attacker). */
export function policyFingerprint(policy: Policy): string {
  const canonical = JSON.stringify(policy, (_key, value) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
  let hash = 0x811c9dc5;
  for (let i = 0; i < canonical.length; i++) {
    hash ^= canonical.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `fnv1a32:${hash.toString(16).padStart(8, '0')}`;
}

/** An empty state file for `policy`. */
export function emptyServiceState(policy: Policy): ServiceStateFile {
  return { format: serviceStateFormat, version: serviceStateVersion, policy: policyFingerprint(policy), accepted: 0, rollouts: {} };
}

/** A rollout as loaded: its entry (state's `events` filled from the log) and its counted windows by id. */
export interface LoadedRollout {
  entry: RolloutEntry;
  windows: Map<string, CountedWindow>;
}

/** The loaded persistence. */
export interface LoadedServiceState {
  file: ServiceStateFile;
  rollouts: Map<string, LoadedRollout>;
  /** Bytes of the log that hold the `accepted` lines (anything after is cut on start). */
  logBytes: number;
}

function checkState(stateFile: string, where: string, state: any, policy: Policy): void {
  if (state === null) return;
  if (typeof state !== 'object' || state.version !== 1 || typeof state.stageIndex !== 'number' || typeof state.status !== 'string') {
    throw new Error(`state file '${stateFile}': ${where} is not a controller state (version 1)`);
  }
  if (!(state.stageIndex >= 0 && state.stageIndex < policy.stages.length))
    throw new Error(`state file '${stateFile}': ${where}.stageIndex ${state.stageIndex} is not a stage of the policy`);
}

const wholeNumber = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** The rollouts of a version 1 or 2 document, checked; version 1 becomes the rollout `default`. */
function readRollouts(stateFile: string, json: any, policy: Policy): Record<string, RolloutEntry> {
  if (json.version === 1) {
    checkState(stateFile, 'state', json.state, policy);
    if (json.state === null && json.accepted === 0) return {};
    return { [defaultRolloutId]: { generation: 0, eventCount: json.accepted, lastWindow: null, state: json.state } };
  }
  if (!json.rollouts || typeof json.rollouts !== 'object' || Array.isArray(json.rollouts))
    throw new Error(`state file '${stateFile}': rollouts must be an object`);
  const rollouts: Record<string, RolloutEntry> = {};
  for (const [id, entry] of Object.entries(json.rollouts as Record<string, any>)) {
    const where = `rollouts.${id}`;
    if (!isRolloutId(id)) throw new Error(`state file '${stateFile}': '${id.slice(0, 80)}' is not a rollout id`);
    if (!entry || typeof entry !== 'object') throw new Error(`state file '${stateFile}': ${where} must be an object`);
    if (!wholeNumber(entry.generation)) throw new Error(`state file '${stateFile}': ${where}.generation must be a whole number ≥ 0`);
    if (!wholeNumber(entry.eventCount)) throw new Error(`state file '${stateFile}': ${where}.eventCount must be a whole number ≥ 0`);
    const last = entry.lastWindow;
    if (
      last !== null &&
      (typeof last !== 'object' ||
        typeof last.id !== 'string' ||
        typeof last.hash !== 'string' ||
        !Number.isFinite(last.startTime) ||
        !wholeNumber(last.eventIndex))
    ) {
      throw new Error(`state file '${stateFile}': ${where}.lastWindow must be null or { id, startTime, hash, eventIndex }`);
    }
    checkState(stateFile, `${where}.state`, entry.state, policy);
    rollouts[id] = { generation: entry.generation, eventCount: entry.eventCount, lastWindow: last, state: entry.state };
  }
  return rollouts;
}

/**
 * Reads the state file and its event log: `undefined` when the state file does not exist;
 * throws an `Error` naming the file and the reason when it is not a state of this policy, or the
 * log does not hold the events the state counts. Cost O(log).
 */
export function readServiceState(stateFile: string, policy: Policy): LoadedServiceState | undefined {
  let text: string;
  try {
    text = readFileSync(stateFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read state file '${stateFile}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: any;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`state file '${stateFile}' is not valid JSON: ${(error as Error).message}`);
  }
  if (!json || json.format !== serviceStateFormat || (json.version !== 1 && json.version !== 2)) {
    throw new Error(`state file '${stateFile}' is not a rollout-lab serve state (format '${serviceStateFormat}', version 1 or 2)`);
  }
  if (json.policy !== policyFingerprint(policy)) {
    throw new Error(
      `state file '${stateFile}' belongs to another policy (${json.policy}; this one is ${policyFingerprint(policy)}): use a new --state file`,
    );
  }
  if (!wholeNumber(json.accepted)) throw new Error(`state file '${stateFile}': accepted must be a whole number ≥ 0`);
  const entries = readRollouts(stateFile, json, policy);

  // Replay the committed lines: each rollout's events and counted windows since its last reset.
  const logFile = eventLogPath(stateFile);
  const scanned = new Map<string, { generation: number; events: DecisionEvent[]; windows: Map<string, CountedWindow> }>();
  const scan = (id: string) => {
    let rollout = scanned.get(id);
    if (!rollout) scanned.set(id, (rollout = { generation: 0, events: [], windows: new Map() }));
    return rollout;
  };
  let logBytes = 0;
  if (json.accepted > 0) {
    let log: Buffer;
    try {
      log = readFileSync(logFile);
    } catch (error) {
      throw new Error(`cannot read event log '${logFile}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    let start = 0;
    let lines = 0;
    while (lines < json.accepted) {
      const end = log.indexOf(10, start);
      if (end < 0) break;
      let line: any;
      try {
        line = JSON.parse(log.subarray(start, end).toString('utf8'));
      } catch {
        throw new Error(`event log '${logFile}' line ${lines + 1} is not valid JSON`);
      }
      lines += 1;
      start = end + 1;
      if (line && typeof line.rollout === 'string') {
        const rollout = scan(line.rollout);
        if (line.reset) {
          rollout.generation = line.reset.generation;
          rollout.events = [];
          rollout.windows = new Map();
        } else {
          if (line.window) rollout.windows.set(line.window.id, { ...line.window, eventIndex: rollout.events.length });
          rollout.events.push(line.event as DecisionEvent);
        }
      } else {
        scan(defaultRolloutId).events.push(line as DecisionEvent); // a version 1 line
      }
    }
    if (lines < json.accepted) throw new Error(`event log '${logFile}' holds ${lines} events but the state accepted ${json.accepted}`);
    logBytes = start;
  }
  const rollouts = new Map<string, LoadedRollout>();
  for (const [id, entry] of Object.entries(entries)) {
    const found = scanned.get(id) ?? { generation: 0, events: [], windows: new Map<string, CountedWindow>() };
    if (found.generation !== entry.generation || found.events.length !== entry.eventCount) {
      throw new Error(
        `event log '${logFile}' disagrees with the state file on rollout '${id}': the log holds generation ${found.generation} with ${found.events.length} events, the state generation ${entry.generation} with ${entry.eventCount}`,
      );
    }
    if (entry.state) entry.state.events = found.events;
    rollouts.set(id, { entry, windows: found.windows });
    scanned.delete(id);
  }
  for (const id of scanned.keys())
    throw new Error(`event log '${logFile}' holds events of rollout '${id}', which the state file does not know`);
  const file: ServiceStateFile = {
    format: serviceStateFormat,
    version: serviceStateVersion,
    policy: json.policy,
    accepted: json.accepted,
    rollouts: entries,
  };
  return { file, rollouts, logBytes };
}

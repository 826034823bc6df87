/**
 * The decision service's persistence, in two files:
 * - the STATE file: a versioned JSON document with the controller state WITHOUT its event log,
 *   the number of accepted requests and a fingerprint of the policy — small, rewritten
 *   atomically (temp file + fsync + rename) after every decision;
 * - the EVENT LOG `<state>.events.jsonl`: the audit trail, one decision event per line,
 *   append-only (each line fsynced before the state file is replaced).
 * Rewriting the whole log on every decision would cost O(n) per request (O(n²) per rollout);
 * appending keeps a decision O(1). The state file is the commit point: on start the log is cut
 * back to the state's `accepted` lines (a line appended just before a crash, whose decision was
 * never answered, is dropped), so a restart loses nothing that was acknowledged.
 */
import { readFileSync } from 'node:fs';
import type { ControllerState } from '../../engine/controller/controllerState.ts';
import type { DecisionEvent } from '../../engine/controller/decision.ts';
import type { Policy } from '../../engine/policy/policy.ts';

/** The state file's format marker. */
export const serviceStateFormat = 'rollout-lab-serve-state';

/** What the state file holds. `state` (its `events` empty: they live in the log) is null until the first request. */
export interface ServiceStateFile {
  format: typeof serviceStateFormat;
  version: 1;
  /** `policyFingerprint(policy)`: a restart with another policy is refused. */
  policy: string;
  /** Requests that changed the state (decide and kill) = lines of the event log. */
  accepted: number;
  state: ControllerState | null;
}

/** The event log beside a state file. */
export function eventLogPath(stateFile: string): string {
  return `${stateFile}.events.jsonl`;
}

/** A stable fingerprint of a policy: FNV-1a 32-bit of its JSON with sorted keys (catches a wrong file, not an attacker). */
export function policyFingerprint(policy: Policy): string {
  const canonical = JSON.stringify(policy, (_key, value) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value,
  );
  let hash = 0x811c9dc5;
  for (let i = 0; i < canonical.length; i++) {
    hash ^= canonical.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `fnv1a32:${hash.toString(16).padStart(8, '0')}`;
}

/** The loaded persistence: the state file (its state's `events` filled from the log) and the log's byte length to keep. */
export interface LoadedServiceState {
  file: ServiceStateFile;
  /** Bytes of the log that hold the `accepted` events (anything after is cut on start). */
  logBytes: number;
}

/**
 * Reads the state file and its event log: `undefined` when the state file does not exist;
 * throws an `Error` naming the file and the reason when it is not a state of this policy or
 * the log holds fewer events than the state accepted.
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
  if (!json || json.format !== serviceStateFormat || json.version !== 1) {
    throw new Error(`state file '${stateFile}' is not a rollout-lab serve state (format '${serviceStateFormat}', version 1)`);
  }
  if (json.policy !== policyFingerprint(policy)) {
    throw new Error(`state file '${stateFile}' belongs to another policy (${json.policy}; this one is ${policyFingerprint(policy)}): use a new --state file`);
  }
  if (!Number.isSafeInteger(json.accepted) || json.accepted < 0) throw new Error(`state file '${stateFile}': accepted must be a whole number ≥ 0`);
  const state = json.state;
  if (state !== null) {
    if (typeof state !== 'object' || state.version !== 1 || typeof state.stageIndex !== 'number' || typeof state.status !== 'string') {
      throw new Error(`state file '${stateFile}': state is not a controller state (version 1)`);
    }
    if (!(state.stageIndex >= 0 && state.stageIndex < policy.stages.length)) throw new Error(`state file '${stateFile}': state.stageIndex ${state.stageIndex} is not a stage of the policy`);
  }
  const events: DecisionEvent[] = [];
  let logBytes = 0;
  if (json.accepted > 0) {
    let log: Buffer;
    try {
      log = readFileSync(eventLogPath(stateFile));
    } catch (error) {
      throw new Error(`cannot read event log '${eventLogPath(stateFile)}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    let start = 0;
    while (events.length < json.accepted) {
      const end = log.indexOf(10, start);
      if (end < 0) break;
      try {
        events.push(JSON.parse(log.subarray(start, end).toString('utf8')) as DecisionEvent);
      } catch {
        throw new Error(`event log '${eventLogPath(stateFile)}' line ${events.length + 1} is not valid JSON`);
      }
      start = end + 1;
    }
    if (events.length < json.accepted) {
      throw new Error(`event log '${eventLogPath(stateFile)}' holds ${events.length} events but the state accepted ${json.accepted}`);
    }
    logBytes = start;
  }
  if (state !== null) state.events = events;
  return { file: json as ServiceStateFile, logBytes };
}

/**
 * The decision service's event store: the rollouts and the one queue of their changes
 * (rolloutLedger.ts), persisted as an fsync'd append-only event log beside a state file
 * (serviceStateFile.ts, serviceStorage.ts) — or in memory only, without a state file. Opening
 * it resumes from the files, refusing a state written for another policy.
 */
import type { Policy } from '../../engine/policy/policy.ts';
import type { RolloutLedger } from './rolloutLedger.ts';
import { createRolloutLedger } from './rolloutLedger.ts';
import { policyFingerprint, readServiceState } from './serviceStateFile.ts';
import type { ServiceStorage } from './serviceStorage.ts';
import { fileStorage } from './serviceStorage.ts';

/**
 * The event store of a service for `policy`: resumed from `stateFile` when it exists (throws an
 * `Error` naming the file when it is not a state of this policy), written through `storage`
 * (default: the files themselves).
 */
export function openEventStore(options: { policy: Policy; stateFile?: string; storage?: ServiceStorage }): RolloutLedger {
  const { policy, stateFile } = options;
  const loaded = stateFile ? readServiceState(stateFile, policy) : undefined;
  const storage = options.storage ?? (stateFile ? fileStorage(stateFile) : undefined);
  return createRolloutLedger({ policy: policyFingerprint(policy), loaded, storage });
}

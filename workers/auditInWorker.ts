/**
 * The app's audit in dedicated Web Workers (`audit.worker.ts`), one per call: aborting the signal
 * — a newer edit superseding this one — terminates the worker at once (real cancellation: the
 * exact chains and the tuner cannot be interrupted otherwise) and rejects with an `AbortError`;
 * bad options are rejected as a `RangeError` carrying the library's message.
 */
import type { RolloutAudit } from '../src/sim/audit/index.ts';
import type { AuditEndpoint, AuditRequest, AuditTuning } from './auditEndpoint.ts';
import type { WorkerTaskContext } from './callInWorker.ts';
import { callInWorker } from './callInWorker.ts';

export type { AuditChange, AuditRequest, AuditTuning } from './auditEndpoint.ts';

/** The imported policy's audit, stage by stage, in a worker. */
export function auditInWorker(request: AuditRequest, context: WorkerTaskContext): Promise<RolloutAudit> {
  return callInWorker<AuditEndpoint, RolloutAudit>(
    'audit',
    // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle the worker.
    () => new Worker(new URL('./audit.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-audit' }),
    (remote) => remote.audit(request) as Promise<RolloutAudit>,
    context,
  );
}

/** The tuned replacement, written back into the user's files, in a worker (progress: the tuner's replicates). */
export function auditTuneInWorker(request: AuditRequest, context: WorkerTaskContext): Promise<AuditTuning> {
  return callInWorker<AuditEndpoint, AuditTuning>(
    'audit tuning',
    () => new Worker(new URL('./audit.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-audit-tuning' }),
    (remote, onProgress) => remote.tune(request, onProgress) as Promise<AuditTuning>,
    context,
  );
}

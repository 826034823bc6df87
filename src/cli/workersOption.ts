/**
 * `--workers N` of the simulating commands: how many worker threads run the replicates.
 * Results do not depend on it (DESIGN.md §4), only the wall time does.
 */
import { availableParallelism } from 'node:os';
import { numberOption } from './args.ts';

/** Runs with at least this many replicates use worker threads unless --workers says otherwise. */
const WORKER_THRESHOLD = 2000;

/**
 * `--workers` of a command whose run simulates up to `plannedReplicates` replicates: the
 * machine's parallelism for large runs (results do not depend on it, only the wall time does),
 * one thread for small ones, where starting workers costs more than it saves.
 */
export function workersOption(args: Parameters<typeof numberOption>[0], plannedReplicates: number): number {
  return numberOption(args, 'workers', {
    default: plannedReplicates >= WORKER_THRESHOLD ? availableParallelism() : 1,
    min: 1,
    max: 256,
    integer: true,
  });
}

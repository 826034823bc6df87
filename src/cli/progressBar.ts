/**
 * The replicate progress bar the simulating commands (`simulate`, `sweep`, `tune`, `replay`)
 * draw on stderr.
 */

import type { ProgressCallback } from '../sim/runner.ts';
import type { CliIo } from './io.ts';

/** A progress bar on stderr, or nothing when stderr is not a terminal and --progress is absent. */
export function progressBar(io: CliIo, enabled: boolean): ProgressCallback | undefined {
  if (!enabled) return undefined;
  return (done, total) => {
    const width = 30;
    const filled = Math.round((width * done) / total);
    io.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} replicates${done === total ? '\n' : ''}`);
  };
}

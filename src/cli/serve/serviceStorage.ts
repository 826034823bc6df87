/**
 * Where the decision service writes (serviceStateFile.ts describes the two files): append to the
 * event log and fsync, replace the state file atomically, cut the log back after a failed group.
 * An interface so that a test can hold a write in flight and check that nothing is visible
 * before it is durable.
 */
import { open, truncate } from 'node:fs/promises';
import { writeFileAtomicAsync } from '../atomicWrite.ts';
import { eventLogPath } from './serviceStateFile.ts';

/** The service's durable storage. */
export interface ServiceStorage {
  /** Appends `text` to the event log and fsyncs it; resolves with the bytes appended. */
  appendLog(text: string): Promise<number>;
  /** Replaces the state file with `text` atomically (temp file + fsync + rename). */
  writeState(text: string): Promise<void>;
  /** Cuts the event log back to `bytes` (a missing log is fine). */
  cutLog(bytes: number): Promise<void>;
}

/** The storage of `stateFile` and its event log beside it. */
export function fileStorage(stateFile: string): ServiceStorage {
  const logFile = eventLogPath(stateFile);
  return {
    async appendLog(text: string): Promise<number> {
      const handle = await open(logFile, 'a', 0o644);
      try {
        const bytes = Buffer.from(text, 'utf8');
        await handle.write(bytes);
        await handle.sync();
        return bytes.length;
      } finally {
        await handle.close();
      }
    },
    writeState(text: string): Promise<void> {
      return writeFileAtomicAsync(stateFile, text);
    },
    async cutLog(bytes: number): Promise<void> {
      await truncate(logFile, bytes).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
  };
}

/**
 * The page's side of the log-import worker (`logImport.worker.ts`, a Comlink endpoint holding the
 * parsed log). `import` starts a fresh worker (ending the previous one and the log it held),
 * streams the file through the parser there and resolves with the report and summary; aborting
 * terminates the worker at once. `replay` runs replays of the log the worker holds; aborting asks
 * the worker to stop between bootstrap series (the log stays, so the user can replay again
 * without re-importing).
 */

import type { Remote } from 'comlink';
import { proxy, wrap } from 'comlink';
import type { ImportSettings } from '../src/sim/replay/importSettings.ts';
import type { RequestReplayResult } from '../src/sim/replay/replayReport.ts';
import { abortError, isAbortError } from './callInWorker.ts';
import type { ImportedLog, ImportProgress, LogImportEndpoint, ReplayRequest } from './logImportEndpoint.ts';

export type { GroupSummaryData, ImportedLog, ImportProgress, LogSummaryData, ReplayRequest } from './logImportEndpoint.ts';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A Comlink error whose original was an AbortError (the worker's cancelled replay). */
function wasAborted(error: unknown): boolean {
  return isAbortError(error) || (error instanceof Error && error.name === 'AbortError');
}

/** The page's handle on the log held in a worker. */
export class LogImportClient {
  private worker: Worker | undefined;
  private remote: Remote<LogImportEndpoint> | undefined;
  private nextId = 1;

  /** Imports `file` with these settings; `onProgress` sees bytes and rows as they are read. */
  async import(
    file: Blob,
    fileName: string,
    settings: ImportSettings,
    signal: AbortSignal,
    onProgress: (progress: ImportProgress) => void,
  ): Promise<ImportedLog> {
    this.dispose();
    if (signal.aborted) throw abortError('import');
    // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle the worker.
    const worker = new Worker(new URL('./logImport.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-log-import' });
    const remote = wrap<LogImportEndpoint>(worker);
    this.worker = worker;
    this.remote = remote;
    let stop: () => void = () => undefined;
    const stopped = new Promise<never>((_, reject) => {
      stop = () => {
        if (this.worker === worker) this.dispose();
        reject(abortError('import'));
      };
      signal.addEventListener('abort', stop, { once: true });
      worker.addEventListener(
        'error',
        (event) => reject(new Error(`log-import worker failed: ${event.message || 'it did not load or crashed'}`)),
        { once: true },
      );
    });
    const imported = remote.importLog(file, fileName, settings, proxy(onProgress));
    try {
      return await Promise.race([imported.catch((error: unknown) => Promise.reject(new RangeError(messageOf(error)))), stopped]);
    } catch (error) {
      // A failed import (the user's file, as an input error — or a crashed worker) ends the worker.
      if (!isAbortError(error) && this.worker === worker) this.dispose();
      throw error;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  /** Replays the imported log; rejects with a RangeError for bad input, an AbortError when cancelled. */
  async replay(request: ReplayRequest, signal: AbortSignal, onProgress: (fraction: number) => void): Promise<RequestReplayResult> {
    const remote = this.remote;
    if (!remote) throw new RangeError('import a log first');
    if (signal.aborted) throw abortError('replay');
    const id = this.nextId++;
    let stop: () => void = () => undefined;
    const stopped = new Promise<never>((_, reject) => {
      stop = () => {
        void remote.cancelReplay(id);
        reject(abortError('replay'));
      };
      signal.addEventListener('abort', stop, { once: true });
    });
    try {
      const call = remote.replay(
        id,
        request,
        proxy((done: number, total: number) => {
          if (!signal.aborted) onProgress(done / total);
        }),
      );
      // A replay cancelled after the page stopped waiting must not be an unhandled rejection.
      call.catch(() => undefined);
      return await Promise.race([call, stopped]);
    } catch (error) {
      if (wasAborted(error)) throw abortError('replay');
      // The worker's errors are about the log or the request (the former worker sent them all as input errors).
      throw isAbortError(error) ? error : new RangeError(messageOf(error));
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  /** Ends the worker and forgets the log it held. */
  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.remote = undefined;
  }
}

import type { Policy } from '../../engine/policy/policy.ts';
import type { Injection } from '../../sim/replay/injection.ts';
import type { GroupSummary, LogSummary } from '../../sim/replay/logSummary.ts';
import type { ParseReport } from '../../sim/replay/parseLog.ts';
import type { RequestReplayResult } from '../../sim/replay/replayReport.ts';
import type { ImportSettings } from '../replay/replayState.ts';

/** A group summary without its latency sketch (a class instance that does not cross to the page). */
export type GroupSummaryData = Omit<GroupSummary, 'sketch'>;

/** `LogSummary` as plain data. */
export interface LogSummaryData extends Omit<LogSummary, 'overall' | 'byModel' | 'bySegment'> {
  overall: GroupSummaryData;
  byModel: GroupSummaryData[];
  bySegment: GroupSummaryData[];
}

/** Progress of an import. */
export interface ImportProgress {
  bytes: number;
  totalBytes: number;
  rowsRead: number;
  rowsRejected: number;
}

/** What an import produced: the parse report and the summary (the columns stay in the worker). */
export interface ImportedLog {
  fileName: string;
  totalBytes: number;
  rows: number;
  report: ParseReport;
  summary: LogSummaryData;
  /** Milliseconds the import took in the worker. */
  milliseconds: number;
}

/**
 * A replay request: the policy, the injected regression (none: only the healthy world runs) and
 * the CLI's `--replicates` and `--seed`. One replay gives the healthy and the regressed world,
 * paired on the same traffic (`replayRequests`, src/sim/replay/replayRequests.ts).
 */
export interface ReplayRequest {
  policy: Policy;
  injections: Injection[];
  replicates: number;
  seed: number | string;
  /** Replay a log shorter than the rollout by reusing its blocks (the CLI's `--allow-wrap`). */
  allowShorterLog: boolean;
}

/** Messages to the worker. */
export type LogImportRequest =
  | { type: 'import'; file: Blob; fileName: string; settings: ImportSettings }
  | { type: 'replay'; id: number; request: ReplayRequest }
  | { type: 'cancel-replay'; id: number };

/** Messages from the worker. */
export type LogImportResponse =
  | { type: 'import-progress'; progress: ImportProgress }
  | { type: 'imported'; log: ImportedLog }
  | { type: 'import-failed'; message: string }
  | { type: 'replay-progress'; id: number; done: number; total: number }
  | { type: 'replayed'; id: number; result: RequestReplayResult }
  | { type: 'replay-failed'; id: number; message: string; cancelled: boolean };

function abortError(what: string): DOMException {
  return new DOMException(`${what} cancelled`, 'AbortError');
}

/**
 * The page's side of the log-import worker (`logImport.worker.ts`). `import` starts a fresh
 * worker (ending the previous one and the log it held), streams the file through the parser
 * there and resolves with the report and summary; aborting terminates the worker at once.
 * `replay` runs replays of the log the worker holds; aborting asks the worker to stop between
 * bootstrap series (the log stays, so the user can replay again without re-importing).
 */
export class LogImportClient {
  private worker: Worker | undefined;
  private nextId = 1;

  /** Imports `file` with these settings; `onProgress` sees bytes and rows as they are read. */
  import(file: Blob, fileName: string, settings: ImportSettings, signal: AbortSignal, onProgress: (progress: ImportProgress) => void): Promise<ImportedLog> {
    this.dispose();
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(abortError('import'));
        return;
      }
      const worker = new Worker(new URL('./logImport.worker.ts', import.meta.url), { type: 'module' });
      this.worker = worker;
      const stop = () => {
        if (this.worker === worker) this.dispose();
        reject(abortError('import'));
      };
      signal.addEventListener('abort', stop, { once: true });
      worker.onmessage = (event: MessageEvent<LogImportResponse>) => {
        const message = event.data;
        if (message.type === 'import-progress') onProgress(message.progress);
        else if (message.type === 'imported') {
          signal.removeEventListener('abort', stop);
          resolve(message.log);
        } else if (message.type === 'import-failed') {
          signal.removeEventListener('abort', stop);
          if (this.worker === worker) this.dispose();
          reject(new RangeError(message.message));
        }
      };
      worker.onerror = (event) => {
        signal.removeEventListener('abort', stop);
        if (this.worker === worker) this.dispose();
        reject(new Error(`log-import worker failed: ${event.message}`));
      };
      const request: LogImportRequest = { type: 'import', file, fileName, settings };
      worker.postMessage(request);
    });
  }

  /** Replays the imported log; rejects with a RangeError for bad input, an AbortError when cancelled. */
  replay(request: ReplayRequest, signal: AbortSignal, onProgress: (fraction: number) => void): Promise<RequestReplayResult> {
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      if (!worker) {
        reject(new RangeError('import a log first'));
        return;
      }
      if (signal.aborted) {
        reject(abortError('replay'));
        return;
      }
      const id = this.nextId++;
      const finish = () => {
        signal.removeEventListener('abort', stop);
        worker.removeEventListener('message', listen);
      };
      const stop = () => {
        finish();
        const cancel: LogImportRequest = { type: 'cancel-replay', id };
        worker.postMessage(cancel);
        reject(abortError('replay'));
      };
      const listen = (event: MessageEvent<LogImportResponse>) => {
        const message = event.data;
        if (!('id' in message) || message.id !== id) return;
        if (message.type === 'replay-progress') onProgress(message.done / message.total);
        else if (message.type === 'replayed') {
          finish();
          resolve(message.result);
        } else if (message.type === 'replay-failed') {
          finish();
          reject(message.cancelled ? abortError('replay') : new RangeError(message.message));
        }
      };
      signal.addEventListener('abort', stop, { once: true });
      worker.addEventListener('message', listen);
      const post: LogImportRequest = { type: 'replay', id, request };
      worker.postMessage(post);
    });
  }

  /** Ends the worker and forgets the log it held. */
  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }
}

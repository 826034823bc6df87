/**
 * The log importer's endpoint (served over Comlink by `logImport.worker.ts`), so that the page
 * never freezes: the file is streamed (`Blob.stream()`, chunk by chunk, decoded as UTF-8) through
 * `LogParser`, with progress in bytes and rows; the parsed columns (typed arrays: a million rows
 * are about 20 MB) stay in the worker, and replays run there against them — nothing is copied to
 * the page but the report, the summary and the replay results. A replay stops between bootstrap
 * series when the page calls `cancelReplay`; an import is cancelled by terminating the worker.
 * It keeps its own streaming parser (not the app's tabular import path) because a log is parsed
 * in chunks into typed columns that never reach the page.
 */

import type { Policy } from '../src/engine/policy/policy.ts';
import { checkErrorDefinition } from '../src/sim/replay/errorDefinition.ts';
import { DEFAULT_ERROR_RULE, parseErrorRule } from '../src/sim/replay/errorRule.ts';
import type { ImportSettings } from '../src/sim/replay/importSettings.ts';
import type { Injection } from '../src/sim/replay/injection.ts';
import type { GroupSummary, LogSummary } from '../src/sim/replay/logSummary.ts';
import { summarizeLog } from '../src/sim/replay/logSummary.ts';
import type { ParsedLog, ParseProgress, ParseReport } from '../src/sim/replay/parseLog.ts';
import { LogParser } from '../src/sim/replay/parseLog.ts';
import type { RequestReplayResult } from '../src/sim/replay/replayReport.ts';
import { replayRequestsInSteps } from './replayInSteps.ts';

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

/** What the log-import worker serves. */
export interface LogImportEndpoint {
  /** Imports `file` (replacing the log held); `onProgress` sees bytes and rows, at most every 50 ms and at the end. */
  importLog(file: Blob, fileName: string, settings: ImportSettings, onProgress: (progress: ImportProgress) => void): Promise<ImportedLog>;
  /**
   * Replays the log held, as `rollout-lab replay` does; `onProgress(done, total)` at most every
   * 50 ms. Rejects with a RangeError for bad input (no log, an error rule matching no row or every
   * row) and with an AbortError once `cancelReplay(id)` was called.
   */
  replay(id: number, request: ReplayRequest, onProgress: (done: number, total: number) => void): Promise<RequestReplayResult>;
  /** Stops replay `id` between two bootstrap series. */
  cancelReplay(id: number): void;
}

/** Progress reports are sent at most this often (ms), plus once at the end. */
const PROGRESS_INTERVAL = 50;

function withoutSketch(group: GroupSummary): GroupSummaryData {
  const { sketch: _sketch, ...rest } = group;
  return rest;
}

/** Lets queued messages (a cancel) in between two steps of a replay. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A fresh endpoint holding no log. */
export function createLogImportEndpoint(): LogImportEndpoint {
  let log: ParsedLog | undefined;
  const cancelled = new Set<number>();
  return {
    async importLog(file, fileName, settings, onProgress) {
      const started = performance.now();
      let counts: ParseProgress = { characters: 0, bytes: 0, rowsRead: 0, rowsAccepted: 0, rowsRejected: 0 };
      const errorRule = settings.errorWhen === '' ? DEFAULT_ERROR_RULE : parseErrorRule(settings.errorWhen);
      const parser = new LogParser({
        mapping: settings.mapping,
        latencyUnit: settings.latencyUnit,
        errorRule,
        progressEvery: 4096,
        onProgress: (progress) => {
          counts = progress;
        },
      });
      const totalBytes = file.size;
      let bytes = 0;
      let lastSent = 0;
      const progress = (): ImportProgress => ({ bytes, totalBytes, rowsRead: counts.rowsRead, rowsRejected: counts.rowsRejected });
      const decoder = new TextDecoder('utf-8');
      const reader = file.stream().getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }), value.byteLength);
        bytes += value.byteLength;
        const now = performance.now();
        if (now - lastSent >= PROGRESS_INTERVAL) {
          lastSent = now;
          void onProgress(progress());
        }
      }
      parser.push(decoder.decode());
      log = parser.finish();
      counts = { ...counts, rowsRead: log.report.rowsRead, rowsRejected: log.report.rowsRejected };
      void onProgress(progress());
      const summary = summarizeLog(log);
      return {
        fileName,
        totalBytes,
        rows: log.rows,
        report: log.report,
        summary: {
          ...summary,
          overall: withoutSketch(summary.overall),
          byModel: summary.byModel.map(withoutSketch),
          bySegment: summary.bySegment.map(withoutSketch),
        },
        milliseconds: performance.now() - started,
      };
    },

    async replay(id, request, onProgress) {
      try {
        if (!log) throw new RangeError('import a log first');
        const parsed = log;
        checkErrorDefinition(parsed);
        const controller = new AbortController();
        let lastSent = 0;
        const check = async () => {
          await pause();
          if (cancelled.has(id)) controller.abort();
        };
        return await replayRequestsInSteps(
          parsed,
          request.policy,
          {
            replicates: request.replicates,
            seed: request.seed,
            injections: request.injections,
            allowShorterLog: request.allowShorterLog,
            onProgress: (done, total) => {
              const now = performance.now();
              if (now - lastSent < PROGRESS_INTERVAL && done < total) return;
              lastSent = now;
              void onProgress(done, total);
            },
          },
          check,
          controller.signal,
        );
      } finally {
        cancelled.delete(id);
      }
    },

    cancelReplay(id) {
      cancelled.add(id);
    },
  };
}

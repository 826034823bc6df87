/**
 * Web Worker that imports a request log and replays it, so that the page never freezes: the file
 * is streamed (`Blob.stream()`, chunk by chunk, decoded as UTF-8) through `LogParser`, with
 * progress in bytes and rows; the parsed columns (typed arrays: a million rows are about 20 MB)
 * stay here, and replays run here against them — nothing is copied to the page but the report,
 * the summary and the replay results. A replay stops between bootstrap series when the page
 * sends `cancel-replay`; an import is cancelled by terminating the worker.
 */
import { checkErrorDefinition } from '../../sim/replay/errorDefinition.ts';
import { DEFAULT_ERROR_RULE, parseErrorRule } from '../../sim/replay/errorRule.ts';
import { summarizeLog } from '../../sim/replay/logSummary.ts';
import type { GroupSummary } from '../../sim/replay/logSummary.ts';
import { LogParser } from '../../sim/replay/parseLog.ts';
import type { ParsedLog, ParseProgress } from '../../sim/replay/parseLog.ts';
import { replayRequestsInSteps } from '../replay/replayInSteps.ts';
import type { GroupSummaryData, ImportProgress, LogImportRequest, LogImportResponse, ReplayRequest } from './logImportClient.ts';

let log: ParsedLog | undefined;
const cancelled = new Set<number>();
/** Progress messages are sent at most this often (ms), plus once at the end. */
const PROGRESS_INTERVAL = 50;

function send(message: LogImportResponse): void {
  self.postMessage(message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withoutSketch(group: GroupSummary): GroupSummaryData {
  const { sketch: _sketch, ...rest } = group;
  return rest;
}

async function importLog(request: Extract<LogImportRequest, { type: 'import' }>): Promise<void> {
  const started = performance.now();
  const { file, fileName, settings } = request;
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
      send({ type: 'import-progress', progress: progress() });
    }
  }
  parser.push(decoder.decode());
  log = parser.finish();
  counts = { ...counts, rowsRead: log.report.rowsRead, rowsRejected: log.report.rowsRejected };
  send({ type: 'import-progress', progress: progress() });
  const summary = summarizeLog(log);
  send({
    type: 'imported',
    log: {
      fileName,
      totalBytes,
      rows: log.rows,
      report: log.report,
      summary: { ...summary, overall: withoutSketch(summary.overall), byModel: summary.byModel.map(withoutSketch), bySegment: summary.bySegment.map(withoutSketch) },
      milliseconds: performance.now() - started,
    },
  });
}

/** Lets queued messages (a cancel) in between two steps of a replay. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Replays the imported log as `rollout-lab replay` does: the error definition is checked first (a
 * rule that matches no row or every row is refused with the CLI's message), then the healthy and
 * regressed worlds run paired, with a pause between chunks of replicates for a cancel.
 */
async function replay(id: number, request: ReplayRequest): Promise<void> {
  if (!log) throw new RangeError('import a log first');
  const parsed = log;
  checkErrorDefinition(parsed);
  const controller = new AbortController();
  let lastSent = 0;
  const check = async () => {
    await pause();
    if (cancelled.has(id)) controller.abort();
  };
  const result = await replayRequestsInSteps(
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
        send({ type: 'replay-progress', id, done, total });
      },
    },
    check,
    controller.signal,
  );
  send({ type: 'replayed', id, result });
}

self.onmessage = (event: MessageEvent<LogImportRequest>) => {
  const message = event.data;
  if (message.type === 'import') {
    importLog(message).catch((error: unknown) => send({ type: 'import-failed', message: messageOf(error) }));
  } else if (message.type === 'replay') {
    replay(message.id, message.request)
      .catch((error: unknown) =>
        send({ type: 'replay-failed', id: message.id, message: messageOf(error), cancelled: error instanceof DOMException && error.name === 'AbortError' }),
      )
      .finally(() => cancelled.delete(message.id));
  } else if (message.type === 'cancel-replay') {
    cancelled.add(message.id);
  }
};

/**
 * Sharded runs: `simulate` and `sweep` with `--shard k/N --out PART.json` run only their share
 * of the replicates and write a PARTIAL RESULT; `rollout-lab merge PART.json…` combines the
 * parts into exactly the result of the unsharded run.
 *
 * Why it is exact: replicate i of seed s draws from its own stream `streamFor(s, i)` whatever
 * process runs it (DESIGN.md §4), and the summary state is a reducer of integer counts, exact
 * sums and a histogram (`src/sim/summary.ts`), whose merge is exact and order-free — so the
 * merged state equals the state of one process running replicates 0…n−1.
 *
 * Shards are numbered from 0 (`k` in 0…N−1), like a Kubernetes Indexed Job's
 * `JOB_COMPLETION_INDEX`, and take contiguous, balanced replicate ranges
 * `[⌊k·n/N⌋, ⌊(k+1)·n/N⌋)`.
 */
import { UsageError } from './args.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import type { SummaryState } from '../sim/summary.ts';
import { initSummary, mergeSummaries } from '../sim/summary.ts';

/** One shard of N. */
export interface Shard {
  /** 0 … count − 1. */
  index: number;
  count: number;
}

/** Most shards a run may be split into. */
export const maxShards = 100_000;

/** Parses `k/N` (0 ≤ k < N ≤ 100000), throwing a `UsageError` naming `--shard`. */
export function parseShard(text: string, label = '--shard'): Shard {
  const match = /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(text);
  if (!match) throw new UsageError(`${label} must be k/N with shards numbered from 0 (e.g. 0/8), got '${text}'`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > maxShards) throw new UsageError(`${label}: N must be between 1 and ${maxShards}, got ${count}`);
  if (index >= count) throw new UsageError(`${label}: k must be between 0 and N−1 = ${count - 1} (shards are numbered from 0), got ${index}`);
  return { index, count };
}

/** The replicates `[from, to)` of `shard` out of `total` (contiguous, sizes differ by at most one). */
export function shardRange(total: number, shard: Shard): { from: number; to: number } {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`total must be a whole number ≥ 0, got ${total}`);
  // BigInt keeps k·n exact beyond 2^53 for huge runs.
  const from = Number((BigInt(shard.index) * BigInt(total)) / BigInt(shard.count));
  const to = Number((BigInt(shard.index + 1) * BigInt(total)) / BigInt(shard.count));
  return { from, to };
}

/** The partial-result file's format marker. */
export const partialResultFormat = 'rollout-lab-partial';

/** One summarised cell of a run: the single result of `simulate`, or one point of a `sweep`. */
export interface PartialCell {
  /** Identifies the cell across shards (`""` for simulate; e.g. `minRequests=100` for a sweep point). */
  key: string;
  /** Fields printed beside the cell's summary (a sweep point's parameters). */
  label: Record<string, unknown>;
  state: SummaryState;
}

/**
 * A partial result, version 1. `request` holds everything that defines the run and must be
 * identical in every part (command options, seed, replicate total, scenario and policy
 * fingerprints); `output` the fields the unsharded command prints before the summary.
 */
export interface PartialResult {
  format: typeof partialResultFormat;
  version: 1;
  command: 'simulate' | 'sweep';
  /** `replicates` per scenario; `scenariosPerCell` (default 1): a sweep pools several scenarios per cell. */
  request: Record<string, unknown> & { replicates: number; scenariosPerCell?: number };
  output: Record<string, unknown>;
  shard: Shard & { from: number; to: number };
  cells: PartialCell[];
}

/** Builds the partial result of one shard (what `simulate --shard k/N --out PART.json` writes). */
export function partialResult(
  command: PartialResult['command'],
  request: PartialResult['request'],
  output: Record<string, unknown>,
  shard: Shard,
  cells: PartialCell[],
): PartialResult {
  const range = shardRange(request.replicates, shard);
  const expected = (range.to - range.from) * (request.scenariosPerCell ?? 1);
  for (const cell of cells) {
    if (cell.state.replicates !== expected) {
      throw new RangeError(`cell '${cell.key}' holds ${cell.state.replicates} replicates, but shard ${shard.index}/${shard.count} of ${request.replicates} covers ${expected}`);
    }
  }
  return { format: partialResultFormat, version: 1, command, request, output, shard: { ...shard, ...range }, cells };
}

const summaryKeys = Object.keys(initSummary()) as (keyof SummaryState)[];

function checkState(value: unknown, where: string): SummaryState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${where} must be a summary state object`);
  const state = value as Record<string, unknown>;
  for (const key of summaryKeys) {
    if (key === 'detectionTimes') {
      const histogram = state[key];
      if (typeof histogram !== 'object' || histogram === null || Array.isArray(histogram)) throw new UsageError(`${where}.detectionTimes must be an object of time → count`);
      for (const [time, count] of Object.entries(histogram)) {
        if (!Number.isFinite(Number(time)) || !Number.isSafeInteger(count) || (count as number) < 0) throw new UsageError(`${where}.detectionTimes['${time}'] must be a whole count, got ${JSON.stringify(count)}`);
      }
    } else if (typeof state[key] !== 'number' || !Number.isFinite(state[key])) {
      throw new UsageError(`${where}.${key} must be a finite number, got ${JSON.stringify(state[key])}`);
    }
  }
  for (const key of Object.keys(state)) if (!summaryKeys.includes(key as keyof SummaryState)) throw new UsageError(`${where}.${key}: unknown field '${key}'`);
  return state as unknown as SummaryState;
}

/** Checks a loose JSON value as a partial result, throwing a `UsageError` that names `file` and the field. */
export function parsePartialResult(json: unknown, file: string): PartialResult {
  const where = (path: string) => `${file}: ${path}`;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`${file} is not a partial result (expected a JSON object)`);
  const part = json as Record<string, any>;
  if (part.format !== partialResultFormat) throw new UsageError(where(`format must be '${partialResultFormat}', got ${JSON.stringify(part.format)}`));
  if (part.version !== 1) throw new UsageError(where(`version must be 1, got ${JSON.stringify(part.version)}`));
  if (part.command !== 'simulate' && part.command !== 'sweep') throw new UsageError(where(`command must be 'simulate' or 'sweep', got ${JSON.stringify(part.command)}`));
  if (typeof part.request !== 'object' || part.request === null || !Number.isSafeInteger(part.request.replicates) || part.request.replicates < 0) {
    throw new UsageError(where('request.replicates must be a whole number ≥ 0'));
  }
  const scenariosPerCell = part.request.scenariosPerCell ?? 1;
  if (!Number.isSafeInteger(scenariosPerCell) || scenariosPerCell < 1) throw new UsageError(where('request.scenariosPerCell must be a whole number ≥ 1'));
  if (typeof part.output !== 'object' || part.output === null || Array.isArray(part.output)) throw new UsageError(where('output must be an object'));
  const shard = part.shard;
  if (typeof shard !== 'object' || shard === null || !Number.isSafeInteger(shard.count) || shard.count < 1 || !Number.isSafeInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new UsageError(where('shard must be { index, count } with 0 ≤ index < count'));
  }
  const range = shardRange(part.request.replicates, shard);
  if (shard.from !== range.from || shard.to !== range.to) throw new UsageError(where(`shard ${shard.index}/${shard.count} must cover replicates [${range.from}, ${range.to}), got [${shard.from}, ${shard.to})`));
  if (!Array.isArray(part.cells) || part.cells.length === 0) throw new UsageError(where('cells must be a non-empty array'));
  const keys = new Set<string>();
  part.cells.forEach((cell: any, i: number) => {
    if (typeof cell !== 'object' || cell === null || typeof cell.key !== 'string') throw new UsageError(where(`cells[${i}].key must be a string`));
    if (keys.has(cell.key)) throw new UsageError(where(`cells[${i}].key '${cell.key}' appears twice`));
    keys.add(cell.key);
    if (typeof cell.label !== 'object' || cell.label === null || Array.isArray(cell.label)) throw new UsageError(where(`cells[${i}].label must be an object`));
    const state = checkState(cell.state, `${file}: cells[${i}].state`);
    const expected = (range.to - range.from) * scenariosPerCell;
    if (state.replicates !== expected) throw new UsageError(where(`cells[${i}].state.replicates must be ${expected} (the shard's range × scenarios per cell), got ${state.replicates}`));
  });
  return part as PartialResult;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/** The merged run: the request and output fields, and per cell (in the first part's order) the merged state. */
export interface MergedResult {
  command: PartialResult['command'];
  request: PartialResult['request'];
  output: Record<string, unknown>;
  cells: PartialCell[];
}

/**
 * Merges the parts of ONE run: they must share command, request, output and cell keys, have the
 * same shard count, and hold every shard exactly once (a missing or duplicated shard is an
 * error naming it). States are merged in shard order with `mergeSummaries` (exact). Cost O(parts × cells).
 */
export function mergePartialResults(parts: readonly PartialResult[], names: readonly string[] = parts.map((_, i) => `part ${i + 1}`)): MergedResult {
  if (parts.length === 0) throw new UsageError('no partial results to merge');
  const first = parts[0];
  const count = first.shard.count;
  const request = canonical(first.request);
  const output = canonical(first.output);
  const keys = first.cells.map((cell) => cell.key).join('\u0000');
  const byIndex = new Map<number, number>();
  parts.forEach((part, i) => {
    if (part.command !== first.command) throw new UsageError(`${names[i]} is a ${part.command} result, ${names[0]} a ${first.command} result`);
    if (canonical(part.request) !== request || canonical(part.output) !== output) throw new UsageError(`${names[i]} comes from a different run than ${names[0]} (request differs)`);
    if (part.shard.count !== count) throw new UsageError(`${names[i]} is shard ${part.shard.index}/${part.shard.count}, but ${names[0]} is one of ${count}`);
    if (part.cells.map((cell) => cell.key).join('\u0000') !== keys) throw new UsageError(`${names[i]} holds different cells than ${names[0]}`);
    if (byIndex.has(part.shard.index)) throw new UsageError(`shard ${part.shard.index}/${count} is given twice (${names[byIndex.get(part.shard.index)!]} and ${names[i]})`);
    byIndex.set(part.shard.index, i);
  });
  const missing: number[] = [];
  for (let k = 0; k < count && missing.length < 10; k++) if (!byIndex.has(k)) missing.push(k);
  if (missing.length > 0) throw new UsageError(`missing shard${missing.length === 1 ? '' : 's'} ${missing.map((k) => `${k}/${count}`).join(', ')}${byIndex.size + missing.length < count ? ', …' : ''}`);
  const cells = first.cells.map((cell, c) => {
    const state = initSummary();
    for (let k = 0; k < count; k++) mergeSummaries(state, parts[byIndex.get(k)!].cells[c].state);
    return { key: cell.key, label: cell.label, state };
  });
  return { command: first.command, request: first.request, output: first.output, cells };
}

/** Writes a partial result to `file` atomically (temp file + fsync + rename): a half-written part never exists. */
export function writePartialResult(file: string, part: PartialResult): void {
  writeFileAtomic(file, JSON.stringify(part) + '\n');
}

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
 *
 * A part is trusted only as far as it can be checked (issue 11, "merge trusts its parts"): it
 * names the engine version that simulated it and the SHA-256 of the scenario and policy
 * documents it simulated (paths differ between machines, contents must not); its `requestHash`
 * and `contentHash` make an edit or a truncation visible; every count is a whole number ≥ 0 and
 * the counts add up as `addOutcome` makes them (src/sim/summary.ts). Shards are identified by
 * index AND content, so the same shard under two file names, two different shards claiming one
 * index, and a missing index are each refused with a line naming the files.
 */
import { createHash } from 'node:crypto';
import type { SummaryState } from '../sim/summary.ts';
import { initSummary, mergeSummaries } from '../sim/summary.ts';
import { UsageError } from './args.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import { engineVersion } from './engineVersion.ts';
import { checkOutputFile } from './outputFile.ts';

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
  if (index >= count)
    throw new UsageError(`${label}: k must be between 0 and N−1 = ${count - 1} (shards are numbered from 0), got ${index}`);
  return { index, count };
}

/** `--shard k/N` and `--out FILE`, which go together; undefined for an unsharded run. */
export function shardOptions(shardText: string | undefined, out: string | undefined): { shard: Shard; out: string } | undefined {
  if (shardText === undefined) {
    if (out !== undefined) throw new UsageError('--out writes a partial result and needs --shard k/N');
    return undefined;
  }
  if (out === undefined || out.trim() === '')
    throw new UsageError('--shard needs --out PART.json (the partial result to merge with rollout-lab merge)');
  const shard = parseShard(shardText);
  checkOutputFile(out);
  return { shard, out };
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

/** The partial-result format this version writes and reads (version 1 had no content hashes). */
export const partialResultVersion = 2;

/** What defines a run; identical in every part of it. */
export type PartialRequest = Record<string, unknown> & {
  /** Replicates per scenario. */
  replicates: number;
  /** A sweep pools several scenarios per cell (default 1). */
  scenariosPerCell?: number;
  /** `contentHash` of each scenario document simulated, in order. */
  scenarioHashes: string[];
  /** `contentHash` of the policy document simulated. */
  policyHash: string;
};

/**
 * A partial result, version 2. `request` holds everything that defines the run and must be
 * identical in every part (command options, seed, replicate total, scenario and policy content
 * hashes); `output` the fields the unsharded command prints before the summary.
 */
export interface PartialResult {
  format: typeof partialResultFormat;
  version: typeof partialResultVersion;
  command: 'simulate' | 'sweep';
  /** The engine that simulated the part (`rollout-lab <version>`). */
  engineVersion: string;
  request: PartialRequest;
  /** `contentHash` of `{ command, engineVersion, request }`: equal in every part of one run. */
  requestHash: string;
  output: Record<string, unknown>;
  shard: Shard & { from: number; to: number };
  cells: PartialCell[];
  /** `contentHash` of every other field: identifies this shard's content. */
  contentHash: string;
}

/** JSON with object keys sorted, so that equal values have equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** SHA-256 (hex) of `canonicalJson(value)`: the identity of a scenario, policy, request or part. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function requestHashOf(command: string, version: string, request: unknown): string {
  return contentHash({ command, engineVersion: version, request });
}

function contentHashOf(part: Omit<PartialResult, 'contentHash'> | Record<string, unknown>): string {
  const { contentHash: _ignored, ...rest } = part as Record<string, unknown>;
  return contentHash(rest);
}

/** Builds the partial result of one shard (what `simulate --shard k/N --out PART.json` writes). */
export function partialResult(
  command: PartialResult['command'],
  request: PartialRequest,
  output: Record<string, unknown>,
  shard: Shard,
  cells: PartialCell[],
): PartialResult {
  const range = shardRange(request.replicates, shard);
  const expected = (range.to - range.from) * (request.scenariosPerCell ?? 1);
  for (const cell of cells) {
    if (cell.state.replicates !== expected) {
      throw new RangeError(
        `cell '${cell.key}' holds ${cell.state.replicates} replicates, but shard ${shard.index}/${shard.count} of ${request.replicates} covers ${expected}`,
      );
    }
  }
  const body = {
    format: partialResultFormat,
    version: partialResultVersion,
    command,
    engineVersion,
    request,
    requestHash: requestHashOf(command, engineVersion, request),
    output,
    shard: { ...shard, ...range },
    cells,
  } as const;
  return { ...body, contentHash: contentHashOf(body) };
}

const summaryKeys = Object.keys(initSummary()) as (keyof SummaryState)[];

/** Fields of a summary state that count replicates, users (thousandths) or requests: whole numbers. */
const countKeys: readonly (keyof SummaryState)[] = summaryKeys.filter(
  (key) =>
    key !== 'detectionTimes' &&
    key !== 'decisionTimeSum' &&
    key !== 'requestsServedWhileWorse' &&
    key !== 'failedRequests' &&
    key !== 'candidateRequests',
);

/**
 * Checks one cell's summary state: every field present and no other, counts whole and ≥ 0,
 * sums finite and ≥ 0, and the relations `addOutcome` guarantees (src/sim/summary.ts,
 * src/sim/replicate.ts): each replicate ends in exactly one of rollback, promote, undecided; a
 * false rollback is a rollback of a candidate that was not worse, a missed regression a
 * promotion of one that was; A/B winners and segment reports happen only in A/B tests; and a
 * detection time is recorded for exactly the rollbacks of worse candidates.
 */
function checkState(value: unknown, where: string): SummaryState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${where} must be a summary state object`);
  const state = value as Record<string, unknown>;
  for (const key of Object.keys(state))
    if (!summaryKeys.includes(key as keyof SummaryState)) throw new UsageError(`${where}.${key}: unknown field '${key}'`);
  for (const key of summaryKeys) {
    if (key === 'detectionTimes') {
      const histogram = state[key];
      if (typeof histogram !== 'object' || histogram === null || Array.isArray(histogram))
        throw new UsageError(`${where}.detectionTimes must be an object of time → count`);
      for (const [time, count] of Object.entries(histogram)) {
        if (time.trim() === '' || !Number.isFinite(Number(time)) || Number(time) < 0)
          throw new UsageError(`${where}.detectionTimes: '${time}' is not a time in seconds ≥ 0`);
        if (!Number.isSafeInteger(count) || (count as number) < 0)
          throw new UsageError(`${where}.detectionTimes['${time}'] must be a whole number ≥ 0, got ${JSON.stringify(count)}`);
      }
    } else if (countKeys.includes(key)) {
      if (!Number.isSafeInteger(state[key]) || (state[key] as number) < 0)
        throw new UsageError(`${where}.${key} must be a whole number ≥ 0, got ${JSON.stringify(state[key])}`);
    } else if (typeof state[key] !== 'number' || !Number.isFinite(state[key]) || state[key] < 0) {
      throw new UsageError(`${where}.${key} must be a finite number ≥ 0, got ${JSON.stringify(state[key])}`);
    }
  }
  const s = state as unknown as SummaryState;
  const atMost = (a: keyof SummaryState, value: number, b: string) => {
    if ((s[a] as number) > value) throw new UsageError(`${where}: ${a} (${s[a]}) is more than ${b} (${value})`);
  };
  if (s.rollbacks + s.promotions + s.undecided !== s.replicates) {
    throw new UsageError(
      `${where}: rollbacks + promotions + undecided (${s.rollbacks} + ${s.promotions} + ${s.undecided}) must equal replicates (${s.replicates})`,
    );
  }
  atMost('worseCandidates', s.replicates, 'replicates');
  atMost('falseRollbacks', s.rollbacks, 'rollbacks');
  atMost('falseRollbacks', s.replicates - s.worseCandidates, 'replicates whose candidate was not worse');
  atMost('missedRegressions', s.promotions, 'promotions');
  atMost('missedRegressions', s.worseCandidates, 'worseCandidates');
  atMost('abTests', s.replicates, 'replicates');
  if (s.candidateWins + s.controlWins > s.abTests)
    throw new UsageError(`${where}: candidateWins + controlWins (${s.candidateWins + s.controlWins}) is more than abTests (${s.abTests})`);
  atMost('segmentReports', s.abTests, 'abTests');
  atMost('segmentWinners', s.segmentReports, 'segmentReports');
  const detected = Object.values(s.detectionTimes).reduce((sum, count) => sum + count, 0);
  if (detected !== s.rollbacks - s.falseRollbacks) {
    throw new UsageError(
      `${where}: detectionTimes count ${detected} rollbacks of worse candidates, but rollbacks − falseRollbacks is ${s.rollbacks - s.falseRollbacks}`,
    );
  }
  return s;
}

const sha256Hex = /^[0-9a-f]{64}$/;

/** Checks a loose JSON value as a partial result, throwing a `UsageError` that names `file` and the field. */
export function parsePartialResult(json: unknown, file: string): PartialResult {
  const where = (path: string) => `${file}: ${path}`;
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new UsageError(`${file} is not a partial result (expected a JSON object)`);
  const part = json as Record<string, any>;
  if (part.format !== partialResultFormat)
    throw new UsageError(where(`format must be '${partialResultFormat}', got ${JSON.stringify(part.format)}`));
  if (part.version === 1) {
    throw new UsageError(
      where(
        `written by an older rollout-lab (partial result version 1, without content hashes), which merge can no longer check; run its shard again with this version`,
      ),
    );
  }
  if (part.version !== partialResultVersion)
    throw new UsageError(where(`version must be ${partialResultVersion}, got ${JSON.stringify(part.version)}`));
  if (part.command !== 'simulate' && part.command !== 'sweep')
    throw new UsageError(where(`command must be 'simulate' or 'sweep', got ${JSON.stringify(part.command)}`));
  if (typeof part.engineVersion !== 'string' || part.engineVersion === '')
    throw new UsageError(where('engineVersion must name the rollout-lab version that wrote the part'));
  if (
    typeof part.request !== 'object' ||
    part.request === null ||
    Array.isArray(part.request) ||
    !Number.isSafeInteger(part.request.replicates) ||
    part.request.replicates < 0
  ) {
    throw new UsageError(where('request.replicates must be a whole number ≥ 0'));
  }
  const scenariosPerCell = part.request.scenariosPerCell ?? 1;
  if (!Number.isSafeInteger(scenariosPerCell) || scenariosPerCell < 1)
    throw new UsageError(where('request.scenariosPerCell must be a whole number ≥ 1'));
  const scenarioHashes = part.request.scenarioHashes;
  if (
    !Array.isArray(scenarioHashes) ||
    scenarioHashes.length !== scenariosPerCell ||
    !scenarioHashes.every((hash: unknown) => typeof hash === 'string' && sha256Hex.test(hash))
  ) {
    throw new UsageError(
      where(`request.scenarioHashes must list the SHA-256 (64 hex digits) of each of the ${scenariosPerCell} scenario(s)`),
    );
  }
  if (typeof part.request.policyHash !== 'string' || !sha256Hex.test(part.request.policyHash))
    throw new UsageError(where('request.policyHash must be the SHA-256 (64 hex digits) of the policy'));
  if (part.requestHash !== requestHashOf(part.command, part.engineVersion, part.request)) {
    throw new UsageError(where('requestHash does not match the request (the part was edited or damaged)'));
  }
  if (typeof part.output !== 'object' || part.output === null || Array.isArray(part.output))
    throw new UsageError(where('output must be an object'));
  const shard = part.shard;
  if (
    typeof shard !== 'object' ||
    shard === null ||
    !Number.isSafeInteger(shard.count) ||
    shard.count < 1 ||
    !Number.isSafeInteger(shard.index) ||
    shard.index < 0 ||
    shard.index >= shard.count
  ) {
    throw new UsageError(where('shard must be { index, count } with 0 ≤ index < count'));
  }
  const range = shardRange(part.request.replicates, shard);
  if (shard.from !== range.from || shard.to !== range.to)
    throw new UsageError(
      where(`shard ${shard.index}/${shard.count} must cover replicates [${range.from}, ${range.to}), got [${shard.from}, ${shard.to})`),
    );
  if (!Array.isArray(part.cells) || part.cells.length === 0) throw new UsageError(where('cells must be a non-empty array'));
  const keys = new Set<string>();
  part.cells.forEach((cell: any, i: number) => {
    if (typeof cell !== 'object' || cell === null || typeof cell.key !== 'string')
      throw new UsageError(where(`cells[${i}].key must be a string`));
    if (keys.has(cell.key)) throw new UsageError(where(`cells[${i}].key '${cell.key}' appears twice`));
    keys.add(cell.key);
    if (typeof cell.label !== 'object' || cell.label === null || Array.isArray(cell.label))
      throw new UsageError(where(`cells[${i}].label must be an object`));
    const state = checkState(cell.state, `${file}: cells[${i}].state`);
    const expected = (range.to - range.from) * scenariosPerCell;
    if (state.replicates !== expected)
      throw new UsageError(
        where(`cells[${i}].state.replicates must be ${expected} (the shard's range × scenarios per cell), got ${state.replicates}`),
      );
  });
  // Last, so that a hand edit that breaks a count is reported by the count it broke.
  if (typeof part.contentHash !== 'string' || part.contentHash !== contentHashOf(part)) {
    throw new UsageError(where('contentHash does not match the content (the part was edited or damaged)'));
  }
  return part as PartialResult;
}

/** The merged run: the request and output fields, and per cell (in the first part's order) the merged state. */
export interface MergedResult {
  command: PartialResult['command'];
  request: PartialResult['request'];
  output: Record<string, unknown>;
  cells: PartialCell[];
}

/** The fields of `request` whose values differ between `a` and `b`, for an error message. */
function differingFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((key) => canonicalJson(a[key]) !== canonicalJson(b[key]));
}

/**
 * Merges the parts of ONE run: they must share engine version, command, request (scenario and
 * policy content hashes included), output and cell keys, have the same shard count, and hold
 * every shard exactly once. The same part under two names (same `contentHash`), two different
 * parts claiming one shard index, and a missing index are each an error naming the files or the
 * shard. States are merged in shard order with `mergeSummaries` (exact). Cost O(parts × cells).
 */
export function mergePartialResults(
  parts: readonly PartialResult[],
  names: readonly string[] = parts.map((_, i) => `part ${i + 1}`),
): MergedResult {
  if (parts.length === 0) throw new UsageError('no partial results to merge');
  const first = parts[0];
  const count = first.shard.count;
  const output = canonicalJson(first.output);
  const keys = first.cells.map((cell) => cell.key).join('\u0000');
  const byIndex = new Map<number, number>();
  const byContent = new Map<string, number>();
  parts.forEach((part, i) => {
    const name = names[i];
    if (part.engineVersion !== first.engineVersion)
      throw new UsageError(
        `${name} was simulated by ${part.engineVersion}, ${names[0]} by ${first.engineVersion}; run every shard with one version`,
      );
    if (part.command !== first.command) throw new UsageError(`${name} is a ${part.command} result, ${names[0]} a ${first.command} result`);
    if (canonicalJson(part.request.scenarioHashes) !== canonicalJson(first.request.scenarioHashes)) {
      throw new UsageError(
        `${name} simulated a different scenario than ${names[0]} (scenario content hash ${part.request.scenarioHashes.map((h) => h.slice(0, 12)).join(',')} vs ${first.request.scenarioHashes.map((h) => h.slice(0, 12)).join(',')})`,
      );
    }
    if (part.request.policyHash !== first.request.policyHash) {
      throw new UsageError(
        `${name} simulated a different policy than ${names[0]} (policy content hash ${part.request.policyHash.slice(0, 12)} vs ${first.request.policyHash.slice(0, 12)})`,
      );
    }
    if (part.requestHash !== first.requestHash)
      throw new UsageError(
        `${name} comes from a different run than ${names[0]} (request differs in ${differingFields(part.request, first.request).join(', ')})`,
      );
    if (canonicalJson(part.output) !== output)
      throw new UsageError(
        `${name} comes from a different run than ${names[0]} (output fields differ in ${differingFields(part.output, first.output).join(', ')})`,
      );
    if (part.shard.count !== count)
      throw new UsageError(`${name} is shard ${part.shard.index}/${part.shard.count}, but ${names[0]} is one of ${count}`);
    if (part.cells.map((cell) => cell.key).join('\u0000') !== keys) throw new UsageError(`${name} holds different cells than ${names[0]}`);
    const same = byContent.get(part.contentHash);
    if (same !== undefined)
      throw new UsageError(
        `shard ${part.shard.index}/${count} is given twice: ${names[same]} and ${name} are the same part (content hash ${part.contentHash.slice(0, 12)})`,
      );
    byContent.set(part.contentHash, i);
    const other = byIndex.get(part.shard.index);
    if (other !== undefined)
      throw new UsageError(`shard ${part.shard.index}/${count} is given twice with different contents: ${names[other]} and ${name}`);
    byIndex.set(part.shard.index, i);
  });
  const missing: number[] = [];
  for (let k = 0; k < count && missing.length < 10; k++) if (!byIndex.has(k)) missing.push(k);
  if (missing.length > 0) {
    throw new UsageError(
      `missing shard${missing.length === 1 ? '' : 's'} ${missing.map((k) => `${k}/${count}`).join(', ')}${byIndex.size + missing.length < count ? ', …' : ''} (${parts.length} of ${count} parts given)`,
    );
  }
  const cells = first.cells.map((cell, c) => {
    const state = initSummary();
    for (let k = 0; k < count; k++) mergeSummaries(state, parts[byIndex.get(k)!].cells[c].state);
    return { key: cell.key, label: cell.label, state };
  });
  return { command: first.command, request: first.request, output: first.output, cells };
}

/**
 * Writes a partial result to `file` atomically (temp file + fsync + rename): a half-written part
 * never exists. A failure (the folder was checked before the run; a full disk can still fail)
 * is one line naming the file.
 */
export function writePartialResult(file: string, part: PartialResult): void {
  try {
    writeFileAtomic(file, JSON.stringify(part) + '\n');
  } catch (error) {
    throw new UsageError(`cannot write the partial result '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * `rollout-lab merge PART.json… [--out FILE] [--json]`: combines the partial results of a
 * sharded `simulate` or `sweep` (src/cli/shard.ts) into the result of the unsharded run — the
 * same JSON object `simulate --json` prints (for a sweep, the same as `sweep --json`: the run's
 * fields and `rows`, one per setting). Every part is checked; a missing, duplicated or foreign shard is an error (exit 2)
 * naming it, and nothing is written.
 */
import { readFileSync } from 'node:fs';
import { UsageError, parseCommandArgs } from '../args.ts';
import { writeFileAtomic } from '../atomicWrite.ts';
import type { CliIo, Command } from '../io.ts';
import { writeJson } from '../io.ts';
import { mergePartialResults, parsePartialResult } from '../shard.ts';
import type { MergedResult } from '../shard.ts';
import { summaryValue } from '../../sim/summary.ts';
import type { RateEstimate } from '../../sim/summary.ts';
import { formatNumber } from '../io.ts';

/** The merged run as the unsharded command prints it with `--json`. */
export function mergedOutput(merged: MergedResult): Record<string, unknown> {
  if (merged.command === 'simulate') return { ...merged.output, ...summaryValue(merged.cells[0].state) };
  return { ...merged.output, rows: merged.cells.map((cell) => ({ ...cell.label, ...summaryValue(cell.state) })) };
}

function rate(estimate: RateEstimate): string {
  if (estimate.rate === null) return '— (none to count)';
  return `${formatNumber(estimate.rate)} (95% CI ${formatNumber(estimate.lower as number)}–${formatNumber(estimate.upper as number)}; ${estimate.count} of ${estimate.total})`;
}

/** Reads and checks the part files (UsageError naming the file on any problem). */
export function readPartialResults(files: readonly string[]) {
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read partial result '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`partial result '${file}' is not valid JSON: ${(error as Error).message}`);
    }
    return parsePartialResult(json, file);
  });
}

/** `rollout-lab merge`. */
export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merge the partial results of a sharded simulate or sweep (--shard k/N) into the unsharded result',
  usage: 'merge PART.json... [--out FILE] [--json]',
  run(argv: string[], io: CliIo): number {
    const args = parseCommandArgs(argv, { out: { type: 'string' } }, 100_000);
    const files = args.positionals;
    if (files.length === 0) throw new UsageError('at least one partial result file is required (e.g. rollout-lab merge parts/*.json)');
    const merged = mergePartialResults(readPartialResults(files), files);
    const output = mergedOutput(merged);
    const out = args.values.out as string | undefined;
    if (out !== undefined) {
      if (out.trim() === '') throw new UsageError('--out must be a file path');
      try {
        writeFileAtomic(out, JSON.stringify(output) + '\n');
      } catch (error) {
        throw new UsageError(`cannot write '${out}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    if (args.values.json) {
      writeJson(io, output);
      return 0;
    }
    const lines = [`merged ${files.length} part${files.length === 1 ? '' : 's'} of a ${merged.command} run: ${merged.request.replicates} replicates${out ? ` → ${out}` : ''}`];
    for (const cell of merged.cells) {
      const summary = summaryValue(cell.state);
      const label = Object.entries(cell.label).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
      if (label) lines.push(label);
      lines.push(`  false-rollback rate     ${rate(summary.falseRollbackRate)}`, `  missed-regression rate  ${rate(summary.missedRegressionRate)}`, `  rollback rate           ${rate(summary.rollbackRate)}`);
    }
    io.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};

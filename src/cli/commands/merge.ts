/**
 * `rollout-lab merge PART.json… [--out FILE] [--json]`: combines the partial results of a
 * sharded `simulate` or `sweep` (src/cli/shard.ts) into the result of the unsharded run — the
 * same JSON object `simulate --json` prints (for a sweep, the same as `sweep --json`: the run's
 * fields and `rows`, one per setting), and without `--json` the same text, from the same
 * formatter (src/cli/summaryText.ts). Every part is checked (src/cli/shard.ts); a missing,
 * duplicated, edited or foreign shard is an error (exit 2) naming it, and nothing is written.
 * `--out` is checked before any part is read.
 */
import { readFileSync } from 'node:fs';
import { summaryValue } from '../../sim/summary.ts';
import { parseCommandArgs, UsageError } from '../args.ts';
import { writeFileAtomic } from '../atomicWrite.ts';
import type { CliIo, Command } from '../io.ts';
import { writeJson } from '../io.ts';
import { prepareJsonText } from '../jsonText.ts';
import { checkOutputFile } from '../outputFile.ts';
import type { MergedResult } from '../shard.ts';
import { mergePartialResults, parsePartialResult } from '../shard.ts';
import type { SimulationHeading, SweepHeading } from '../summaryText.ts';
import { simulationSummaryText, sweepTableText } from '../summaryText.ts';

/** The merged run as the unsharded command prints it with `--json`. */
export function mergedOutput(merged: MergedResult): Record<string, unknown> {
  if (merged.command === 'simulate') return { ...merged.output, ...summaryValue(merged.cells[0].state) };
  return { ...merged.output, rows: merged.cells.map((cell) => ({ ...cell.label, ...summaryValue(cell.state) })) };
}

/** The merged run as the unsharded command prints it without `--json`: the same formatter, the same text. */
export function mergedText(merged: MergedResult): string {
  if (merged.command === 'simulate') {
    return simulationSummaryText(
      { ...(merged.output as Omit<SimulationHeading, 'replicates'>), replicates: merged.request.replicates },
      summaryValue(merged.cells[0].state),
    );
  }
  return sweepTableText(
    merged.output as unknown as SweepHeading,
    merged.cells.map((cell) => ({ setting: cell.label, summary: summaryValue(cell.state) })),
  );
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
    text = prepareJsonText(text, `partial result '${file}'`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`partial result '${file}' is not valid JSON: ${(error as Error).message.split('\n')[0]}`);
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
    const out = args.values.out as string | undefined;
    if (out !== undefined) checkOutputFile(out);
    if (files.length === 0) throw new UsageError('at least one partial result file is required (e.g. rollout-lab merge parts/*.json)');
    const merged = mergePartialResults(readPartialResults(files), files);
    const output = mergedOutput(merged);
    if (out !== undefined) {
      try {
        writeFileAtomic(out, JSON.stringify(output) + '\n');
      } catch (error) {
        throw new UsageError(`cannot write '${out}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    // What was merged goes to stderr, so that stdout is exactly what the unsharded run prints.
    io.stderr.write(
      `rollout-lab merge: merged ${files.length} part${files.length === 1 ? '' : 's'} of a ${merged.command} run: ${merged.request.replicates} replicates${out ? ` → ${out}` : ''}\n`,
    );
    if (args.values.json) writeJson(io, output);
    else io.stdout.write(mergedText(merged));
    return 0;
  },
};

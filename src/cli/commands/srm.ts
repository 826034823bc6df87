/**
 * `rollout-lab srm`: sample-ratio mismatch check of observed arm counts against the planned
 * split (Pearson χ², engine `sampleRatioMismatch`).
 */
import { parseCommandArgs, parseNumber, numberOption, stringOption, UsageError } from '../args.ts';
import { formatNumber, writeJson } from '../io.ts';
import type { CliIo, Command } from '../io.ts';
import { DEFAULT_SRM_THRESHOLD, sampleRatioMismatch } from '../../engine/stats/sampleRatioMismatch.ts';

/** Parses a comma-separated list of numbers, naming `label` and the bad item in errors. */
function parseList(text: string, label: string, rule: { integer?: boolean; min?: number; exclusiveMin?: boolean }): number[] {
  const items = text.split(',');
  if (items.length < 2) throw new UsageError(`${label} must list at least 2 arms separated by commas, got '${text}'`);
  return items.map((item, i) => parseNumber(item.trim(), `${label} item ${i + 1}`, rule));
}

/** The `srm` command: exit code 0 when the split looks right, 1 on a mismatch, 2 on bad input. */
export const srmCommand: Command = {
  name: 'srm',
  summary: 'check observed arm counts against the planned traffic split (sample-ratio mismatch, χ² test)',
  usage: 'srm --counts 50500,49500 [--weights 0.5,0.5] [--threshold 0.001] [--json]',
  run(argv: string[], io: CliIo): number {
    const args = parseCommandArgs(argv, {
      counts: { type: 'string' },
      weights: { type: 'string' },
      threshold: { type: 'string' },
    });
    const counts = parseList(stringOption(args, 'counts'), '--counts', { integer: true, min: 0 });
    const weightsText = args.values.weights;
    const weights =
      weightsText === undefined ? undefined : parseList(String(weightsText), '--weights', { min: 0, exclusiveMin: true });
    if (weights && weights.length !== counts.length) {
      throw new UsageError(`--weights must list one weight per arm (${counts.length}), got ${weights.length}`);
    }
    if (counts.every((count) => count === 0)) throw new UsageError('--counts must not all be zero');
    const threshold = numberOption(args, 'threshold', {
      default: DEFAULT_SRM_THRESHOLD,
      min: 0,
      max: 1,
      exclusiveMin: true,
      exclusiveMax: true,
    });

    const result = sampleRatioMismatch(counts, { weights, threshold });
    if (args.values.json) {
      writeJson(io, { counts, weights: weights ?? counts.map(() => 1), ...result });
    } else {
      const total = counts.reduce((sum, count) => sum + count, 0);
      const lines = [
        result.mismatch
          ? `Sample-ratio mismatch: p = ${formatNumber(result.pValue)} < ${threshold}. Do not trust comparisons between these arms until the assignment is explained.`
          : `No sample-ratio mismatch detected: p = ${formatNumber(result.pValue)} ≥ ${threshold}.`,
        `χ² = ${formatNumber(result.chiSquare)} with ${result.degreesOfFreedom} degree${result.degreesOfFreedom === 1 ? '' : 's'} of freedom, ${total} units in total.`,
        '',
        '  arm  observed  expected  observed share  planned share',
        ...counts.map((count, i) => {
          const planned = result.expected[i] / total;
          return `  ${String(i + 1).padStart(3)}  ${String(count).padStart(8)}  ${formatNumber(result.expected[i], 8).padStart(8)}  ${(
            (100 * count) /
            total
          )
            .toFixed(3)
            .padStart(13)}%  ${(100 * planned).toFixed(3).padStart(12)}%`;
        }),
      ];
      io.stdout.write(lines.join('\n') + '\n');
    }
    return result.mismatch ? 1 : 0;
  },
};

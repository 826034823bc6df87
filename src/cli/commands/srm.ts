/**
 * `rollout-lab srm`: sample-ratio mismatch check of observed arm counts against the planned
 * split (Pearson χ², engine `sampleRatioMismatch`); with `--sequential FILE.csv`, the anytime-valid
 * Dirichlet–multinomial test over periods (engine `sequentialSampleRatioMismatch`).
 */

import { DEFAULT_SRM_THRESHOLD, sampleRatioMismatch } from '../../engine/stats/sampleRatioMismatch.ts';
import { DEFAULT_SRM_CONCENTRATION, sequentialSampleRatioMismatch } from '../../engine/stats/sequentialSampleRatioMismatch.ts';
import type { ParsedArgs } from '../args.ts';
import { numberOption, parseCommandArgs, parseNumber, stringOption, UsageError } from '../args.ts';
import { parseCsv } from '../csvRecords.ts';
import { readTextFile } from '../files.ts';
import type { CliIo, Command } from '../io.ts';
import { formatNumber, writeJson } from '../io.ts';

/** Parses a comma-separated list of numbers, naming `label` and the bad item in errors. */
function parseList(text: string, label: string, rule: { integer?: boolean; min?: number; exclusiveMin?: boolean }): number[] {
  const items = text.split(',');
  if (items.length < 2) throw new UsageError(`${label} must list at least 2 arms separated by commas, got '${text}'`);
  return items.map((item, i) => parseNumber(item.trim(), `${label} item ${i + 1}`, rule));
}

/** A first CSV column with one of these names labels the period instead of counting an arm. */
const PERIOD_COLUMNS = new Set(['period', 'day', 'date', 'window', 'time']);

/** Periods of counts read from a CSV: header naming the arms, one row per period. */
interface PeriodCounts {
  arms: string[];
  labels: string[];
  rows: number[][];
}

/**
 * Reads `--sequential FILE.csv`: a header naming the arms (optionally a first `period`/`day`/`date`/
 * `window`/`time` column labelling the rows), then one row per period with a non-negative whole
 * count per arm. Errors name the file, the line and the column.
 */
function readPeriodCounts(file: string): PeriodCounts {
  const records = parseCsv(readTextFile(file, `counts file '${file}'`));
  if (records.length === 0) throw new UsageError(`counts file '${file}' is empty: expected a header naming the arms`);
  const header = records[0].fields.map((name) => name.trim());
  const labelled = PERIOD_COLUMNS.has(header[0].toLowerCase());
  const arms = labelled ? header.slice(1) : header;
  if (arms.length < 2) throw new UsageError(`counts file '${file}': the header must name at least 2 arms, got ${arms.length}`);
  if (records.length < 2) throw new UsageError(`counts file '${file}' has no rows of counts after the header`);
  const labels: string[] = [];
  const rows = records.slice(1).map((record) => {
    if (record.fields.length !== header.length) {
      throw new UsageError(`counts file '${file}' line ${record.line}: expected ${header.length} fields, got ${record.fields.length}`);
    }
    labels.push(labelled ? record.fields[0].trim() : String(labels.length + 1));
    return (labelled ? record.fields.slice(1) : record.fields).map((field, i) =>
      parseNumber(field.trim(), `counts file '${file}' line ${record.line}, column '${arms[i]}'`, { integer: true, min: 0 }),
    );
  });
  return { arms, labels, rows };
}

/** `srm --sequential`: the anytime-valid p after each period and at the end; exit 1 on a mismatch. */
/** `--threshold`: the p-value below which a mismatch is reported, strictly between 0 and 1 (both tests). */
function thresholdOption(args: ParsedArgs): number {
  return numberOption(args, 'threshold', { default: DEFAULT_SRM_THRESHOLD, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
}

function runSequential(args: ParsedArgs, io: CliIo): number {
  if (args.values.counts !== undefined) throw new UsageError('give either --counts or --sequential, not both');
  const file = stringOption(args, 'sequential');
  const { arms, labels, rows } = readPeriodCounts(file);
  const weightsText = args.values.weights;
  const weights =
    weightsText === undefined ? arms.map(() => 1) : parseList(String(weightsText), '--weights', { min: 0, exclusiveMin: true });
  if (weights.length !== arms.length) {
    throw new UsageError(`--weights must list one weight per arm (${arms.length}: ${arms.join(', ')}), got ${weights.length}`);
  }
  const threshold = thresholdOption(args);
  const concentration = numberOption(args, 'concentration', { default: DEFAULT_SRM_CONCENTRATION, min: 0, exclusiveMin: true });
  const result = sequentialSampleRatioMismatch(rows, { weights, threshold, concentration });
  const firstMismatch = result.firstMismatchPeriod === null ? null : labels[result.firstMismatchPeriod];
  if (args.values.json) {
    writeJson(io, {
      arms,
      weights,
      threshold,
      concentration,
      pValue: result.pValue,
      mismatch: result.mismatch,
      firstMismatchPeriod: firstMismatch,
      series: result.series.map((step, i) => ({
        period: labels[i],
        counts: rows[i],
        cumulativeCounts: step.counts,
        logBayesFactor: step.logBayesFactor,
        pValue: step.pValue,
      })),
    });
  } else {
    const width = Math.max(6, ...labels.map((label) => label.length));
    const lines = [
      `Sequential sample-ratio mismatch test (Dirichlet–multinomial Bayes factor, anytime-valid; prior concentration ${concentration})`,
      `arms: ${arms.map((arm, i) => `${arm} ${formatNumber(100 * result.nullProbabilities[i])}%`).join(', ')} planned`,
      '',
      `  ${'period'.padEnd(width)}  ${arms.map((arm) => arm.padStart(10)).join('  ')}  ${'p (anytime-valid)'.padStart(17)}`,
      ...result.series.map(
        (step, i) =>
          `  ${labels[i].padEnd(width)}  ${rows[i].map((count) => String(count).padStart(10)).join('  ')}  ${formatNumber(step.pValue).padStart(17)}${step.pValue < threshold ? '  < threshold' : ''}`,
      ),
      '',
      result.mismatch
        ? `Sample-ratio mismatch: p = ${formatNumber(result.pValue)} < ${threshold}, first below the threshold at period ${firstMismatch}. Do not trust comparisons between these arms until the assignment is explained.`
        : `No sample-ratio mismatch detected: p = ${formatNumber(result.pValue)} ≥ ${threshold} after ${rows.length} period${rows.length === 1 ? '' : 's'}.`,
    ];
    io.stdout.write(lines.join('\n') + '\n');
  }
  return result.mismatch ? 1 : 0;
}

/** The `srm` command: exit code 0 when the split looks right, 1 on a mismatch, 2 on bad input. */
export const srmCommand: Command = {
  name: 'srm',
  summary: 'check observed arm counts against the planned traffic split (sample-ratio mismatch, χ² test)',
  usage:
    'srm --counts 50500,49500 [--weights 0.5,0.5] [--threshold 0.001] [--json]\n' +
    '       srm --sequential FILE.csv [--weights 0.5,0.5] [--threshold 0.001] [--concentration 100] [--json]',
  run(argv: string[], io: CliIo): number {
    const args = parseCommandArgs(argv, {
      counts: { type: 'string' },
      weights: { type: 'string' },
      threshold: { type: 'string' },
      sequential: { type: 'string' },
      concentration: { type: 'string' },
    });
    if (args.values.sequential !== undefined) return runSequential(args, io);
    if (args.values.concentration !== undefined) throw new UsageError('--concentration applies to --sequential only');
    const counts = parseList(stringOption(args, 'counts'), '--counts', { integer: true, min: 0 });
    const weightsText = args.values.weights;
    const weights = weightsText === undefined ? undefined : parseList(String(weightsText), '--weights', { min: 0, exclusiveMin: true });
    if (weights && weights.length !== counts.length) {
      throw new UsageError(`--weights must list one weight per arm (${counts.length}), got ${weights.length}`);
    }
    if (counts.every((count) => count === 0)) throw new UsageError('--counts must not all be zero');
    const threshold = thresholdOption(args);

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

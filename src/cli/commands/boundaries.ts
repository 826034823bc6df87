/**
 * `rollout-lab boundaries`: Lan–DeMets group-sequential boundaries for a number of looks.
 */

import { equallySpacedFractions, groupSequentialBoundaries, type SpendingFunctionName } from '../../engine/stats/groupSequential.ts';
import { choiceOption, numberOption, parseCommandArgs, parseNumber, stringOption, UsageError } from '../args.ts';
import { type CliIo, type Command, formatNumber, writeJson } from '../io.ts';

const SPENDING: Record<'obf' | 'pocock', SpendingFunctionName> = { obf: 'obrienFleming', pocock: 'pocock' };

/** Parses `--fractions 0.2,0.4,…,1`: strictly increasing, in (0, 1], ending at 1, one per look. */
function parseFractions(text: string, looks: number | undefined): number[] {
  const parts = text.split(',');
  const fractions = parts.map((part, k) => parseNumber(part.trim(), `--fractions[${k + 1}]`, { min: 0, exclusiveMin: true, max: 1 }));
  fractions.forEach((t, k) => {
    if (k > 0 && !(t > fractions[k - 1])) {
      throw new UsageError(`--fractions must be strictly increasing, got ${fractions[k - 1]} then ${t}`);
    }
  });
  if (fractions[fractions.length - 1] !== 1) {
    throw new UsageError(`--fractions must end at 1, got ${fractions[fractions.length - 1]}`);
  }
  if (looks !== undefined && fractions.length !== looks) {
    throw new UsageError(`--fractions has ${fractions.length} values but --looks is ${looks}`);
  }
  return fractions;
}

/** Lan–DeMets alpha-spending boundaries (O'Brien–Fleming or Pocock type), as a table or JSON. */
export const boundariesCommand: Command = {
  name: 'boundaries',
  summary: 'group-sequential (Lan–DeMets alpha-spending) critical values for repeated looks',
  usage:
    'boundaries --looks K --spending obf|pocock [--alpha 0.05] [--sides 1|2] [--fractions t1,…,1] [--json]\n\n' +
    '  --looks      number of looks K (optional when --fractions is given)\n' +
    '  --alpha      total type I error; two-sided α is split α/2 per side (default 0.05)\n' +
    '  --sides      1 (upper boundary only) or 2 (symmetric ±z) (default 2)\n' +
    '  --spending   obf (O’Brien–Fleming type) or pocock\n' +
    '  --fractions  information fractions, strictly increasing, ending at 1 (default equally spaced)',
  run(argv: string[], io: CliIo): number {
    const args = parseCommandArgs(argv, {
      looks: { type: 'string' },
      alpha: { type: 'string' },
      sides: { type: 'string' },
      spending: { type: 'string' },
      fractions: { type: 'string' },
    });
    const looks =
      args.values.looks === undefined && args.values.fractions !== undefined
        ? undefined
        : numberOption(args, 'looks', { min: 1, max: 1000, integer: true });
    const alpha = numberOption(args, 'alpha', { default: 0.05, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
    const sides = choiceOption(args, 'sides', ['1', '2'] as const, '2') === '1' ? 1 : 2;
    if (args.values.spending === undefined) throw new UsageError('--spending is required (obf or pocock)');
    const spending = SPENDING[choiceOption(args, 'spending', ['obf', 'pocock'] as const, 'obf')];
    const fractions =
      args.values.fractions === undefined
        ? equallySpacedFractions(looks as number)
        : parseFractions(stringOption(args, 'fractions'), looks);

    const design = groupSequentialBoundaries({ informationFractions: fractions, alpha, sides, spending });
    if (args.values.json) {
      writeJson(io, design);
      return 0;
    }
    const header = ['look', 'fraction', sides === 2 ? '±z' : 'z', 'nominal p (one-sided)', 'cumulative α spent'];
    const rows = design.z.map((z, k) => [
      String(k + 1),
      formatNumber(design.informationFractions[k]),
      z.toFixed(4),
      formatNumber(design.nominalAlpha[k]),
      formatNumber(design.cumulativeAlphaSpent[k]),
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column])).join('  ');
    io.stdout.write(
      [
        `Lan–DeMets ${spending === 'obrienFleming' ? "O'Brien–Fleming" : 'Pocock'}-type spending, ` +
          `${sides}-sided, α = ${alpha}${sides === 2 ? ` (${alpha / 2} per side)` : ''}, ${design.z.length} looks`,
        line(header),
        ...rows.map(line),
        '',
      ].join('\n'),
    );
    return 0;
  },
};

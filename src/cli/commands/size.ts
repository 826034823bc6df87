/**
 * `rollout-lab size`: units per arm needed to detect a change of a success rate, by the pooled
 * (R `power.prop.test`) or arcsine (statsmodels `NormalIndPower`) method.
 */
import { UsageError, choiceOption, numberOption, parseCommandArgs } from '../args.ts';
import type { ParsedArgs } from '../args.ts';
import { formatNumber, writeJson } from '../io.ts';
import type { CliIo, Command } from '../io.ts';
import { requiredSampleSize } from '../../engine/stats/sampleSize.ts';
import type { SampleSizeMethod, SampleSizeResult } from '../../engine/stats/sampleSize.ts';
import { formatPercentSignificant } from '../../engine/text/format.ts';

const METHOD_SOURCES: Record<SampleSizeMethod, string> = {
  pooled: 'pooled variance, as R power.prop.test',
  arcsine: "arcsine / Cohen's h, as statsmodels NormalIndPower",
};


/** Reads --target or --lift (exactly one) and returns the target rate, checked against the baseline. */
function readTarget(args: ParsedArgs, baseline: number): number {
  const hasTarget = args.values.target !== undefined;
  const hasLift = args.values.lift !== undefined;
  if (hasTarget && hasLift) throw new UsageError('give either --target or --lift, not both');
  if (!hasTarget && !hasLift) throw new UsageError('--target is required (or give --lift, a relative change)');
  if (hasTarget) {
    const target = numberOption(args, 'target', { min: 0, max: 1 });
    if (target === baseline) throw new UsageError(`--target must differ from --baseline, both are ${target}`);
    return target;
  }
  const lift = numberOption(args, 'lift');
  const target = baseline * (1 + lift);
  if (!(target >= 0 && target <= 1)) {
    throw new UsageError(`--lift must keep the target rate between 0 and 1, got ${baseline}·(1 + ${lift}) = ${target}`);
  }
  if (target === baseline) throw new UsageError(`--lift must change the rate, got ${lift}`);
  return target;
}

function summary(result: SampleSizeResult): string {
  const sign = result.absoluteEffect > 0 ? '+' : '−';
  const relative = Number.isFinite(result.relativeEffect)
    ? `, ${sign}${formatNumber(Math.abs(100 * result.relativeEffect))}% relative`
    : '';
  const lines = [
    `Sample size (${METHOD_SOURCES[result.method]}; method: ${result.method})`,
    `  baseline ${formatPercentSignificant(result.baseline)} → target ${formatPercentSignificant(result.target)} ` +
      `(${sign}${formatNumber(Math.abs(100 * result.absoluteEffect))} points${relative})`,
    `  ${result.sides === 2 ? 'two-sided' : 'one-sided'} test, α = ${result.alpha}, power ${formatNumber(100 * result.power)}%, ` +
      `allocation 1:${result.ratio}`,
  ];
  if (result.ratio === 1) {
    lines.push(`  n per arm: ${result.nPerArm}  (unrounded ${result.nPerArmExact.toFixed(2)})`);
  } else {
    lines.push(
      `  first arm (baseline): ${result.nPerArm}  (unrounded ${result.nPerArmExact.toFixed(2)})`,
      `  second arm (target):  ${result.nSecondArm}  (${result.ratio} × first arm, rounded up)`,
    );
  }
  lines.push(`  total: ${result.nTotal}`);
  return lines.join('\n') + '\n';
}

/** The `size` command object (register it in src/cli/commands/index.ts). */
export const sizeCommand: Command = {
  name: 'size',
  summary: 'sample size per arm to detect a change of a success rate (pooled or arcsine method)',
  usage:
    'size --baseline <rate> (--target <rate> | --lift <relative change>) [--alpha 0.05] [--power 0.8] ' +
    '[--ratio 1] [--sides 2] [--method pooled|arcsine] [--json]',
  run(argv: string[], io: CliIo): number {
    const args = parseCommandArgs(argv, {
      baseline: { type: 'string' },
      target: { type: 'string' },
      lift: { type: 'string' },
      alpha: { type: 'string' },
      power: { type: 'string' },
      ratio: { type: 'string' },
      sides: { type: 'string' },
      method: { type: 'string' },
    });
    const baseline = numberOption(args, 'baseline', { min: 0, max: 1 });
    const target = readTarget(args, baseline);
    const alpha = numberOption(args, 'alpha', { default: 0.05, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
    const power = numberOption(args, 'power', { default: 0.8, min: alpha, max: 1, exclusiveMin: true, exclusiveMax: true });
    const ratio = numberOption(args, 'ratio', { default: 1, min: 0, exclusiveMin: true });
    const sides = Number(choiceOption(args, 'sides', ['1', '2'] as const, '2')) as 1 | 2;
    const method = choiceOption(args, 'method', ['pooled', 'arcsine'] as const, 'pooled');

    const result = requiredSampleSize({ baseline, target, alpha, power, ratio, sides, method });
    if (args.values.json) {
      writeJson(io, {
        method: result.method,
        baseline: result.baseline,
        target: result.target,
        absoluteEffect: result.absoluteEffect,
        lift: Number.isFinite(result.relativeEffect) ? result.relativeEffect : null,
        alpha: result.alpha,
        power: result.power,
        ratio: result.ratio,
        sides: result.sides,
        nPerArmExact: result.nPerArmExact,
        nPerArm: result.nPerArm,
        nSecondArm: result.nSecondArm,
        nTotal: result.nTotal,
      });
    } else {
      io.stdout.write(summary(result));
    }
    return 0;
  },
};

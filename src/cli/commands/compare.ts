/**
 * `rollout-lab compare`: decides an A/B test on success rates from the counts — z-test, Wilson
 * and Newcombe intervals, the planned sample size, and a plain-language recommendation.
 */

import type { ABTestResult } from '../../engine/stats/abDecision.ts';
import { decideAB } from '../../engine/stats/abDecision.ts';
import type { ProportionCounts } from '../../engine/stats/proportions.ts';
import { formatPercent } from '../../engine/text/format.ts';
import type { ParsedArgs } from '../args.ts';
import { numberOption, parseCommandArgs, stringOption, UsageError } from '../args.ts';
import type { CliIo, Command } from '../io.ts';
import { formatNumber, writeJson } from '../io.ts';

/** Parses `--name successes/total`, e.g. `43/50`. */
function countsOption(args: ParsedArgs, name: string): ProportionCounts {
  const raw = stringOption(args, name);
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  if (!match) throw new UsageError(`--${name} must be successes/total, e.g. 43/50, got '${raw}'`);
  const successes = Number(match[1]);
  const total = Number(match[2]);
  if (!Number.isSafeInteger(successes) || !Number.isSafeInteger(total)) {
    throw new UsageError(`--${name} counts are too large, got '${raw}'`);
  }
  if (total < 1) throw new UsageError(`--${name} total must be at least 1, got '${raw}'`);
  if (successes > total) {
    throw new UsageError(`--${name} successes must be at most the total, got ${successes}/${total}`);
  }
  return { successes, total };
}

const points = (difference: number): string =>
  `${difference > 0 ? '+' : difference < 0 ? '−' : ''}${Math.abs(100 * difference).toFixed(2)}`;

function summary(a: ProportionCounts, b: ProportionCounts, result: ABTestResult): string {
  const level = `${formatNumber(100 * (1 - result.alpha))}%`;
  return [
    `A: ${a.successes}/${a.total} = ${formatPercent(result.rateA, 2)}  (${level} Wilson ${formatPercent(result.intervalA.lower, 2)} – ${formatPercent(result.intervalA.upper, 2)})`,
    `B: ${b.successes}/${b.total} = ${formatPercent(result.rateB, 2)}  (${level} Wilson ${formatPercent(result.intervalB.lower, 2)} – ${formatPercent(result.intervalB.upper, 2)})`,
    `B − A: ${points(result.effect)} points  (${level} Newcombe ${points(result.effectInterval.lower)} to ` +
      `${points(result.effectInterval.upper)}), z = ${formatNumber(result.z)}, p = ${formatNumber(result.pValue)}`,
    `Planned sample to detect ±${formatNumber(100 * result.minimumEffect)} points with ${formatNumber(100 * result.power)}% power: ` +
      `${result.requiredSampleSizePerArm} per arm (${result.sampleSizeReached ? 'reached' : 'not reached'})`,
    `Decision: ${result.decision}`,
    result.recommendation,
    '',
  ].join('\n');
}

/** The `compare` command object (register it in src/cli/commands/index.ts). */
export const compareCommand: Command = {
  name: 'compare',
  summary: 'decide an A/B test on success rates: z-test, Wilson/Newcombe intervals, sample size, verdict',
  usage: 'compare --a <successes/total> --b <successes/total> [--alpha 0.05] [--power 0.8] [--min-effect 0.02] [--json]',
  run(argv: string[], io: CliIo): number {
    const args = parseCommandArgs(argv, {
      a: { type: 'string' },
      b: { type: 'string' },
      alpha: { type: 'string' },
      power: { type: 'string' },
      'min-effect': { type: 'string' },
    });
    const a = countsOption(args, 'a');
    const b = countsOption(args, 'b');
    const alpha = numberOption(args, 'alpha', { default: 0.05, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
    const power = numberOption(args, 'power', { default: 0.8, min: alpha, max: 1, exclusiveMin: true, exclusiveMax: true });
    const minimumEffect = numberOption(args, 'min-effect', {
      default: 0.02,
      min: 0,
      max: 1,
      exclusiveMin: true,
      exclusiveMax: true,
    });
    const rateA = a.successes / a.total;
    if (rateA + minimumEffect > 1 && rateA - minimumEffect < 0) {
      throw new UsageError(`--min-effect ${minimumEffect} leaves no room on either side of A's rate ${rateA}`);
    }

    const result = decideAB({ a, b, alpha, power, minimumEffect });
    if (args.values.json) {
      writeJson(io, {
        a,
        b,
        rateA: result.rateA,
        rateB: result.rateB,
        z: result.z,
        pValue: result.pValue,
        ciA: result.intervalA,
        ciB: result.intervalB,
        effect: result.effect,
        effectInterval: result.effectInterval,
        decision: result.decision,
        requiredSampleSizePerArm: result.requiredSampleSizePerArm,
        sampleSizeReached: result.sampleSizeReached,
        additionalSamplesPerArm: result.additionalSamplesPerArm,
        alpha,
        power,
        minEffect: minimumEffect,
        recommendation: result.recommendation,
      });
    } else {
      io.stdout.write(summary(a, b, result));
    }
    return 0;
  },
};

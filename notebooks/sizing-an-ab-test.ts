import * as Plot from '@observablehq/plot';
import type { SampleSizeMethod, SampleSizeResult } from '../src/engine/stats/sampleSize.ts';
import { powerForSampleSize, requiredSampleSize } from '../src/engine/stats/sampleSize.ts';
import type { Notebook } from './notebook.ts';

/** Sizing an A/B test on a success rate: both formulas, power curves, and days of traffic. */
const notebook: Notebook = {
  id: 'sizing-an-ab-test',
  title: 'Sizing an A/B test',
  summary:
    'How many users an A/B test on a success rate needs, by the two standard formulas; why they differ; power against effect size and against test duration; and how many days that is at your traffic.',
  cells: [
    {
      kind: 'markdown',
      text: `# Sizing an A/B test

Our new model should lift the success rate from **10%** to **12%**. Before the test starts we must know how many users each arm needs so that a real lift of that size is detected with probability 80% (the *power*), while a candidate that is no better is declared better at most 5% of the time (the *level* α, two-sided).

There are two formulas in common use, and Rollout Lab offers both (DESIGN.md §3):

- the **pooled** z-test formula of R's \`power.prop.test\`: the variance of the difference is pooled under the null hypothesis and unpooled under the alternative;
- the **arcsine** formula of statsmodels' \`NormalIndPower\` with Cohen's *h* = 2·asin(√p₂) − 2·asin(√p₁): the arcsine transform makes the variance of a rate independent of the rate, so one variance serves both hypotheses.`,
    },
    {
      kind: 'code',
      name: 'pooled',
      run: () => {
        return requiredSampleSize({ baseline: 0.1, target: 0.12, alpha: 0.05, power: 0.8, sides: 2, method: 'pooled' });
      },
    },
    {
      kind: 'code',
      name: 'arcsine',
      run: () => {
        return requiredSampleSize({ baseline: 0.1, target: 0.12, alpha: 0.05, power: 0.8, sides: 2, method: 'arcsine' });
      },
    },
    {
      kind: 'markdown',
      text: `## Why the two numbers differ

Both solve the same normal approximation, but with different variances. The pooled formula charges the null hypothesis the variance of the pooled rate p̄ = 11% and the alternative the variances of 10% and 12%; the arcsine formula uses 1/(4n) on the transformed scale for both. For rates this close the difference is a few users per arm (well under 1%); it grows for rates near 0 or 1 and for large relative lifts, where the arcsine scale stretches. Neither is wrong: report which one a number uses.`,
    },
    {
      kind: 'code',
      name: 'comparison',
      run: ({ pooled, arcsine }: { pooled: SampleSizeResult; arcsine: SampleSizeResult }) => {
        const rows = [pooled, arcsine].map((result) => ({
          method: result.method,
          nPerArm: result.nPerArm,
          nTotal: result.nTotal,
          exactSolution: Number(result.nPerArmExact.toFixed(2)),
        }));
        return { table: rows, caption: 'Users per arm for 10% → 12%, α = 0.05 two-sided, power 0.8' };
      },
    },
    {
      kind: 'markdown',
      text: `## Power against the effect

With the pooled sample size fixed, how likely is the test to detect lifts other than the one we planned for? Power rises steeply around the planned effect: a lift half as large is detected far less than half as often. The two methods' curves lie on top of each other at these rates.`,
    },
    {
      kind: 'code',
      name: 'powerAgainstEffect',
      run: ({ pooled }: { pooled: SampleSizeResult }) => {
        const methods: SampleSizeMethod[] = ['pooled', 'arcsine'];
        const points = methods.flatMap((method) =>
          Array.from({ length: 40 }, (_, i) => 0.101 + i * 0.001).map((target) => ({
            method,
            target,
            power: powerForSampleSize({ baseline: 0.1, target, nPerArm: pooled.nPerArm, method }).power,
          })),
        );
        return {
          caption: `Power of a test with ${pooled.nPerArm} users per arm against the candidate's true success rate (control 10%).`,
          figure: {
            width: 640,
            height: 300,
            x: { label: 'Candidate success rate', tickFormat: '.1%', grid: true },
            y: { label: 'Power', domain: [0, 1], tickFormat: '.0%', grid: true },
            color: { legend: true },
            marks: [
              Plot.ruleY([0.8], { stroke: '#888', strokeDasharray: '4 3' }),
              Plot.ruleX([0.12], { stroke: '#888', strokeDasharray: '4 3' }),
              Plot.line(points, { x: 'target', y: 'power', stroke: 'method', strokeWidth: 2 }),
            ],
          },
        };
      },
    },
    {
      kind: 'markdown',
      text: `## Power against duration, and days needed

Sample size becomes time once we know the traffic. Say **2,000 users a day** enter the test, split 50/50 between the arms. Each day adds 1,000 users per arm; the curves below show the power reached after each day for three relative lifts (+10%, +20%, +30%, i.e. 11%, 12% and 13%).`,
    },
    {
      kind: 'code',
      name: 'powerAgainstDuration',
      run: () => {
        const usersPerDay = 2000;
        const lifts = [0.1, 0.2, 0.3];
        const points = lifts.flatMap((lift) =>
          Array.from({ length: 28 }, (_, i) => i + 1).map((days) => ({
            lift: '+' + Math.round(lift * 100) + '%',
            days,
            power: powerForSampleSize({ baseline: 0.1, lift, nPerArm: (days * usersPerDay) / 2, method: 'pooled' }).power,
          })),
        );
        return {
          caption: 'Power of the pooled z-test (α = 0.05, two-sided) after each day at 2,000 users a day, control at 10%.',
          figure: {
            width: 640,
            height: 300,
            x: { label: 'Days of traffic', grid: true },
            y: { label: 'Power', domain: [0, 1], tickFormat: '.0%', grid: true },
            color: { legend: true },
            marks: [
              Plot.ruleY([0.8], { stroke: '#888', strokeDasharray: '4 3' }),
              Plot.line(points, { x: 'days', y: 'power', stroke: 'lift', strokeWidth: 2 }),
              Plot.dot(points, { x: 'days', y: 'power', fill: 'lift', r: 2, tip: true }),
            ],
          },
        };
      },
    },
    {
      kind: 'code',
      name: 'daysNeeded',
      run: () => {
        const usersPerDay = 2000;
        const rows = [0.1, 0.2, 0.3].map((lift) => {
          const size = requiredSampleSize({ baseline: 0.1, lift, power: 0.8, method: 'pooled' });
          return { lift, target: size.target, nPerArm: size.nPerArm, nTotal: size.nTotal, days: Math.ceil(size.nTotal / usersPerDay) };
        });
        return { table: rows, caption: 'Days to reach 80% power at 2,000 users a day (pooled method, α = 0.05 two-sided)' };
      },
    },
    {
      kind: 'markdown',
      text: `A +10% lift needs about four times the users of a +20% lift: the sample size grows with 1/effect². Run the test for whole weeks (7 or 14 days, not 11) so that each weekday weighs the same in both arms, and decide the duration *before* looking at the results — the next notebook, *The cost of peeking*, shows what happens otherwise.`,
    },
  ],
};

export default notebook;

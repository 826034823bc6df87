import * as Plot from '@observablehq/plot';
import type { HealthRule, Policy } from '../src/engine/policy/policy.ts';
import { logGamma } from '../src/engine/stats/distributions.ts';
import { simulate } from '../src/sim/runner.ts';
import { parseScenario } from '../src/sim/scenario.ts';
import type { Notebook } from './notebook.ts';

type FireProbability = (requestsPerArm: number, errorRate: number) => number;

/** Why "roll back if the error rate doubles" misfires at low traffic, and what a statistical rule does instead. */
const notebook: Notebook = {
  id: 'ratio-thresholds-at-low-traffic',
  title: 'Why ratio thresholds misfire at low traffic',
  summary:
    '"Roll back if the candidate\'s error rate is twice control\'s" rolls back perfectly healthy models when windows are small. The exact probability per window and over a canary, and a simulation of what a statistical rule with a minimum effect does instead.',
  cells: [
    {
      kind: 'markdown',
      text: `# Why ratio thresholds misfire at low traffic

The rule of thumb is *"roll back if the candidate's error rate is more than twice the baseline's"*, checked every five minutes. It reads like a safety margin: a healthy candidate has the same error rate, so a factor of two seems far away.

It is far away for the *true* rates, but the rule compares *observed* rates, and with a 1% error rate a five-minute window of 100 requests holds about one error. Observing 2 errors against control's 0 or 1 is an everyday event. Below we compute exactly how often a **perfectly healthy** candidate (same error rate as control) breaks the rule.

In one window each arm serves n requests; errors are Binomial(n, p) in each arm, independently. The rule fires when e_candidate / n > 2 · e_control / n, i.e. e_candidate > 2 · e_control (strictly, as the engine compares), so

P(fire) = Σₖ P(e_control = k) · P(e_candidate > 2k).`,
    },
    {
      kind: 'code',
      name: 'fireProbability',
      run: (): FireProbability => {
        return (requestsPerArm: number, errorRate: number) => {
          const n = requestsPerArm;
          const logChoose = logGamma(n + 1);
          const pmf = new Float64Array(n + 1);
          for (let k = 0; k <= n; k++) {
            pmf[k] = Math.exp(
              logChoose - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(errorRate) + (n - k) * Math.log1p(-errorRate),
            );
          }
          // above[k] = P(e > k)
          const above = new Float64Array(n + 1);
          for (let k = n - 1; k >= 0; k--) above[k] = above[k + 1] + pmf[k + 1];
          let probability = 0;
          for (let k = 0; 2 * k < n; k++) probability += pmf[k] * above[2 * k];
          return probability;
        };
      },
    },
    {
      kind: 'code',
      name: 'perWindow',
      run: ({ fireProbability }: { fireProbability: FireProbability }) => {
        const requests = [50, 100, 200, 500, 1000, 2000, 5000, 10000];
        const errorRates = [0.005, 0.01, 0.02];
        const rows = errorRates.flatMap((errorRate) =>
          requests.map((requestsPerArm) => ({
            errorRate,
            requestsPerArm,
            falseAlarmPerWindow: fireProbability(requestsPerArm, errorRate),
          })),
        );
        return {
          caption: 'Probability that one window of a healthy candidate breaks "error rate ≤ 2 × control" (exact, binomial).',
          figure: {
            width: 640,
            height: 320,
            x: { type: 'log', label: 'Requests per arm per window', grid: true },
            y: { label: 'P(rule fires in one window)', tickFormat: '.0%', grid: true, zero: true },
            color: { legend: true, tickFormat: '.1%', type: 'ordinal' },
            marks: [
              Plot.line(rows, { x: 'requestsPerArm', y: 'falseAlarmPerWindow', stroke: 'errorRate', strokeWidth: 2 }),
              Plot.dot(rows, { x: 'requestsPerArm', y: 'falseAlarmPerWindow', fill: 'errorRate', r: 3, tip: true }),
            ],
          },
        };
      },
    },
    {
      kind: 'markdown',
      text: `At 100 requests per window and a 1% error rate, about one window in four breaks the rule. The usual guard — *at least 100 requests per window before a rule may fire* — does not help: the rule misfires right at the guard. Only with thousands of requests per window does the factor of two become a real margin.

## Over a whole canary

A canary stage is not one check. Two hours of five-minute windows are K = 24 checks, and with a failure limit of 1 the first misfire rolls back: P(false rollback) = 1 − (1 − P(fire))^K.`,
    },
    {
      kind: 'code',
      name: 'overCanary',
      run: ({ fireProbability }: { fireProbability: FireProbability }) => {
        const checks = 24;
        const rows = [100, 500, 1000, 2000, 5000, 10000].map((requestsPerArm) => {
          const perWindow = fireProbability(requestsPerArm, 0.01);
          return { requestsPerArm, perWindow, falseRollbackOver24Checks: 1 - (1 - perWindow) ** checks };
        });
        return {
          table: rows,
          caption: 'Healthy candidate, 1% error rate in both arms: false rollbacks over a 2-hour canary of 24 five-minute checks (exact)',
        };
      },
    },
    {
      kind: 'markdown',
      text: `## What a statistical rule does instead

A **statistical rule** asks a different question: is the candidate's error rate higher than the reference's *by more than a minimum effect that matters* (here half a percentage point), with a one-sided test on everything the stage has seen so far, corrected for looking at every window (always-valid, α = 5% over the whole stage)? Noise at low traffic cannot fire it, because a handful of errors is not evidence; a real regression still can, because the evidence accumulates across windows.

We let the engine's controller decide on simulated windows: a canary at 10% of 2,000 requests per five-minute window (about 200 candidate requests per window), 12 checks, concurrent baseline, run once with the ratio rule and once with the statistical rule, on a healthy candidate (1% errors, like control) and on a broken one (3% errors). 400 seeded replicates per cell; rates with 95% Wilson intervals.`,
    },
    {
      kind: 'code',
      name: 'simulated',
      run: () => {
        const windowSeconds = 300;
        const world = (candidateErrorRate: number) => {
          const parsed = parseScenario({
            version: 1,
            name: 'low-traffic canary, candidate error rate ' + candidateErrorRate,
            horizon: '30d',
            traffic: { requestsPerSecond: 2000 / windowSeconds, users: { count: 5000 } },
            control: { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate: 0.01 },
            candidate: { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate: candidateErrorRate },
            truth: { errorRateRatio: 1.2 },
          });
          if (!parsed.ok) throw new Error(parsed.errors.map((error) => error.path + ': ' + error.message).join('; '));
          return parsed.scenario;
        };
        const policy = (name: string, rules: HealthRule[]): Policy => ({
          version: 1,
          name,
          baseline: { mode: 'concurrent' },
          guards: { minRequests: 100, failureLimit: 1 },
          flag: { name: 'notebook-low-traffic' },
          stages: [
            { kind: 'canary', traffic: 0.1, minDuration: 12 * windowSeconds, checkInterval: windowSeconds, rules },
            { kind: 'promote' },
          ],
        });
        const policies = [
          policy('ratio: error rate ≤ 2 × control', [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }]),
          policy('statistical: +0.5 points, always-valid', [
            { type: 'statistical', metric: 'errorRate', minimumEffect: 0.005, alpha: 0.05, method: 'alwaysValid' },
          ]),
        ];
        const rows = policies.map((rulePolicy) => {
          const healthy = simulate(world(0.01), rulePolicy, { replicates: 400, seed: 'notebook: ratio thresholds' });
          const broken = simulate(world(0.03), rulePolicy, { replicates: 400, seed: 'notebook: ratio thresholds' });
          return {
            rule: rulePolicy.name,
            falseRollbackRate: healthy.falseRollbackRate.rate,
            falseRollbackInterval: [healthy.falseRollbackRate.lower, healthy.falseRollbackRate.upper],
            detectionRate: broken.rollbackRate.rate,
            detectionInterval: [broken.rollbackRate.lower, broken.rollbackRate.upper],
            meanDetectionMinutes: broken.detectionTime.mean === null ? null : broken.detectionTime.mean / 60,
          };
        });
        return {
          table: rows,
          caption: 'Simulated canary, 12 five-minute checks at ~200 candidate requests per window (400 replicates each)',
        };
      },
    },
    {
      kind: 'code',
      name: 'simulatedFigure',
      run: ({ simulated }: { simulated: { table: { rule: string; falseRollbackRate: number; detectionRate: number }[] } }) => {
        const points = simulated.table.flatMap((row) => [
          { rule: row.rule, outcome: 'false rollback (healthy candidate)', rate: row.falseRollbackRate },
          { rule: row.rule, outcome: 'rollback of a 3× worse candidate', rate: row.detectionRate },
        ]);
        return {
          caption: 'The ratio rule rolls back healthy and broken candidates alike; the statistical rule tells them apart.',
          figure: {
            width: 640,
            height: 260,
            marginLeft: 230,
            x: { label: 'Share of replicates rolled back', domain: [0, 1], tickFormat: '.0%', grid: true },
            y: { label: null },
            fy: { label: null },
            color: { legend: true },
            marks: [Plot.barX(points, { x: 'rate', y: 'outcome', fy: 'rule', fill: 'outcome', tip: true })],
          },
        };
      },
    },
    {
      kind: 'markdown',
      text: `**Lesson.** A ratio of observed rates has no notion of sample size: at low traffic it is a coin that is tossed every five minutes. Use a minimum number of *errors* (not requests) before a ratio may fire, or better, a one-sided test with a minimum effect that accumulates evidence over the stage and is corrected for repeated looks.`,
    },
  ],
};

export default notebook;

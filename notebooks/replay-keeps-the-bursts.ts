import * as Plot from '@observablehq/plot';
import { syntheticLogCsv } from '../scripts/syntheticLogs.ts';
import type { Policy } from '../src/engine/policy/policy.ts';
import { parseColumnMapping } from '../src/sim/replay/columnMapping.ts';
import { parseErrorRule } from '../src/sim/replay/errorRule.ts';
import type { ParsedLog } from '../src/sim/replay/parseLog.ts';
import { parseLog } from '../src/sim/replay/parseLog.ts';
import { replayRequests } from '../src/sim/replay/replayRequests.ts';
import { replayLog } from '../src/sim/replay/replayWorld.ts';
import type { Notebook } from './notebook.ts';

interface Comparison {
  maxRatio: number;
  method: string;
  falseRollbackRate: number;
  lower: number;
  upper: number;
}

/** False rollbacks of error-ratio rules on a log with bursts of errors: the log's own windows, the old i.i.d. replay, the request replay. */
const notebook: Notebook = {
  id: 'replay-keeps-the-bursts',
  title: 'A replay that keeps the bursts',
  summary:
    "Failures come in bursts. A replay that draws each request's error independently at the log's average rate misses them and promises far fewer false rollbacks than the log's own history shows; replaying whole requests in blocks does not.",
  cells: [
    {
      kind: 'markdown',
      text: `# A replay that keeps the bursts

A replayed log is only as truthful as what it keeps. Rollout Lab's first replay resampled the log's *arrival times* in blocks but drew each replayed request's error **independently at the log's average error rate**. Real failures come in bursts — an overloaded node, a bad dependency for twenty minutes — and a threshold tuned on independent draws fires on the first bad afternoon.

The replay now resamples whole *requests* — time, status, latency and user together — in blocks whose length comes from the data (the Politis–White rule on the per-minute error counts and latencies), and always reports, beside the resampled estimate, the same policy run on the log's **own consecutive windows**.

We found no public request log with failures and a licence that lets us ship it, so this notebook uses a synthetic log with known structure, written by \`scripts/syntheticLogs.ts\`: seven days at 10 requests a minute; each minute is *normal* (0.5 % of requests fail) or in a *burst* (20 % fail), a two-state Markov chain with bursts starting with probability 0.005 a minute and lasting 20 minutes on average — 2.3 % of requests fail overall.`,
    },
    {
      kind: 'code',
      name: 'log',
      run: (): ParsedLog => {
        const csv = syntheticLogCsv({
          process: { kind: 'bursty', errorRates: [0.005, 0.2], toBurst: 0.005, toNormal: 0.05 },
          days: 7,
          requestsPerMinute: 10,
          seed: 1,
        });
        return parseLog(csv, {
          mapping: parseColumnMapping('timestamp=timestamp,latency=latency_ms,status=status'),
          errorRule: parseErrorRule('status == FAILED'),
        });
      },
    },
    {
      kind: 'markdown',
      text: `## The policies

The seed practice: a four-hour historical baseline, then a canary at 50 % for two hours (at most three), checked every ten minutes against **error rate ≤ k × baseline**, rolled back at the first failing check. The candidate is an exact copy of control, so every rollback is a false rollback. We compare k = 2, 3 and 4, each three ways: the rules on the log's own windows (runs started every ten minutes through the week), the old replay, and the request replay (200 replicates each, seed 1).`,
    },
    {
      kind: 'code',
      name: 'comparison',
      run: ({ log }: { log: ParsedLog }): Comparison[] => {
        const rows: Comparison[] = [];
        for (const maxRatio of [2, 3, 4]) {
          const policy = {
            version: 1,
            name: 'error rate ≤ ' + maxRatio + ' × baseline',
            baseline: { mode: 'historical' },
            guards: { minRequests: 10, failureLimit: 1 },
            onMaxDuration: 'rollback',
            flag: { name: 'notebook-bursts' },
            stages: [
              { kind: 'baseline', minDuration: '4h', minRequests: 1000, checkInterval: '10m' },
              {
                kind: 'canary',
                traffic: 0.5,
                minDuration: '2h',
                maxDuration: '3h',
                checkInterval: '10m',
                rules: [{ type: 'ratio', metric: 'errorRate', maxRatio }],
              },
              { kind: 'promote' },
            ],
          } as Policy;
          const replay = replayRequests(log, policy, { replicates: 200, seed: 1, maxOwnWindowRuns: 1000 });
          const old = replayLog(log, policy, { replicates: 200, seed: 1 }).summary.falseRollbackRate;
          const own = replay.ownWindows.falseRollbackRate;
          const fresh = replay.falseRollbackRate;
          rows.push({ maxRatio, method: "the log's own windows", falseRollbackRate: own.rate!, lower: own.lower!, upper: own.upper! });
          rows.push({ maxRatio, method: 'old replay (i.i.d. errors)', falseRollbackRate: old.rate!, lower: old.lower!, upper: old.upper! });
          rows.push({
            maxRatio,
            method: 'request replay (blocks)',
            falseRollbackRate: fresh.rate!,
            lower: fresh.lower!,
            upper: fresh.upper!,
          });
        }
        return rows;
      },
    },
    {
      kind: 'code',
      name: 'table',
      run: ({ comparison }: { comparison: Comparison[] }) => {
        return {
          table: comparison.map((row) => ({
            k: row.maxRatio,
            method: row.method,
            'false-rollback rate': row.falseRollbackRate.toFixed(3),
            '95% interval': '[' + row.lower.toFixed(3) + ', ' + row.upper.toFixed(3) + ']',
          })),
          caption:
            "Healthy candidate: false rollbacks of 'error rate ≤ k × baseline' on a week of bursty errors. The own-window runs overlap, so their interval is optimistic.",
        };
      },
    },
    {
      kind: 'code',
      name: 'figure',
      run: ({ comparison }: { comparison: Comparison[] }) => {
        return {
          figure: {
            x: { label: 'false-rollback rate', domain: [0, 1] },
            y: { label: null },
            fy: { label: 'k' },
            color: { legend: true },
            marks: [
              Plot.ruleY(comparison, { fy: 'maxRatio', y: 'method', x1: 'lower', x2: 'upper', stroke: 'method' }),
              Plot.dot(comparison, { fy: 'maxRatio', y: 'method', x: 'falseRollbackRate', fill: 'method', r: 4, tip: true }),
            ],
            marginLeft: 170,
          },
          caption:
            "False-rollback rate of each threshold k by method, with 95% Wilson intervals: the request replay agrees with the log's own windows; the i.i.d. replay does not, in either direction.",
        };
      },
    },
    {
      kind: 'markdown',
      text: `## Reading it

For every threshold the request replay lands close to the log's own history. The i.i.d. replay is wrong both ways. At k = 3 and 4 it promises a small fraction of the false rollbacks the history shows: a burst lifts the candidate's error rate for twenty minutes while the historical baseline does not move, and a ratio rule against it fires — independent draws at the average rate almost never produce such a window. At k = 2 it fires *more* often than the history: outside bursts this log fails at 0.5 %, not at its 2.3 % average, so the quiet windows that a real canary mostly sees are quieter than the i.i.d. replay makes them.

Two checks keep the replay honest on your own log. The **own-windows** line is the policy on your real history, no resampling at all; when the replay and it disagree, believe the history and look at the block length (\`--block-minutes\`). And \`scripts/reference/synthetic_logs.py\` computes the rate of this log's generating process independently (NumPy, 400 000 simulated runs); \`test/sim/replay/syntheticReplay.test.ts\` checks that the replay matches it — and that the old replay does not.`,
    },
  ],
};

export default notebook;

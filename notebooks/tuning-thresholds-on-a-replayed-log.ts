import * as Plot from '@observablehq/plot';
import type { Policy } from '../src/engine/policy/policy.ts';
import { parseColumnMapping } from '../src/sim/replay/columnMapping.ts';
import { parseInjection } from '../src/sim/replay/injection.ts';
import type { ParsedLog } from '../src/sim/replay/parseLog.ts';
import { parseLog } from '../src/sim/replay/parseLog.ts';
import { replayRequests } from '../src/sim/replay/replayRequests.ts';
import requestsLogCsv from './data/requests-one-day.csv?raw';
import type { Notebook } from './notebook.ts';

interface SweepPoint {
  checkInterval: string;
  maxRatio: number;
  falseRollbackRate: number;
  falseRollbackLower: number;
  falseRollbackUpper: number;
  detectionRate: number;
  detectionLower: number;
  detectionUpper: number;
}

/** Sweep an error-ratio threshold against a replayed production log: false rollbacks against detection. */
const notebook: Notebook = {
  id: 'tuning-thresholds-on-a-replayed-log',
  title: 'Tuning thresholds on a replayed log',
  summary:
    "Replay one day of request logs as the control model's world, inject a regression into the candidate, and sweep the error-ratio threshold: how often each threshold rolls back a healthy candidate against how often it catches a broken one.",
  cells: [
    {
      kind: 'markdown',
      text: `# Tuning thresholds on a replayed log

Thresholds should be tuned on *your* traffic: its volume, its daily cycle, its bursts, its error rate. Rollout Lab replays a request log as the control model's world — its own requests, time, status, latency and user together, resampled in blocks of minutes near the same time of day, so that bursts of errors, latency spikes and the daily pattern survive — and lets us inject regressions into the candidate on top.

The log here is a small bundled sample (\`notebooks/data/requests-one-day.csv\`, one synthetic day of about 7,000 requests of a quiet service, written by \`notebooks/data/make_requests_log.py\`). Like real logs it mixes numeric and word statuses (\`200\`, \`OK\`, \`503\`, \`timeout\`); 4xx codes are the client's fault and do not count as model errors.`,
    },
    {
      kind: 'code',
      name: 'log',
      run: (): ParsedLog => {
        return parseLog(requestsLogCsv, {
          mapping: parseColumnMapping('timestamp=timestamp,latency=latency_ms,status=status,segment=segment,user=user'),
          latencyUnit: 'ms',
        });
      },
    },
    {
      kind: 'code',
      name: 'logReport',
      run: ({ log }: { log: ParsedLog }) => {
        let errors = 0;
        for (let i = 0; i < log.rows; i++) errors += log.errors[i];
        return {
          rowsAccepted: log.report.rowsAccepted,
          rowsRejected: log.report.rowsRejected,
          errorRate: errors / log.rows,
          hours: (log.timestamps[log.rows - 1] - log.timestamps[0]) / 3_600_000,
          requestsPerFiveMinutes: log.rows / ((log.timestamps[log.rows - 1] - log.timestamps[0]) / 300_000),
          statuses: log.report.statuses.map((status) => status.status + (status.error ? ' (error)' : '') + ': ' + status.count).join(', '),
        };
      },
    },
    {
      kind: 'markdown',
      text: `## The policy and the sweep

The policy under test is a single canary stage: half the traffic to the candidate for 24 hours, checked against control in the same window (concurrent baseline), at least 30 requests per arm before the rule may fire, the first failing check rolls back, and one rule — **candidate error rate ≤ k × control's**. We sweep k, for checks every hour and every six hours.

For each setting the replay runs every replicate twice on the same resampled requests (common random numbers): once with the candidate an exact copy of control, where every rollback is a **false rollback**, and once with the candidate's error rate tripled (\`errors*3\`), where a rollback is a **detection**. 200 replicates. The replay resamples whole requests — time, status, latency and user together — in blocks, and routes by the log's user column, as production would. A 24-hour canary may run up to 48 hours (held windows do not count), longer than this one-day log, so the replay reuses its blocks (\`allowShorterLog\`, the CLI's \`--allow-wrap\`) and cannot check the policy on the log's own windows.`,
    },
    {
      kind: 'code',
      name: 'sweep',
      run: ({ log }: { log: ParsedLog }): SweepPoint[] => {
        const policy = (checkInterval: string, maxRatio: number): Policy => ({
          version: 1,
          name: 'error rate ≤ ' + maxRatio + ' × control, checked every ' + checkInterval,
          baseline: { mode: 'concurrent' },
          guards: { minRequests: 30, failureLimit: 1 },
          flag: { name: 'notebook-replay' },
          stages: [
            { kind: 'canary', traffic: 0.5, minDuration: '24h', checkInterval, rules: [{ type: 'ratio', metric: 'errorRate', maxRatio }] },
            { kind: 'promote' },
          ],
        });
        const options = { replicates: 200, seed: 'notebook: replayed log', injections: parseInjection('errors*3'), allowShorterLog: true };
        return ['1h', '6h'].flatMap((checkInterval) =>
          [1.5, 2, 2.5, 3, 4, 6].map((maxRatio) => {
            const replay = replayRequests(log, policy(checkInterval, maxRatio), options);
            const healthy = replay.falseRollbackRate;
            const broken = replay.detection!.regressed.rollbackRate;
            return {
              checkInterval,
              maxRatio,
              falseRollbackRate: healthy.rate ?? NaN,
              falseRollbackLower: healthy.lower ?? NaN,
              falseRollbackUpper: healthy.upper ?? NaN,
              detectionRate: broken.rate ?? NaN,
              detectionLower: broken.lower ?? NaN,
              detectionUpper: broken.upper ?? NaN,
            };
          }),
        );
      },
    },
    {
      kind: 'code',
      name: 'tradeOff',
      run: ({ sweep }: { sweep: SweepPoint[] }) => {
        return {
          caption:
            'Each dot is one threshold k: false-rollback rate of a healthy candidate (x) against detection of a candidate with 3× the errors (y), with 95% Wilson intervals. Up and to the left is better.',
          figure: {
            width: 640,
            height: 360,
            x: { label: 'False-rollback rate (healthy candidate)', domain: [0, 1], tickFormat: '.0%', grid: true },
            y: { label: 'Detection rate (errors × 3)', domain: [0, 1], tickFormat: '.0%', grid: true },
            color: { legend: true, label: 'Check every' },
            marks: [
              Plot.line(sweep, { x: 'falseRollbackRate', y: 'detectionRate', stroke: 'checkInterval' }),
              Plot.ruleY(sweep, {
                y: 'detectionRate',
                x1: 'falseRollbackLower',
                x2: 'falseRollbackUpper',
                stroke: 'checkInterval',
                strokeOpacity: 0.5,
              }),
              Plot.ruleX(sweep, {
                x: 'falseRollbackRate',
                y1: 'detectionLower',
                y2: 'detectionUpper',
                stroke: 'checkInterval',
                strokeOpacity: 0.5,
              }),
              Plot.dot(sweep, { x: 'falseRollbackRate', y: 'detectionRate', fill: 'checkInterval', r: 4, tip: true }),
              Plot.text(sweep, {
                x: 'falseRollbackRate',
                y: 'detectionRate',
                text: (point: SweepPoint) => 'k = ' + point.maxRatio,
                dx: 8,
                textAnchor: 'start',
                fontSize: 10,
              }),
            ],
          },
        };
      },
    },
    {
      kind: 'markdown',
      text: `With hourly checks every threshold rolls back nearly every healthy candidate: an hour of this service holds about 150 requests per arm and one or two errors, so control often shows *no* error at all — and against a reference of zero, any candidate error is an infinite ratio, whatever k is. The threshold cannot fix that; the window length can. With six-hour checks the ratio compares counts large enough to mean something, and k becomes a real trade-off: small k catches the tripled error rate every time but rolls back many healthy candidates, large k the reverse.

**Lesson.** Tune the check window and the threshold together, on your own traffic — and at low volume prefer the statistical rule of *Why ratio thresholds misfire at low traffic*. The same replay runs on your log from the command line: \`rollout-lab replay LOG --map … --inject errors*3 --policy P\` (add \`--allow-wrap\` when the log is shorter than the rollout; with a longer log it also shows the policy on the log's own windows).`,
    },
  ],
};

export default notebook;

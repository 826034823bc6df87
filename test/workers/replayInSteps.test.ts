import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticLogCsv } from '../../scripts/syntheticLogs.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { parseColumnMapping } from '../../src/sim/replay/columnMapping.ts';
import { parseErrorRule } from '../../src/sim/replay/errorRule.ts';
import { parseInjection } from '../../src/sim/replay/injection.ts';
import { parseLog } from '../../src/sim/replay/parseLog.ts';
import { replayRequests } from '../../src/sim/replay/replayRequests.ts';
import { replayLog } from '../../src/sim/replay/replayWorld.ts';
import { replayInSteps, replayRequestsInSteps } from '../../workers/replayInSteps.ts';
import { runCli } from '../helpers/cli.ts';

const log = parseLog(readFileSync('notebooks/data/requests-one-day.csv', 'utf8'), {
  mapping: parseColumnMapping('timestamp=timestamp,latency=latency_ms,status=status,segment=segment,user=user'),
});
const resolved = () => Promise.resolve();

describe('replayRequestsInSteps: the app gives the numbers of the CLI', () => {
  // Two days of errors clustered by user (scripts/syntheticLogs.ts), and a short policy.
  const csv = syntheticLogCsv({
    process: { kind: 'clustered', heavyUser: 'heavy-0', heavyShare: 0.2, heavyErrorRate: 0.2, lightUsers: 100, lightErrorRate: 0.01 },
    days: 2,
    requestsPerMinute: 5,
    seed: 3,
  });
  const mapping = 'timestamp=timestamp,latency=latency_ms,status=status,user=user';
  const policyJson = {
    version: 1,
    name: 'short canary',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 20, failureLimit: 2 },
    onMaxDuration: 'rollback',
    stages: [
      {
        kind: 'canary',
        traffic: 0.25,
        minDuration: '2h',
        maxDuration: '4h',
        checkInterval: '15m',
        rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }],
      },
      { kind: 'promote' },
    ],
  };
  const parsed = parseLog(csv, { mapping: parseColumnMapping(mapping), errorRule: parseErrorRule('status == FAILED') });

  it('equals replayRequests and the JSON of rollout-lab replay for the same log, seed and policy', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-app-cli-'));
    const file = join(directory, 'log.csv');
    const policyFile = join(directory, 'policy.json');
    writeFileSync(file, csv);
    writeFileSync(policyFile, JSON.stringify(policyJson));
    const cli = await runCli([
      'replay',
      file,
      '--map',
      mapping,
      '--error-when',
      'status == FAILED',
      '--policy',
      policyFile,
      '--inject',
      'errors*2',
      '--replicates',
      '40',
      '--seed',
      '9',
      '--json',
    ]);
    expect(cli.code).toBe(0);
    const { file: _file, policy: _policy, parse: _parse, ...fromCli } = cli.json;
    const options = { replicates: 40, seed: 9, injections: parseInjection('errors*2') };
    const steps: number[] = [];
    const app = await replayRequestsInSteps(parsed, policyJson as never, { ...options, onProgress: (done) => steps.push(done) }, resolved);
    // JSON drops nothing the app shows: the same object after a JSON round trip.
    expect(JSON.parse(JSON.stringify(app))).toEqual(fromCli);
    expect(app).toEqual(replayRequests(parsed, policyJson as never, options));
    expect(steps).toEqual([10, 20, 30, 40]);
    // Including the check on the log's own windows and the reasons.
    expect(app.ownWindows.runs).toBeGreaterThan(100);
    expect(app.healthy.reasons.length).toBeGreaterThan(0);
  });

  it('stops between chunks of replicates once cancelled', async () => {
    const controller = new AbortController();
    let pauses = 0;
    const pause = async () => {
      if (++pauses === 3) controller.abort();
    };
    await expect(
      replayRequestsInSteps(parsed, policyJson as never, { replicates: 100, seed: 1 }, pause, controller.signal),
    ).rejects.toThrow('replay cancelled');
    expect(pauses).toBe(3);
  });
});

describe('replayInSteps (the former i.i.d. replay)', () => {
  it('equals replayLog exactly (same series, same replicate streams, same merge order)', async () => {
    for (const [inject, replicates, seed] of [
      ['latency*1.3', 30, 7],
      ['', 23, 'blue'],
      ['errors+0.01', 5, 3],
    ] as const) {
      const options = { replicates, seed, injections: inject === '' ? [] : parseInjection(inject) };
      const steps: number[] = [];
      const stepped = await replayInSteps(log, defaultPolicy(), { ...options, onProgress: (done) => steps.push(done) }, resolved);
      expect(stepped).toEqual(replayLog(log, defaultPolicy(), options));
      expect(steps.at(-1)).toBe(replicates);
    }
  });

  it('stops between bootstrap series once cancelled', async () => {
    const controller = new AbortController();
    let pauses = 0;
    const pause = async () => {
      if (++pauses === 3) controller.abort();
    };
    await expect(replayInSteps(log, defaultPolicy(), { replicates: 40, seed: 1 }, pause, controller.signal)).rejects.toThrow(
      'replay cancelled',
    );
    expect(pauses).toBe(3);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/cli/commands/replay.ts';
import { streamFor } from '../../src/engine/random/streams.ts';
import { runCli, runCommandObject } from '../helpers/cli.ts';

function run(argv: string[], stdinText?: string) {
  return runCommandObject(replayCommand, argv, stdinText);
}

/** Through `main`, as a user runs it: errors become one line on stderr and an exit code. */
function runMain(argv: string[], stdinText?: string) {
  return runCli(['replay', ...argv], stdinText);
}

/** One day of requests at 1.5/s, 1% errors (as "ERROR"/"OK"), latencies in seconds; versions v1 (70%) and v2. */
function logText(): string {
  const random = streamFor(4, 0, 'cli-log');
  const start = Date.UTC(2024, 2, 4);
  const lines = ['When,Took (s),Result,Version'];
  let t = start;
  for (;;) {
    t += (-Math.log(1 - random()) / 1.5) * 1000;
    if (t >= start + 86_400_000) break;
    const latency = 0.12 * Math.exp(0.4 * (random() + random() + random() - 1.5));
    lines.push(
      `${new Date(Math.round(t)).toISOString()},${latency.toFixed(4)},${random() < 0.01 ? 'ERROR' : 'OK'},${random() < 0.7 ? 'v1' : 'v2'}`,
    );
  }
  return lines.join('\r\n');
}

const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-replay-'));
const policyFile = join(directory, 'policy.json');
writeFileSync(
  policyFile,
  JSON.stringify({
    version: 1,
    name: 'short canary',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 200, failureLimit: 2 },
    stages: [
      {
        kind: 'canary',
        traffic: 0.25,
        minDuration: '6h',
        checkInterval: '30m',
        rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }],
      },
      { kind: 'promote' },
    ],
  }),
);
const text = logText();
const map = 'timestamp=when,latency=took (s),status=result';

const starvingPolicyFile = join(directory, 'starving.json');
writeFileSync(
  starvingPolicyFile,
  JSON.stringify({
    version: 1,
    name: 'starving canary',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 1000, failureLimit: 1 },
    onMaxDuration: 'rollback',
    stages: [
      {
        kind: 'canary',
        traffic: 0.25,
        minDuration: '2h',
        maxDuration: '4h',
        checkInterval: '30m',
        rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }],
      },
      { kind: 'promote' },
    ],
  }),
);

describe('rollout-lab replay', () => {
  it('pairs healthy and regressed runs on the same traffic and reports detection net of noise, as one JSON object', async () => {
    const result = await run(
      [
        '-',
        '--map',
        map,
        '--latency-unit',
        's',
        '--policy',
        policyFile,
        '--inject',
        'errors*4',
        '--replicates',
        '20',
        '--seed',
        '3',
        '--json',
      ],
      text,
    );
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const json = result.json;
    expect(json.policy).toBe('short canary');
    expect(json.replicates).toBe(20);
    expect(json.rolloutSeconds).toBe(12 * 3600); // no maximum duration: twice the 6 h minimum
    expect(json.shorterThanRollout).toBe(false);
    expect(json.routing).toEqual({ by: 'request', column: null, group: 'the flag' });
    expect(json.blockLength.how).toBe('politisWhite');
    expect(json.errorDefinition.rule).toBe('default');
    expect(json.errorDefinition.statuses.map((s: { status: string }) => s.status)).toEqual(['OK', 'ERROR']);
    expect(json.regression.injections).toEqual([{ kind: 'errorScale', factor: 4 }]);
    expect(json.regression.description).toMatch(/^candidate error rate × 4 \(1(\.\d+)?% → 4(\.\d+)?%\)$/);
    // 4× the error rate with ~675 candidate requests a window: every regressed run rolls back.
    const detection = json.detection;
    expect(detection.onlyBecauseOfRegression.count + detection.inBoth.count).toBe(20);
    expect(detection.missed.count).toBe(0);
    expect(detection.detectionTime.count).toBe(detection.onlyBecauseOfRegression.count);
    expect(json.falseRollbackRate.total).toBe(20);
    expect(json.falseRollbackRate.count).toBe(detection.inBoth.count + detection.onlyWithoutRegression.count);
    // The log (just under 24 h) holds 24 starts of a 12 h rollout at 30 min spacing.
    expect(json.ownWindows.runs).toBe(24);
    expect(json.ownWindows.nonOverlappingRuns).toBe(1);
    expect(json.parse.rowsRejected).toBe(0);
  });

  it('prints the error definition, statuses, block length, routing, the check on the log itself and what a miss means', async () => {
    const result = await run(
      ['-', '--map', map, '--latency-unit', 's', '--policy', policyFile, '--inject', 'latency*1.3', '--replicates', '10'],
      text,
    );
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^Log -: \d{1,3},\d{3} requests over 24 h$/m);
    expect(out).toMatch(/^Error definition: default rule: HTTP 500–599 and error words/m);
    expect(out).toMatch(/^ {2}statuses: 'OK' ×\d{1,3},\d{3}, 'ERROR \(error\)' ×[\d,]+; error rate 0\.\d+/m);
    expect(out).toMatch(
      /^Resampling: whole requests \(time, status, latency, user\) in blocks of \d+ min: the larger Politis–White block length/m,
    );
    expect(out).toContain('Routing: by a hash of each request (the log maps no user column)');
    expect(out).toMatch(/^ {2}false-rollback rate, replay {13}\S/m);
    expect(out).toMatch(/^ {2}false-rollback rate, the log's windows {2}.*\(24 runs started every 30m/m);
    expect(out).toContain(
      'Regressed candidate: every candidate latency × 1.3, from the first check window in which the candidate receives traffic',
    );
    expect(out).toContain('What a miss means: a missed regression is a run in which the policy promoted this candidate to all users');
  });

  it('says which stage never got the requests it needs', async () => {
    const result = await run(['-', '--map', map, '--latency-unit', 's', '--policy', starvingPolicyFile, '--replicates', '5'], text);
    expect(result.code).toBe(0);
    // 1.5 requests/s × 30 min × 25% ≈ 675 candidate requests a window, fewer than 1,000.
    expect(result.stdout).toMatch(/^ {4}canary 25% · maxDuration: 5 of 5 runs$/m);
    expect(result.stdout).toMatch(
      /^ {4}timed out: canary 25% saw at most \d{3} candidate requests in a check window, of the 1,000 needed \(5 runs\)$/m,
    );
  });

  it('routes sticky by the column of --sticky-by', async () => {
    const result = await run(
      ['-', '--map', map, '--latency-unit', 's', '--policy', policyFile, '--sticky-by', 'Version', '--replicates', '4', '--json'],
      text,
    );
    expect(result.code).toBe(0);
    expect(result.json.routing).toEqual({ by: 'user', column: 'Version', group: 'the flag' });
    expect(result.json.log.users).toBe(2);
  });

  it('replays one model version with --control', async () => {
    const all = await run(
      ['-', '--map', `${map},model=version`, '--latency-unit', 's', '--policy', policyFile, '--replicates', '2', '--json'],
      text,
    );
    const v2 = await run(
      [
        '-',
        '--map',
        `${map},model=version`,
        '--latency-unit',
        's',
        '--policy',
        policyFile,
        '--control',
        'v2',
        '--replicates',
        '2',
        '--json',
      ],
      text,
    );
    const share = v2.json.log.requests / all.json.log.requests;
    expect(share).toBeGreaterThan(0.27);
    expect(share).toBeLessThan(0.33);
  });

  it('is reproducible for a seed', async () => {
    const argv = [
      '-',
      '--map',
      map,
      '--latency-unit',
      's',
      '--policy',
      policyFile,
      '--inject',
      'errors*2',
      '--replicates',
      '8',
      '--seed',
      'abc',
      '--json',
    ];
    const first = await run(argv, text);
    const second = await run(argv, text);
    expect(second.json).toEqual(first.json);
  });

  describe('bad input: one line on stderr, exit code 2', () => {
    async function refuses(argv: string[], input: string, message: RegExp) {
      const result = await runMain(argv, input);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }

    it('an error rule that matches no row', () =>
      refuses(
        ['-', '--map', map, '--latency-unit', 's', '--policy', policyFile, '--error-when', 'status == FAIL'],
        text,
        /^rollout-lab replay: the error rule 'status == FAIL' matches none of the [\d,]+ accepted rows \(status values seen: 'OK' ×[\d,]+, 'ERROR' ×[\d,]+\)/,
      ));

    it('an error rule that makes every row an error (SUCCEED is no word the default rule knows)', () => {
      const succeed = text.replace(/,OK,/g, ',SUCCEED,').replace(/,ERROR,/g, ',FAILED,');
      return refuses(
        ['-', '--map', map, '--latency-unit', 's', '--policy', policyFile],
        succeed,
        /^rollout-lab replay: the error rule 'default' makes every one of the [\d,]+ accepted rows an error \([\d,]+ rows were rejected for a status it does not recognise\) \(status values seen: 'SUCCEED' ×[\d,]+, 'FAILED' ×[\d,]+\)/,
      );
    });

    it('a --sticky-by column the log does not have', () =>
      refuses(
        ['-', '--map', map, '--latency-unit', 's', '--policy', policyFile, '--sticky-by', 'session'],
        text,
        /^rollout-lab replay: .*session/,
      ));

    it('a log shorter than the rollout (the default policy takes up to 162 h), unless --allow-wrap', async () => {
      await refuses(
        ['-', '--map', map, '--latency-unit', 's'],
        text,
        /^rollout-lab replay: the log spans 24 h but a rollout under policy 'framework default' can take 162 h: replaying it would reuse the log's blocks \(allow that with --allow-wrap\)/,
      );
      const wrapped = await runMain(['-', '--map', map, '--latency-unit', 's', '--allow-wrap', '--replicates', '2'], text);
      expect(wrapped.code).toBe(0);
      expect(wrapped.stdout).toContain('Warning: the log (24 h) is shorter than the rollout (162 h)');
    });

    it('names the argument', async () => {
      await expect(run(['-', '--map', map, '--inject', 'latency^2'], text)).rejects.toThrow(
        "--inject: injection 'latency^2' must look like",
      );
      await expect(run(['-', '--map', map, '--replicates', '0'], text)).rejects.toThrow('--replicates must be at least 1, got 0');
      await expect(run(['-', '--map', map, '--policy', join(directory, 'missing.json')], text)).rejects.toThrow('cannot read policy file');
      await expect(run(['-', '--map', `${map},user=version`, '--sticky-by', 'result'], text)).rejects.toThrow(
        "--sticky-by 'result' differs from the mapped user column 'version': give one",
      );
      await expect(run(['--map', map])).rejects.toThrow('LOG is required');
    });
  });

  it('lists the problems of an invalid policy file with exit code 2', async () => {
    const bad = join(directory, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, name: 'bad', stages: 'no' }));
    const result = await run(['-', '--map', map, '--policy', bad], text);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`rollout-lab replay: ${bad} is not valid`);
  });

  it('documents --error-when in --help, and `log --help` lists the log commands', async () => {
    const help = await runCli(['replay', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--error-when EXPR says which requests failed, from the status column:');
    expect(help.stdout).toContain('--sticky-by COL routes by the log');
    const log = await runCli(['log', '--help']);
    expect(log.code).toBe(0);
    expect(log.stdout).toMatch(/^usage: rollout-lab log inspect LOG --map/);
    expect(log.stdout).toContain('"status == FAILED"');
  });
});

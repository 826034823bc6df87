import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/cli/commands/replay.ts';
import { formatDuration } from '../../src/engine/policy/duration.ts';
import { runCommandObject } from '../helpers/cli.ts';
import { type AppUnderTest, screenshotDir, startApp } from './browser.ts';

// The replay view in Chromium: importing a log in a worker (the bundled sample, a log with bad
// rows, a generated million-row CSV), the parse report, the summary, and replays whose numbers
// must equal `rollout-lab replay --json` for the same log and settings.
const view = 'rl-replay-view';
const sampleLog = 'notebooks/data/requests-one-day.csv';
const millionRowLog = 'test-results/million-rows.csv';
const servingLog = 'test-results/serving-cluster.csv';
const servingPolicyFile = 'test-results/serving-policy.json';

/** A policy a low-traffic service could run: a 50% canary checked hourly (error ratio ≤ 3, two failing checks in a row), then all traffic. */
const servingPolicy = {
  version: 1,
  name: 'hourly canary',
  baseline: { mode: 'concurrent' },
  guards: { minRequests: 20, failureLimit: 2 },
  onMaxDuration: 'rollback',
  flag: { name: 'candidate-model', stickiness: 'userId', retireAfter: '14d' },
  stages: [
    {
      kind: 'canary',
      traffic: 0.5,
      minDuration: '12h',
      maxDuration: '24h',
      checkInterval: '1h',
      rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 3 }],
    },
    { kind: 'full', traffic: 1, minDuration: '1h', checkInterval: '1h', rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 3 }] },
    { kind: 'promote' },
  ],
};

/**
 * Eight days of an LLM serving cluster's requests, shaped like the log of issue 12 (columns
 * job_id, user_id, exec_time_seconds, gmt_create, status SUCCEED/FAILED): Poisson arrivals every
 * 20 s on average, 300 users of unequal weight, failures at 1% with bursts at 25%. A fixed LCG,
 * so the file is the same on every run.
 */
function writeServingLog(path: string): void {
  const start = Date.parse('2026-03-02T00:00:00Z');
  const lines = ['job_id,user_id,exec_time_seconds,gmt_create,status'];
  let seed = 2024;
  const next = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  let burst = false;
  for (let i = 0, t = 0; t < 8 * 86_400; i++) {
    t += -Math.log(1 - next()) * 20;
    if (next() < 0.002) burst = !burst;
    else if (burst && next() < 0.05) burst = false;
    const user = `u${Math.floor(next() ** 2 * 300)}`;
    const failed = next() < (burst ? 0.25 : 0.01);
    const time = new Date(start + t * 1000).toISOString().replace('T', ' ').slice(0, 19);
    lines.push(`j${i},${user},${(0.5 + 20 * next() ** 3).toFixed(2)},${time},${failed ? 'FAILED' : 'SUCCEED'}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/** A million-row CSV: two model versions, three segments, and ten bad rows (one every 100 000). */
function writeMillionRowLog(path: string): void {
  const start = Date.parse('2026-03-02T00:00:00Z');
  const lines = ['timestamp,latency_ms,status,model,segment,user'];
  const segments = ['free', 'pro', 'enterprise'];
  let seed = 12345;
  const next = () => {
    // A fixed LCG (Numerical Recipes constants), so the file is the same on every run.
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < 1_000_000; i++) {
    const time = new Date(start + i * 86.4).toISOString();
    const latency = i % 100_000 === 99_999 ? 'n/a' : String(Math.round(40 + 200 * next()));
    const status = next() < 0.01 ? '503' : '200';
    lines.push(`${time},${latency},${status},${i % 2 === 0 ? 'v1' : 'v2'},${segments[i % 3]},u${i % 5000}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

describe('replay view in Chromium', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(millionRowLog, { force: true });
    rmSync(servingLog, { force: true });
    rmSync(servingPolicyFile, { force: true });
  });

  it('guesses the columns of a serving-cluster log, refuses a rule that makes every row an error, and replays it with the numbers of rollout-lab replay --json', async () => {
    mkdirSync('test-results', { recursive: true });
    writeServingLog(servingLog);
    const { page, problems } = await app.open('/#/replay');
    await page.locator(`${view} input[name="logFile"]`).setInputFiles(servingLog);
    // The timestamp is gmt_create, not exec_time_seconds (a duration), and the latency is in seconds.
    await expect.poll(() => page.locator(`${view} select[name="map-timestamp"]`).inputValue()).toBe('gmt_create');
    expect(await page.locator(`${view} select[name="map-latency"]`).inputValue()).toBe('exec_time_seconds');
    expect(await page.locator(`${view} select[name="latencyUnit"]`).inputValue()).toBe('s');
    expect(await page.locator(`${view} select[name="map-status"]`).inputValue()).toBe('status');
    expect(await page.locator(`${view} select[name="map-user"]`).inputValue()).toBe('user_id');
    await expect
      .poll(() => page.locator(`${view} [data-section="import-progress"]`).getAttribute('data-status'), { timeout: 20_000 })
      .toBe('complete');

    // The default rule does not know SUCCEED: only the FAILED rows remain, every one an error. The
    // replay refuses, naming the values it saw, in the app's words (no command-line option).
    await page.locator(`${view} input[name="replicates"]`).fill('40');
    await page.locator(`${view} input[name="seed"]`).fill('3');
    await page.locator(`${view} input[name="inject"]`).fill('errors*3');
    await page.locator(`${view} textarea[name="policy"]`).fill(JSON.stringify(servingPolicy, null, 2));
    await page.locator(`${view} button[name="runReplay"]`).click();
    const refusal = page.locator(`${view} [data-section="replay-error"]`);
    await expect.poll(() => refusal.count(), { timeout: 30_000 }).toBe(1);
    expect(await refusal.textContent()).toMatch(/makes every one of the [\d,]+ accepted rows an error.*'SUCCEED' ×[\d,]+/);
    expect(await refusal.textContent()).toContain('the box "What counts as an error"');
    expect(await refusal.textContent()).not.toMatch(/--[a-z]/);

    // Say what an error is and run: one click, though it also commits the rule.
    await page.locator(`${view} input[name="errorWhen"]`).fill('status == FAILED');
    await page.locator(`${view} button[name="runReplay"]`).click();
    await expect.poll(() => page.locator(`${view} [data-section="verdict"]`).count(), { timeout: 120_000 }).toBe(1);
    await page.screenshot({ path: `${screenshotDir}/replay.png`, fullPage: true });

    const argv = JSON.parse((await page.locator(`${view} [data-section="command"]`).getAttribute('data-argv')) as string) as string[];
    expect(argv[0]).toBe('serving-cluster.csv');
    expect(argv).toEqual(
      expect.arrayContaining([
        '--error-when',
        'status == FAILED',
        '--inject',
        'errors*3',
        '--latency-unit',
        's',
        '--policy',
        'POLICY.json',
      ]),
    );
    writeFileSync(servingPolicyFile, JSON.stringify(servingPolicy));
    const cli = await runCommandObject(replayCommand, [
      servingLog,
      ...argv.slice(1).map((arg) => (arg === 'POLICY.json' ? servingPolicyFile : arg)),
      '--json',
    ]);
    expect(cli.code).toBe(0);
    const json = cli.json;
    expect(json.replicates).toBe(40);
    // The numbers are worth comparing: false rollbacks on both estimates, and regressions caught only because of the regression.
    expect(json.falseRollbackRate.count).toBeGreaterThan(0);
    expect(json.ownWindows.falseRollbackRate.count).toBeGreaterThan(0);
    expect(json.detection.onlyBecauseOfRegression.count).toBeGreaterThan(0);
    expect(json.detection.detectionTime.median).not.toBeNull();
    const cell = async (field: string) => {
      const locator = page.locator(`${view} td[data-field="${field}"]`);
      return {
        count: Number(await locator.getAttribute('data-count')),
        total: Number(await locator.getAttribute('data-total')),
        text: (await locator.textContent())?.trim(),
      };
    };
    // Shown as the CLI's Wilson interval, in percent with one decimal.
    const shown = (rate: { rate: number | null; lower: number | null; upper: number | null }) =>
      rate.rate === null
        ? '—'
        : `${(100 * rate.rate).toFixed(1)}% [${(100 * (rate.lower as number)).toFixed(1)}%, ${(100 * (rate.upper as number)).toFixed(1)}%]`;
    const expectRate = async (
      field: string,
      rate: { rate: number | null; lower: number | null; upper: number | null; count: number; total: number },
    ) => {
      const shownCell = await cell(field);
      expect({ field, count: shownCell.count, total: shownCell.total }).toEqual({ field, count: rate.count, total: rate.total });
      expect(shownCell.text).toContain(shown(rate));
    };
    await expectRate('false-rollback', json.falseRollbackRate);
    await expectRate('promoted', json.healthy.promoteRate);
    await expectRate('undecided', json.healthy.undecidedRate);
    // The check against the log's own windows, beside the resampled estimate.
    expect(json.ownWindows.runs).toBeGreaterThan(0);
    await expectRate('own-windows-false-rollback', json.ownWindows.falseRollbackRate);
    await expectRate('own-windows-promoted', json.ownWindows.summary.promoteRate);
    // Detection net of noise.
    await expectRate('only-because-of-regression', json.detection.onlyBecauseOfRegression);
    await expectRate('in-both', json.detection.inBoth);
    await expectRate('only-without-regression', json.detection.onlyWithoutRegression);
    await expectRate('missed', json.detection.missed);
    await expectRate('regressed-undecided', json.detection.regressed.undecidedRate);
    const median = page.locator(`${view} td[data-field="median-detection-time"]`);
    expect(await median.getAttribute('data-seconds')).toBe(String(json.detection.detectionTime.median));
    expect((await median.textContent())?.trim()).toMatch(
      new RegExp(
        `^${json.detection.detectionTime.median === null ? '—' : `${formatDuration(Math.round(json.detection.detectionTime.median))},`}`,
      ),
    );
    // Reasons, failing checks and starved stages of each world, as the CLI counts them.
    const world = async (name: string) => ({
      reasons: await page.locator(`${view} [data-world="${name}"] tr[data-reason]`).evaluateAll((rows) =>
        rows.map((row) => ({
          reason: row.getAttribute('data-reason'),
          count: Number(row.querySelector('[data-count]')?.getAttribute('data-count')),
        })),
      ),
      starved: await page.locator(`${view} [data-world="${name}"] [data-section="starved"] li`).allTextContents(),
      failingChecks: (await page.locator(`${view} [data-world="${name}"] [data-section="failing-checks"]`).allTextContents()).join(''),
    });
    const expected = (summary: {
      reasons: unknown[];
      starved: { message: string }[];
      failingChecks: { checks: number; count: number }[];
    }) => ({
      reasons: summary.reasons,
      starved: summary.starved.map((s) => s.message),
      failingChecks:
        summary.failingChecks.length === 0
          ? ''
          : `Failing checks counted (in a row) at the rollback: ${summary.failingChecks.map((f) => `${f.checks} (${f.count.toLocaleString('en')} runs)`).join(', ')}.`,
    });
    expect(await world('healthy')).toEqual(expected(json.healthy));
    expect(await world('own-windows')).toEqual(expected(json.ownWindows.summary));
    expect(await world('regressed')).toEqual(expected(json.detection.regressed));
    expect(json.healthy.reasons.length).toBeGreaterThan(0);
    // The error definition, the status values and the block length used.
    const statuses = await page
      .locator(`${view} [data-section="status-values"] tr[data-status]`)
      .evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-status'), row.querySelector('td.number')?.textContent]));
    expect(statuses).toEqual(
      json.errorDefinition.statuses.map((s: { status: string; count: number }) => [s.status, s.count.toLocaleString('en')]),
    );
    expect(await page.locator(`${view} [data-section="error-definition"]`).textContent()).not.toMatch(/--[a-z]/);
    expect(Number(await page.locator(`${view} [data-section="block-length"]`).getAttribute('data-minutes'))).toBe(json.blockLength.minutes);
    expect(await page.locator(`${view} [data-section="routing"]`).textContent()).toContain("sticky by the user column 'user_id'");
    expect(await page.locator(`${view} [data-section="missed-meaning"]`).textContent()).toContain(json.regression.missedMeaning);
    // The verdict speaks the app's words.
    expect(await page.locator(`${view} [data-section="verdict"]`).textContent()).not.toMatch(/--[a-z]|The policy the/);

    // The settings survive a reload (URL and autosave); the file is asked for again by name.
    await page.reload();
    await expect.poll(() => page.locator(`${view} [data-section="reopen"]`).textContent()).toMatch(/Re-open the file serving-cluster\.csv/);
    expect(new URL(page.url()).hash).toContain('errorWhen=status+%3D%3D+FAILED');
    expect(problems).toEqual([]);
  }, 240_000);

  it('replays the one-day sample only when told to reuse its blocks, and says so', async () => {
    const { page, problems } = await app.open('/#/replay');
    await page.locator(`${view} button[name="sample"]`).click();
    await expect.poll(() => page.locator(`${view} [data-field="rows-read"]`).textContent(), { timeout: 20_000 }).toBe('7,062');
    expect(await page.locator(`${view} [data-field="rows-rejected"]`).textContent()).toBe('0');
    expect(await page.locator(`${view} [data-section="import-progress"]`).getAttribute('data-progress')).toBe('1');
    expect(await page.locator(`${view} [data-field="import-percent"]`).textContent()).toBe('100%');
    // The mapping was guessed from the header.
    expect(await page.locator(`${view} select[name="map-latency"]`).inputValue()).toBe('latency_ms');
    expect(await page.locator(`${view} select[name="map-model"]`).inputValue()).toBe('');
    expect(await page.locator(`${view} tr[data-group="all:all"]`).textContent()).toMatch(/7,062/);
    expect(await page.locator(`${view} tr[data-group="segment:free"]`).count()).toBe(1);
    await expect.poll(() => page.locator(`${view} svg[aria-label="Arrivals by hour of day (UTC): requests per second"]`).count()).toBe(1);
    await page.locator(`${view} input[name="replicates"]`).fill('10');
    await page.locator(`${view} button[name="runReplay"]`).click();
    await expect
      .poll(() => page.locator(`${view} [data-section="replay-error"]`).textContent(), { timeout: 30_000 })
      .toMatch(/the log spans 24 h but a rollout .* can take/);
    expect(await page.locator(`${view} [data-section="replay-error"]`).textContent()).toContain(
      'allow that with the box "Replay a log shorter than the rollout by reusing its blocks"',
    );
    await page.locator(`${view} input[name="allowShorterLog"]`).check();
    await page.locator(`${view} button[name="runReplay"]`).click();
    await expect.poll(() => page.locator(`${view} [data-section="verdict"]`).count(), { timeout: 60_000 }).toBe(1);
    expect(await page.locator(`${view} [data-section="shorter-than-rollout"]`).textContent()).toMatch(/shorter than one rollout/);
    expect(await page.locator(`${view} td[data-field="false-rollback"]`).getAttribute('data-total')).toBe('10');
    expect(JSON.parse((await page.locator(`${view} [data-section="command"]`).getAttribute('data-argv')) as string)).toContain(
      '--allow-wrap',
    );
    expect(problems).toEqual([]);
  }, 120_000);

  it('runs the replay on the first click, even when that click also commits a new error rule', async () => {
    const { page, problems } = await app.open('/#/replay');
    await page.locator(`${view} button[name="sample"]`).click();
    await expect.poll(() => page.locator(`${view} [data-field="rows-read"]`).textContent(), { timeout: 20_000 }).toBe('7,062');
    await page.locator(`${view} input[name="replicates"]`).fill('10');
    await page.locator(`${view} input[name="allowShorterLog"]`).check();
    // Typing a rule and going straight for the button: leaving the box re-reads the log, which
    // used to remove the button between its press and its release, so the click did nothing.
    await page.locator(`${view} input[name="errorWhen"]`).fill('status >= 500');
    await page.locator(`${view} button[name="runReplay"]`).click();
    await expect.poll(() => page.locator(`${view} [data-section="verdict"]`).count(), { timeout: 60_000 }).toBe(1);
    expect(await page.locator(`${view} [data-section="parse-report"]`).textContent()).toContain('status >= 500');
    expect(problems).toEqual([]);
  }, 90_000);

  it('reports rejected rows with their line numbers, explains a bad error rule and asks for the file again after a reload', async () => {
    const { page, problems } = await app.open('/#/replay');
    const log = [
      'when,duration_s,outcome,version',
      '2026-03-02T00:00:00Z,0.120,OK,a',
      '2026-03-02T00:00:01Z,0.300,timeout,a',
      'yesterday,0.1,OK,b',
      '2026-03-02T00:00:03Z,n/a,OK,b',
      '2026-03-02T00:00:04Z,0.2',
      '2026-03-02T00:00:05Z,0.2,maybe,a',
      '2026-03-02T00:00:06Z,0.250,200,b',
    ].join('\n');
    await page.locator(`${view} input[name="logFile"]`).setInputFiles({ name: 'odd.csv', mimeType: 'text/csv', buffer: Buffer.from(log) });
    // 'when' is not a name the mapping guesses: the view asks for it, and imports once it is chosen.
    await expect.poll(() => page.locator(`${view} [data-section="mapping"]`).textContent()).toBe('choose the column that holds timestamp');
    expect(await page.locator(`${view} [data-section="import-progress"]`).count()).toBe(0);
    await page.locator(`${view} select[name="map-timestamp"]`).selectOption('when');
    await expect
      .poll(() => page.locator(`${view} [data-section="import-progress"]`).getAttribute('data-status'), { timeout: 20_000 })
      .toBe('complete');
    await page.screenshot({ path: `${screenshotDir}/replay-odd.png`, fullPage: true });
    expect(await page.locator(`${view} [data-field="rows-read"]`).textContent()).toBe('7');
    expect(await page.locator(`${view} select[name="map-timestamp"]`).inputValue()).toBe('when');
    expect(await page.locator(`${view} select[name="latencyUnit"]`).inputValue()).toBe('s');
    expect(await page.locator(`${view} [data-field="rows-accepted"]`).textContent()).toBe('3');
    expect(await page.locator(`${view} [data-field="rows-rejected"]`).textContent()).toBe('4');
    const reasons = await page
      .locator(`${view} [data-section="rejected-reasons"] tr[data-reason]`)
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-reason')));
    expect(reasons).toEqual(['wrong-field-count', 'bad-timestamp', 'unrecognised-status', 'bad-latency']);
    expect(await page.locator(`${view} [data-section="rejected-rows"] tr[data-line="4"]`).textContent()).toMatch(
      /bad-timestamp.*yesterday,0\.1,OK,b/s,
    );
    expect(await page.locator(`${view} [data-section="rejected-rows"] tr[data-line="7"]`).textContent()).toMatch(/unrecognised-status/);
    expect(await page.locator(`${view} [data-section="warnings"]`).textContent()).toMatch(/maybe/);

    const rule = page.locator(`${view} input[name="errorWhen"]`);
    await rule.fill('status in (timeout');
    await expect
      .poll(() => page.locator(`${view} [data-section="error-rule"]`).textContent())
      .toBe("error rule: expected ')' at the end in 'status in (timeout'");
    await page.screenshot({ path: `${screenshotDir}/replay-errors.png`, fullPage: true });
    await rule.fill('status in (timeout, maybe)');
    await rule.press('Enter');
    await expect.poll(() => page.locator(`${view} [data-field="rows-accepted"]`).textContent(), { timeout: 20_000 }).toBe('4');
    expect(await page.locator(`${view} tr[data-group="all:all"]`).textContent()).toMatch(/50\.00%/);
    expect(new URL(page.url()).hash).toContain('errorWhen=status+in+%28timeout%2C+maybe%29');

    await page.reload();
    await expect.poll(() => page.locator(`${view} [data-section="reopen"]`).textContent()).toMatch(/Re-open the file odd\.csv/);
    expect(new URL(page.url()).hash).toContain('latency=duration_s');
    expect(problems).toEqual([]);
  }, 60_000);

  it('imports a million rows in a worker while the page keeps drawing frames, and can cancel', async () => {
    mkdirSync('test-results', { recursive: true });
    const path = millionRowLog;
    writeMillionRowLog(path);
    const { page, problems } = await app.open('/#/replay');
    await page.evaluate(() => {
      const w = window as unknown as { frames: number; maxGap: number; last: number };
      w.frames = 0;
      w.maxGap = 0;
      w.last = performance.now();
      const tick = (now: number) => {
        w.frames++;
        w.maxGap = Math.max(w.maxGap, now - w.last);
        w.last = now;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const progress = page.locator(`${view} [data-section="import-progress"]`);
    // Cancel the first import half-way.
    await page.locator(`${view} input[name="logFile"]`).setInputFiles(path);
    await expect
      .poll(async () => Number(await progress.getAttribute('data-progress')), { timeout: 30_000, interval: 20 })
      .toBeGreaterThan(0);
    await page.locator(`${view} button[name="cancelImport"]`).click();
    await expect.poll(() => progress.getAttribute('data-status')).toBe('cancelled');
    expect(await page.locator(`${view} [data-field="rows-read"]`).count()).toBe(0);

    const before = await page.evaluate(() => {
      const w = window as unknown as { frames: number; maxGap: number };
      w.maxGap = 0;
      return { frames: w.frames, time: performance.now() };
    });
    await page.locator(`${view} input[name="logFile"]`).setInputFiles(path);
    await expect
      .poll(() => page.locator(`${view} [data-field="rows-read"]`).textContent(), { timeout: 120_000, interval: 100 })
      .toBe('1,000,000');
    const after = await page.evaluate(() => {
      const w = window as unknown as { frames: number; maxGap: number };
      return { frames: w.frames, time: performance.now(), maxGap: w.maxGap };
    });
    expect(await progress.getAttribute('data-progress')).toBe('1');
    expect(await page.locator(`${view} [data-field="import-percent"]`).textContent()).toBe('100%');
    expect(await page.locator(`${view} [data-field="import-bytes"]`).textContent()).toMatch(/^(\d+\.\d) MB of \1 MB$/);
    expect(await page.locator(`${view} [data-field="rows-rejected"]`).textContent()).toBe('10');
    expect(await page.locator(`${view} [data-section="rejected-reasons"] tr[data-reason="bad-latency"]`).textContent()).toMatch(/10/);
    // The bad rows are all odd-numbered rows, which are v2's.
    expect(await page.locator(`${view} tr[data-group="model:v1"]`).textContent()).toMatch(/500,000/);
    expect(await page.locator(`${view} tr[data-group="model:v2"]`).textContent()).toMatch(/499,990/);
    const seconds = (after.time - before.time) / 1000;
    const fps = (after.frames - before.frames) / seconds;
    console.log(`million rows: ${seconds.toFixed(1)} s, ${fps.toFixed(0)} frames/s, longest frame gap ${after.maxGap.toFixed(0)} ms`);
    // The page keeps drawing: frames keep coming and no gap approaches a freeze.
    expect(fps).toBeGreaterThan(20);
    expect(after.maxGap).toBeLessThan(500);
    await page.screenshot({ path: `${screenshotDir}/replay-million.png`, fullPage: true });

    // A replay of the million rows (one day, so its blocks are reused) can be cancelled, and the
    // log stays in the worker for the next replay.
    await page.locator(`${view} input[name="replicates"]`).fill('400');
    await page.locator(`${view} input[name="allowShorterLog"]`).check();
    await page.locator(`${view} button[name="runReplay"]`).click();
    await expect
      .poll(async () => parseFloat((await page.locator(`${view} [data-field="replay-percent"]`).textContent()) ?? '0'), {
        timeout: 60_000,
        interval: 50,
      })
      .toBeGreaterThan(0);
    await page.locator(`${view} button[name="cancelReplay"]`).click();
    await expect.poll(() => page.locator(`${view} [data-section="replay-cancelled"]`).count()).toBe(1);
    await page.locator(`${view} input[name="replicates"]`).fill('2');
    await page.locator(`${view} button[name="runReplay"]`).click();
    await expect.poll(() => page.locator(`${view} [data-section="verdict"]`).count(), { timeout: 120_000 }).toBe(1);
    expect(await page.locator(`${view} td[data-field="false-rollback"]`).getAttribute('data-total')).toBe('2');
    expect(problems).toEqual([]);
  }, 300_000);

  it('takes a JSON-lines log dropped on the page', async () => {
    const { page, problems } = await app.open('/#/replay');
    const jsonl = [
      '{"ts":"2026-03-02T00:00:00Z","response":{"ms":120,"status":"ok"},"model":"v1"}',
      '{"ts":"2026-03-02T00:00:10Z","response":{"ms":140,"status":"error"},"model":"v1"}',
      '{"ts":"2026-03-02T00:00:20Z","response":{"ms":90,"status":"ok"},"model":"v2"}',
      '{"ts":"2026-03-02T00:00:30Z","response":{"status":"timeout"},"model":"v2"}',
      'not json',
    ].join('\n');
    const dataTransfer = await page.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'requests.jsonl', { type: 'application/x-ndjson' }));
      return transfer;
    }, jsonl);
    await page.locator(`${view} [data-section="drop"]`).dispatchEvent('drop', { dataTransfer });
    await expect.poll(() => page.locator(`${view} [data-field="file"]`).textContent()).toMatch(/requests\.jsonl.*JSONL, 4 columns/s);
    // 'ts' and 'response.ms' are guessed; the status is nested under 'response.status'.
    expect(await page.locator(`${view} select[name="map-timestamp"]`).inputValue()).toBe('ts');
    await page.locator(`${view} select[name="map-latency"]`).selectOption('response.ms');
    await page.locator(`${view} select[name="map-status"]`).selectOption('response.status');
    await expect.poll(() => page.locator(`${view} [data-field="rows-read"]`).textContent(), { timeout: 20_000 }).toBe('5');
    expect(await page.locator(`${view} [data-field="rows-accepted"]`).textContent()).toBe('4');
    expect(await page.locator(`${view} [data-section="rejected-rows"] tr[data-line="5"]`).textContent()).toMatch(
      /malformed-line.*not json/s,
    );
    expect(await page.locator(`${view} tr[data-group="model:v2"]`).textContent()).toMatch(/50\.00%/);

    // The replay form checks the injection with parseInjection, and takes the policy lab's policy.
    await page.locator(`${view} input[name="inject"]`).fill('latency/2');
    await expect
      .poll(() => page.locator(`${view} [data-section="replay-settings"]`).textContent())
      .toBe("injection 'latency/2' must look like latency*1.3, latency+50ms, errors*2, errors+0.01 or leak:latency+2ms/h");
    expect(await page.locator(`${view} button[name="runReplay"]`).isDisabled()).toBe(true);
    await page.locator(`${view} input[name="inject"]`).fill('leak:latency+2ms/h');
    expect(await page.locator(`${view} [data-section="replay-settings"]`).count()).toBe(0);
    expect(await page.locator(`${view} [data-field="policy-name"]`).textContent()).toBe("Policy: 'framework default'");
    await page.locator(`${view} button[name="labPolicy"]`).click();
    await expect
      .poll(async () => JSON.parse(await page.locator(`${view} textarea[name="policy"]`).inputValue()).stages.length)
      .toBeGreaterThan(0);
    await page.locator(`${view} button[name="defaultPolicy"]`).click();
    expect(await page.locator(`${view} textarea[name="policy"]`).inputValue()).toBe('');
    expect(problems).toEqual([]);
  }, 60_000);
});

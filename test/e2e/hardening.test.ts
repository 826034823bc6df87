import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { parsePolicy } from '../../src/engine/policy/parsePolicy.ts';
import { prepareSimulation, runReplicates } from '../../src/sim/runner.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { mergeSummaries, summaryValue } from '../../src/sim/summary.ts';
import { type AppUnderTest, screenshotDir, startApp } from './browser.ts';

/**
 * Fault injection without touching the app: every Comlink `load(runId, request)` message the page
 * posts to a simulation worker gets `failAtReplicate: window.__failAtReplicate` (on each simulation of a batch) when that is set
 * — the test-only hook of `workers/simulationEndpoint.ts`, whose replicate then throws inside the
 * worker, failing that worker's shard. Also records Content-Security-Policy violations, so a test
 * can show that escaping, not the CSP, kept a script from running.
 */
function instrument(): void {
  const original = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (this: Worker, message: any, ...rest: any[]) {
    const failAt = (window as any).__failAtReplicate;
    if (failAt !== undefined && message?.type === 'APPLY' && message.path?.[0] === 'load' && message.argumentList?.[1]?.type === 'RAW') {
      const [runId, request, ...others] = message.argumentList;
      // A batch (the lab's sweep, workers/simulationBatch.ts) carries the hook on each simulation.
      const value = Array.isArray(request.value.simulations)
        ? {
            ...request.value,
            simulations: request.value.simulations.map((simulation: any) => ({ ...simulation, failAtReplicate: failAt })),
          }
        : { ...request.value, failAtReplicate: failAt };
      message = { ...message, argumentList: [runId, { type: 'RAW', value }, ...others] };
    }
    return (original as any).call(this, message, ...rest);
  } as typeof Worker.prototype.postMessage;
  (window as any).__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) =>
    (window as any).__cspViolations.push(`${event.violatedDirective}: ${event.blockedURI}`),
  );
}

/** Opens `path` with the instrumentation installed before any of the app's scripts run. */
async function openInstrumented(app: AppUnderTest, path: string): Promise<{ page: Page; problems: string[] }> {
  const opened = await app.open('/#/about');
  await opened.page.addInitScript(instrument);
  // A new query string makes this a full navigation (not a hash change), so the script runs first.
  await opened.page.goto(`${app.url}/?instrumented${path}`);
  return opened;
}

// Issue 7 hardening, in Chromium against the built app: a worker failing mid-run, a cancel, and
// imported files that try to inject script.
describe('hardening of the app in Chromium', () => {
  let app: AppUnderTest;
  const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-hardening-'));
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('survives a worker failing mid-run: the error is shown, the other shards are kept, the next run succeeds', async () => {
    // 200 replicates → shards of ceil(200 / 128) = 2 (workers/shardRange.ts): replicate 150 fails the shard [150, 152).
    // On the Monte-Carlo path (an always-valid A/B design has no exact form), where the shards run.
    const { page, problems } = await openInstrumented(app, '/#/lab?replicates=200&seed=11&abDesign=alwaysValid');
    await page.evaluate(() => ((window as any).__failAtReplicate = 150));
    const lab = page.locator('rl-policy-lab-view');
    await lab.locator('input[name="errorRatio"]').fill('2.5');
    const failure = lab.locator('p.error[role="alert"]');
    await expect
      .poll(() => failure.textContent(), { timeout: 120_000 })
      .toBe('A worker failed: some rates rest on fewer replicates than asked.');
    await expect.poll(() => lab.locator('[data-section="done"]').count(), { timeout: 120_000 }).toBe(1);
    // The page keeps working: the merged results of the other shards are shown.
    expect(await lab.locator('tr[data-rate="falseRollback"] td.number').textContent()).toMatch(/^\d+\.\d+% \[\d+\.\d+%, \d+\.\d+%\]$/);
    expect(await lab.locator('[data-section="verdict"]').textContent()).toMatch(/^(Balanced|Too trigger-happy|Too lax)\./);
    await page.screenshot({ path: `${screenshotDir}/hardening-lab-worker-failed.png`, fullPage: true });

    // The export's evidence, still failing: it says how many replicates completed, and its rates are
    // exactly those of the replicates outside the failed shard.
    await page.locator('rollout-lab-app a[data-view="export"]').click();
    const view = page.locator('rl-export-view');
    const partial = view.locator('[data-section="export-partial"]');
    await expect.poll(() => partial.count(), { timeout: 120_000 }).toBe(1);
    expect(await partial.textContent()).toMatch(/A worker failed: the evidence rests on 198 and 198 of 200 replicates/);
    await page.screenshot({ path: `${screenshotDir}/hardening-export-worker-failed.png`, fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), view.locator('button[name="downloadBundle"]').click()]);
    const bundleFile = join(directory, 'partial.json');
    await download.saveAs(bundleFile);
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8'));
    expect(bundle.evidence).toMatchObject({ complete: false, replicates: 200, seed: 11 });
    const parsedPolicy = parsePolicy(bundle.policy);
    if (!parsedPolicy.ok) throw new Error('the exported policy does not parse');
    for (const result of bundle.evidence.results) {
      const parsedScenario = parseScenario(result.scenario);
      if (!parsedScenario.ok) throw new Error('the exported scenario does not parse');
      const prepared = prepareSimulation(parsedScenario.scenario, parsedPolicy.policy, 'window', 11);
      // The replicates the other shards ran, in one thread: [0, 150) and [152, 200).
      const expected = summaryValue(mergeSummaries(runReplicates(prepared, 0, 150), runReplicates(prepared, 152, 200)));
      expect(result.replicatesCompleted).toBe(198);
      expect(result.falseRollbackRate).toEqual(expected.falseRollbackRate);
      expect(result.missedRegressionRate).toEqual(expected.missedRegressionRate);
      expect(result.rollbackRate).toEqual(expected.rollbackRate);
      expect(result.promoteRate).toEqual(expected.promoteRate);
    }

    // The fault goes away: the same pool runs the next simulation to completion.
    await page.evaluate(() => ((window as any).__failAtReplicate = undefined));
    await view.locator('[data-section="export-partial"] button[name="rerun"]').click();
    await expect.poll(() => view.locator('button[name="downloadPolicy"]').count(), { timeout: 120_000 }).toBe(1);
    expect(await partial.count()).toBe(0);
    await page.locator('rollout-lab-app a[data-view="lab"]').click();
    await lab.locator('input[name="replicates"]').fill('50');
    await expect
      .poll(() => lab.locator('[data-section="done"]').textContent(), { timeout: 120_000 })
      .toMatch(/^Done: \d+ simulations of 50 replicates each\.$/);
    expect(await failure.count()).toBe(0);
    expect(problems).toEqual([]);
  }, 300_000);

  it('survives a cancel: the run stops, and the next run succeeds', async () => {
    const { page, problems } = await openInstrumented(app, '/#/lab?replicates=5000&seed=3');
    const lab = page.locator('rl-policy-lab-view');
    const cancel = lab.locator('button[name="cancel"]');
    await expect.poll(() => cancel.count(), { timeout: 30_000 }).toBe(1);
    // Let the workers get going before cancelling mid-run.
    await expect
      .poll(() => lab.locator('progress').evaluate((bar) => (bar as HTMLProgressElement).value), { timeout: 60_000 })
      .toBeGreaterThan(0);
    await cancel.click();
    await expect.poll(() => lab.locator('[data-section="cancelled"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await lab.locator('progress').count()).toBe(0);
    await page.screenshot({ path: `${screenshotDir}/hardening-lab-cancelled.png`, fullPage: true });
    // A smaller run after the cancel completes on the same (warm or replaced) workers.
    await lab.locator('input[name="replicates"]').fill('50');
    await expect
      .poll(() => lab.locator('[data-section="done"]').textContent(), { timeout: 120_000 })
      .toMatch(/^Done: \d+ simulations of 50 replicates each\.$/);
    expect(await lab.locator('p.error[role="alert"]').count()).toBe(0);
    expect(problems).toEqual([]);
  }, 180_000);

  it('shows imported policy and CSV text literally: no script runs, and the CSP forbids inline script and eval', async () => {
    const image = '<img src=x onerror="window.__pwned=1">';
    const script = '<script>window.__pwned=1</script>';
    const { page, problems } = await openInstrumented(app, '/#/export');

    // The served page's Content-Security-Policy: no inline script, no eval.
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    const directives = new Map(
      (csp ?? '')
        .split(';')
        .map((part) => part.trim().split(/\s+/))
        .filter((words) => words[0])
        .map(([name, ...values]) => [name, values]),
    );
    const scriptSources = directives.get('script-src') ?? directives.get('default-src');
    expect(scriptSources).toEqual(["'self'"]);
    for (const [name, values] of directives) {
      expect(values, name).not.toContain("'unsafe-eval'");
      if (name.startsWith('script-src') || name === 'default-src') expect(values, name).not.toContain("'unsafe-inline'");
    }

    // (a) A policy whose name and description carry markup, imported as a file.
    const policy = { ...defaultPolicy(), name: `${image} ${script}`, description: `${script}${image}` };
    const view = page.locator('rl-export-view');
    await view
      .locator('input[name="importFile"]')
      .setInputFiles({ name: 'evil.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(policy)) });
    const imported = view.locator('[data-section="import"]');
    await expect.poll(() => imported.textContent()).toContain(`Valid policy '${image} ${script}':`);
    expect(await view.locator('img, script').count()).toBe(0);
    await page.screenshot({ path: `${screenshotDir}/hardening-import-policy.png`, fullPage: true });

    // (b) A segments CSV whose segment names carry markup (CSV-quoted), uploaded.
    const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;
    const csv = [
      'segment,variant,successes,total',
      `${quote(image)},control,80,100`,
      `${quote(image)},candidate,90,100`,
      `${quote(script)},control,40,100`,
      `${quote(script)},candidate,45,100`,
    ].join('\n');
    await page.locator('rollout-lab-app a[data-view="segments"]').click();
    const segments = page.locator('rl-segments-view');
    await segments.locator('input[name="upload"]').setInputFiles({ name: 'evil.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const imageRow = segments.locator('tr[data-segment]', { hasText: 'onerror' });
    await expect.poll(() => imageRow.count()).toBe(1);
    expect(await imageRow.locator('td').first().textContent()).toBe(image);
    expect(await segments.locator('tr[data-segment]', { hasText: 'window.__pwned=1</script>' }).locator('td').first().textContent()).toBe(
      script,
    );
    expect(await segments.locator('img, script').count()).toBe(0);
    await page.screenshot({ path: `${screenshotDir}/hardening-import-csv.png`, fullPage: true });

    // Give a broken image's onerror time to fire, had it been created.
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    // Escaping stopped it, not the CSP: no violation was needed.
    expect(await page.evaluate(() => (window as any).__cspViolations)).toEqual([]);
    expect(problems).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotDir, startApp, type AppUnderTest } from './browser.ts';

// The policy lab in Chromium: simulations run in the Web Worker pool, stream in, and follow the controls.
describe('policy lab in Chromium', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('runs the simulations in workers, draws the operating characteristic and follows a threshold change', async () => {
    const { page, problems } = await app.open('/#/lab?replicates=40');
    const done = page.locator('rl-policy-lab-view [data-section="done"]');
    await expect.poll(() => done.count(), { timeout: 60_000 }).toBe(1);
    expect(await done.textContent()).toMatch(/Done: 12 simulations of 40 replicates each/);
    const verdict = page.locator('rl-policy-lab-view [data-section="verdict"]');
    expect(await verdict.textContent()).toMatch(/With the error-rate threshold at 2×, a healthy candidate is rolled back in \d/);
    expect(await page.locator('rl-policy-lab-view svg[aria-label^="Operating characteristic"]').count()).toBe(1);
    expect(await page.locator('rl-policy-lab-view svg[aria-label="Time to detect the regression"]').count()).toBe(1);
    // Six thresholds on the curve (1.25, 1.5, 2 — the current one —, 3, 4, 6), two simulations each.
    expect(await page.locator('rl-policy-lab-view svg[aria-label^="Operating characteristic"] text').filter({ hasText: /^\d+(\.\d+)?×$/ }).count()).toBe(6);
    await page.screenshot({ path: `${screenshotDir}/policy-lab.png`, fullPage: true });

    // A new threshold reruns in the background; the URL and the verdict follow.
    await page.locator('rl-policy-lab-view input[name="errorRatio"]').fill('2.5');
    await expect.poll(() => verdict.textContent(), { timeout: 60_000 }).toMatch(/threshold at 2\.5×/);
    expect(new URL(page.url()).hash).toContain('errorRatio=2.5');
    await expect.poll(() => done.count(), { timeout: 60_000 }).toBe(1);
    // The ladder plus the new 2.5.
    expect(await page.locator('rl-policy-lab-view svg[aria-label^="Operating characteristic"] text').filter({ hasText: /^\d+(\.\d+)?×$/ }).count()).toBe(7);
    expect(await done.textContent()).toMatch(/Done: 14 simulations/);

    // A reload keeps the setting.
    await page.reload();
    expect(await page.locator('rl-policy-lab-view input[name="errorRatio"]').inputValue()).toBe('2.5');
    expect(problems).toEqual([]);
  });

  it('shows progress with a working cancel button, and explains a broken setting', async () => {
    const { page, problems } = await app.open('/#/lab?replicates=2000');
    const cancel = page.locator('rl-policy-lab-view button[name="cancel"]');
    await expect.poll(() => cancel.count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('rl-policy-lab-view progress').count()).toBe(1);
    await cancel.click();
    await expect.poll(() => page.locator('rl-policy-lab-view [data-section="cancelled"]').count()).toBe(1);
    expect(await page.locator('rl-policy-lab-view progress').count()).toBe(0);

    await page.locator('rl-policy-lab-view input[name="errorRatio"]').fill('-1');
    await expect.poll(() => page.locator('rl-policy-lab-view [data-section="lab"][role="alert"]').textContent()).toMatch(/the policy is invalid: .*maxRatio/);
    await page.locator('rl-policy-lab-view input[name="replicates"]').fill('3');
    await page.locator('rl-policy-lab-view input[name="errorRatio"]').fill('2');
    await expect.poll(() => page.locator('rl-policy-lab-view [data-section="lab"][role="alert"]').textContent()).toBe(
      'replicates must be a whole number from 10 to 5,000, got 3',
    );
    await page.screenshot({ path: `${screenshotDir}/policy-lab-error.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
  it('tunes for the targets in a worker, draws the Pareto front and puts the recommendation into the controls', async () => {
    const { page, problems } = await app.open('/#/lab?replicates=10&requestsPerSecond=100');
    const view = page.locator('rl-policy-lab-view');
    // Small settings: 20 replicates per candidate (100 for the 3 finalists), 8 candidates, loose targets.
    await view.locator('input[name="maxFalseRollbackPercent"]').fill('20');
    await view.locator('input[name="minDetectionPercent"]').fill('80');
    await view.locator('input[name="withinMinutes"]').fill('60');
    await view.locator('input[name="tuneReplicates"]').fill('20');
    await view.locator('input[name="tuneCandidates"]').fill('8');
    await view.locator('button[name="tune"]').click();
    const message = view.locator('[data-section="tune-message"]');
    await expect.poll(() => message.count(), { timeout: 120_000 }).toBe(1);
    await page.screenshot({ path: `${screenshotDir}/policy-lab-tune.png`, fullPage: true });
    const text = (await message.textContent()) ?? '';
    expect(text).toMatch(/^Recommended: error ≤ [\d.]+×, .*every \d+m, ≥ \d+ requests, \d+ failures? in a row\. On 100 fresh replicates per world/);
    expect(await view.locator('svg[aria-label^="Auto-tune: the Pareto front"]').count()).toBe(1);
    expect(await view.locator('tr[data-recommended="true"]').count()).toBe(1);

    // "Use this policy" puts the recommended thresholds into the lab's controls (and the URL).
    const errorRatio = /error ≤ ([\d.]+)×/.exec(text)![1];
    const checkMinutes = /every (\d+)m/.exec(text)![1];
    const minRequests = /≥ (\d+) requests/.exec(text)![1];
    await view.locator('button[name="use-tuned"]').click();
    await expect.poll(() => view.locator('input[name="errorRatio"]').inputValue()).toBe(errorRatio);
    expect(await view.locator('input[name="checkMinutes"]').inputValue()).toBe(checkMinutes);
    expect(await view.locator('input[name="minRequests"]').inputValue()).toBe(minRequests);
    expect(new URL(page.url()).hash).toContain(`errorRatio=${errorRatio}`);

    // A big tuning run can be cancelled (the worker is terminated).
    await view.locator('input[name="tuneReplicates"]').fill('2000');
    await view.locator('input[name="tuneCandidates"]').fill('200');
    await view.locator('button[name="tune"]').click();
    await expect.poll(() => view.locator('button[name="cancel-tune"]').count(), { timeout: 20_000 }).toBe(1);
    await view.locator('button[name="cancel-tune"]').click();
    await expect.poll(() => view.locator('[data-section="tune-cancelled"]').count()).toBe(1);
    expect(await view.locator('progress[aria-label="Tuning progress"]').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});

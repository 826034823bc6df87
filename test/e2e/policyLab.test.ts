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
});

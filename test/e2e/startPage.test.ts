import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotDir, startApp, type AppUnderTest } from './browser.ts';

// The app as a user meets it: the built bundle, served locally, in Debian's Chromium.
describe('start page in Chromium', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sizes the default A/B test with both methods and follows the inputs', async () => {
    const { page, problems } = await app.open('/');
    const pooled = page.locator('rl-sample-size tr[data-method="pooled"] td.number').first();
    const arcsine = page.locator('rl-sample-size tr[data-method="arcsine"] td.number').first();
    // R 4.2.2 power.prop.test(p1 = 0.10, p2 = 0.12, power = 0.8): n = 3840.847 → 3,841 per arm.
    await expect.poll(() => pooled.textContent()).toBe('3,841');
    // statsmodels 0.13.5 NormalIndPower().solve_power(proportion_effectsize(0.12, 0.10), power=0.8, alpha=0.05) = 3834.596 → 3,835.
    expect(await arcsine.textContent()).toBe('3,835');

    await page.locator('rl-sample-size input[name="target"]').fill('0.15');
    // R power.prop.test(p1 = 0.10, p2 = 0.15, power = 0.8): n = 685.5969 → 686 per arm.
    await expect.poll(() => pooled.textContent()).toBe('686');

    await page.reload();
    // The user's inputs survive a reload.
    await expect.poll(() => pooled.textContent()).toBe('686');
    expect(await page.locator('rl-sample-size input[name="target"]').inputValue()).toBe('0.15');

    await page.locator('rl-sample-size input[name="alpha"]').fill('1.5');
    await expect.poll(() => page.locator('rl-sample-size [role="alert"]').textContent()).toMatch(/alpha must be between 0 and 1/);
    await page.screenshot({ path: `${screenshotDir}/start-page.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});

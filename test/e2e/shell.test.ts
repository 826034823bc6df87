import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppUnderTest, screenshotDir, startApp } from './browser.ts';

// The app shell in Chromium: navigation by keyboard, hash routes, the About page's attributions.
describe('app shell in Chromium', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('navigates between views with the keyboard and keeps each view’s state', async () => {
    const { page, problems } = await app.open('/#/sizer');
    await expect.poll(() => page.locator('rl-sizer-view').count()).toBe(1);
    await page.locator('rl-sizer-view input[name="baseline"]').fill('0.2');

    // Tab to the "Segments" link and press Enter.
    await page.locator('rollout-lab-app a[data-view="sizer"]').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.querySelector('rollout-lab-app')?.shadowRoot?.activeElement?.textContent)).toBe('Segments');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('rl-segments-view').count()).toBe(1);
    expect(new URL(page.url()).hash).toMatch(/^#\/segments\?csv=/);
    expect(await page.locator('rollout-lab-app a[data-view="segments"]').getAttribute('aria-current')).toBe('page');

    // Back to the sizer: its state was autosaved.
    await page.goBack();
    await page.locator('rollout-lab-app a[data-view="sizer"]').click();
    await expect.poll(() => page.locator('rl-sizer-view input[name="baseline"]').inputValue()).toBe('0.2');
    expect(new URL(page.url()).hash).toContain('baseline=0.2');
    expect(problems).toEqual([]);
  });

  it('shows the About page with the data attributions, and falls back to the Policy lab (the default view) on an unknown route', async () => {
    const { page, problems } = await app.open('/#/about');
    const azure = page.locator('rl-about-view [data-source="azure"]');
    await expect.poll(() => azure.textContent()).toMatch(/CC BY 4\.0/);
    expect(await azure.textContent()).toMatch(/Azure\/AzurePublicDataset/);
    expect(await page.locator('rl-about-view [data-source="kidney-stones"]').textContent()).toMatch(/Charig.*BMJ.*1986.*Julious.*Mullee/s);
    await page.screenshot({ path: `${screenshotDir}/about.png`, fullPage: true });

    await page.goto(`${app.url}/#/no-such-view`);
    await expect.poll(() => page.locator('rl-policy-lab-view').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('the harness reports a missing asset (404) but not a request the page itself cancelled', async () => {
    const { page, problems } = await app.open('/#/about');
    await expect.poll(() => page.locator('rl-about-view').count()).toBe(1);
    await page.evaluate(async () => {
      await fetch('/assets/no-such-file.js').catch(() => undefined);
      const controller = new AbortController();
      const cancelled = fetch('/assets/cancelled.js', { signal: controller.signal }).catch(() => undefined);
      controller.abort();
      await cancelled;
    });
    await expect
      .poll(() => problems.filter((problem) => problem.includes('no-such-file.js')))
      .toEqual([`HTTP 404: ${app.url}/assets/no-such-file.js`]);
    expect(problems.filter((problem) => problem.includes('cancelled.js'))).toEqual([]);
  });
});

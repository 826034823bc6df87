import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notebooks } from '../../notebooks/index.ts';
import { type AppUnderTest, screenshotDir, startApp } from './browser.ts';

// The notebooks in Chromium, under the app's Content-Security-Policy (no eval): listed, rendered,
// every code cell of the peeking notebook shown as written and run in the page.
describe('notebooks view in Chromium', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists every notebook and runs one in the page with no cell errors', async () => {
    const { page, problems } = await app.open('/#/notebooks');
    const items = page.locator('rl-notebook-list li[data-notebook]');
    await expect.poll(() => items.count()).toBe(notebooks.length);
    await page.locator('rl-notebook-list li[data-notebook="the-cost-of-peeking"] a').click();
    const view = page.locator('rl-notebook-view');
    await view.locator('button[name="runAll"]').click();
    await expect.poll(() => view.locator('[role="status"]').textContent(), { timeout: 30_000 }).not.toMatch(/Running|Press/);
    const states = await view.locator('section.code').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-status')));
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((state) => state === 'ok')).toBe(true);
    expect(await view.locator('svg').count()).toBeGreaterThan(0);
    // Each cell shows its code as written in the notebook file (derived at build time from run).
    const shown = await view.locator('section.code pre.source').allTextContents();
    const peeking = notebooks.find((notebook) => notebook.id === 'the-cost-of-peeking')!;
    expect(shown).toEqual(peeking.cells.flatMap((cell) => (cell.kind === 'code' ? [cell.source] : [])));
    expect(shown.every((text) => text.length > 0)).toBe(true);
    await page.screenshot({ path: `${screenshotDir}/notebook.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});

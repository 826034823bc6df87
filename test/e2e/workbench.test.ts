import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppUnderTest, screenshotDir, startApp } from './browser.ts';

/** A box in page pixels relative to the viewport (Playwright's `boundingBox`), or a failure naming the element. */
async function box(locator: Locator, name: string) {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`${name} is not rendered`);
  return found;
}

/** True when the whole box lies inside a viewport of `width` × `height`. */
function inside(found: { x: number; y: number; width: number; height: number }, width: number, height: number): boolean {
  return found.x >= 0 && found.y >= 0 && found.x + found.width <= width && found.y + found.height <= height;
}

/** The page's horizontal overflow in pixels (0 when nothing sticks out sideways). */
function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

// The workbench layout (STYLE.md §11): at 1440×900 the answer is beside the controls and in view
// without scrolling, and stays in view while the controls scroll; at a phone's width the two
// stack without anything sticking out sideways. Screenshots go to test-results/screenshots.
describe('the workbench layout in Chromium', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('shows the Policy lab’s verdict, rates and operating characteristic beside the controls at 1440×900, and keeps them in view while the controls scroll', async () => {
    const { page, problems } = await app.open('/#/about');
    await page.setViewportSize({ width: 1440, height: 900 });
    // The Monte-Carlo answer's layout (an always-valid A/B design has no exact form; the first
    // visit's bounded exact answer is laid out in test/e2e/labExact.test.ts).
    await page.goto(`${app.url}/#/lab?replicates=40&abDesign=alwaysValid`);
    const view = page.locator('rl-policy-lab-view');
    await expect.poll(() => view.locator('[data-section="done"]').count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => view.locator('svg[aria-label="Time to detect the regression"]').count(), { timeout: 60_000 }).toBe(1);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await page.screenshot({ path: `${screenshotDir}/workbench-lab-1440x900.png` });

    const answer = await box(view.locator('[data-section="answer"]'), 'the answer panel');
    const controls = await box(view.locator('.controls'), 'the controls');
    const verdict = await box(view.locator('[data-section="verdict"]'), 'the verdict');
    const rates = await box(view.locator('table[aria-label="Current setting"]'), 'the rates');
    const curve = await box(view.locator('svg[aria-label^="Operating characteristic"]'), 'the operating characteristic');
    // Beside the controls, not below them.
    expect(answer.x).toBeGreaterThanOrEqual(controls.x + controls.width);
    expect(answer.y).toBeLessThan(200);
    for (const [name, found] of [
      ['verdict', verdict],
      ['rates', rates],
      ['operating characteristic', curve],
    ] as const) {
      expect(inside(found, 1440, 900), `${name} at ${JSON.stringify(found)}`).toBe(true);
    }
    // The controls are the long part (thousands of pixels), and now they are the only long part.
    expect(controls.height).toBeGreaterThan(1800);

    // Editing a control far down the column: the verdict is still on the screen.
    await view.locator('input[name="seed"]').scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(800);
    const verdictAfter = await box(view.locator('[data-section="verdict"]'), 'the verdict after scrolling');
    expect(inside(verdictAfter, 1440, 900), `verdict at ${JSON.stringify(verdictAfter)}`).toBe(true);
    await page.screenshot({ path: `${screenshotDir}/workbench-lab-1440x900-scrolled.png` });
    expect(await horizontalOverflow(page)).toBe(0);
    expect(problems).toEqual([]);
  }, 120_000);

  for (const [width, height] of [
    [390, 844],
    [800, 1000],
  ] as const) {
    it(`stacks the Policy lab at ${width} px wide: the answer under the title, above the controls, nothing overflowing sideways`, async () => {
      const { page, problems } = await app.open('/#/about');
      await page.setViewportSize({ width, height });
      await page.goto(`${app.url}/#/lab?replicates=40`);
      const view = page.locator('rl-policy-lab-view');
      await expect.poll(() => view.locator('[data-section="done"]').count(), { timeout: 60_000 }).toBe(1);
      await expect.poll(() => view.locator('svg[aria-label^="Operating characteristic"]').count(), { timeout: 60_000 }).toBe(1);
      await page.screenshot({ path: `${screenshotDir}/workbench-lab-${width}.png`, fullPage: true });
      const answer = await box(view.locator('[data-section="answer"]'), 'the answer panel');
      const controls = await box(view.locator('.controls'), 'the controls');
      expect(answer.y + answer.height).toBeLessThanOrEqual(controls.y);
      expect(answer.width).toBeLessThanOrEqual(width);
      expect(await horizontalOverflow(page)).toBe(0);
      expect(problems).toEqual([]);
    }, 120_000);
  }

  it('shows the sizer’s sample size, power curves and peeking verdict beside its inputs at 1440×900, stacked at 390 px', async () => {
    const { page, problems } = await app.open('/#/about');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${app.url}/#/sizer`);
    const view = page.locator('rl-sizer-view');
    await expect.poll(() => view.locator('[data-section="peeking-verdict"]').count(), { timeout: 60_000 }).toBe(1);
    // The view at rest: the Monte-Carlo check in the worker pool done too. While it runs, its progress
    // re-renders the view, and on a loaded machine a screenshot then waited past its 30 s for a frame.
    await expect.poll(() => view.locator('[data-section="peeking-simulation"]').count(), { timeout: 60_000 }).toBe(1);
    await page.screenshot({ path: `${screenshotDir}/workbench-sizer-1440x900.png` });
    const answer = await box(view.locator('[data-section="answer"]'), 'the answer panel');
    const controls = await box(view.locator('.controls'), 'the controls');
    expect(answer.x).toBeGreaterThanOrEqual(controls.x + controls.width);
    const sizes = await box(view.locator('table[aria-label="Sample size per arm"]'), 'the sample sizes');
    expect(inside(sizes, 1440, 900), `sample sizes at ${JSON.stringify(sizes)}`).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${screenshotDir}/workbench-sizer-390.png`, fullPage: true });
    const narrowAnswer = await box(view.locator('[data-section="answer"]'), 'the answer panel');
    const narrowControls = await box(view.locator('.controls'), 'the controls');
    expect(narrowAnswer.y + narrowAnswer.height).toBeLessThanOrEqual(narrowControls.y);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(problems).toEqual([]);
  }, 120_000);

  it('shows a replayed log’s parse report and traffic beside the replay’s steps at 1440×900, stacked at 390 px', async () => {
    const { page, problems } = await app.open('/#/about');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${app.url}/#/replay`);
    const view = page.locator('rl-replay-view');
    await view.locator('button[name="sample"]').click();
    await expect.poll(() => view.locator('[data-section="parse-report"]').count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => view.locator('button[name="runReplay"]').count(), { timeout: 60_000 }).toBe(1);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${screenshotDir}/workbench-replay-1440x900.png` });
    const answer = await box(view.locator('[data-section="answer"]'), 'the answer panel');
    const controls = await box(view.locator('.controls'), 'the controls');
    expect(answer.x).toBeGreaterThanOrEqual(controls.x + controls.width);
    const report = await box(view.locator('[data-section="parse-report"]'), 'the parse report');
    expect(inside(report, 1440, 900), `parse report at ${JSON.stringify(report)}`).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${screenshotDir}/workbench-replay-390.png`, fullPage: true });
    expect(await horizontalOverflow(page)).toBe(0);
    expect(problems).toEqual([]);
  }, 120_000);
});

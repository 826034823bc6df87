import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppUnderTest, screenshotDir, startApp } from './browser.ts';

// The policy lab asks the exact evaluator first (a Web Worker per edit). The framework default's
// shadow and A/B stages are exact (shadowGateLaw.ts, abTestLaw.ts), but on the lab's world its
// historical baseline's discretisation is above the tolerance (src/sim/exact/evaluateExact.ts),
// and in this browser the evaluation outlasts the lab's 3 s budget (labExact.ts) before it can
// say so: the lab names whichever it meets first and answers by Monte-Carlo.
describe('policy lab: the exact answer in Chromium', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('names the features that need simulation and answers by Monte-Carlo as before', async () => {
    const { page, problems } = await app.open('/#/lab?replicates=40');
    const view = page.locator('rl-policy-lab-view');
    const unsupported = view.locator('[data-section="exact-unsupported"]');
    await expect.poll(() => unsupported.count(), { timeout: 30_000 }).toBe(1);
    const features = await unsupported.locator('li[data-feature]').allTextContents();
    // The shadow and A/B stages are exact now: the tolerance or the budget is named, not a stage.
    expect(features.some((feature) => feature.startsWith('shadow stage') || feature.startsWith('A/B stage'))).toBe(false);
    expect(features).toEqual([expect.stringMatching(/^(numerical tolerance|speed)/)]);
    // The Monte-Carlo answer is shown, with its intervals and its histogram.
    await expect.poll(() => view.locator('[data-section="done"]').count(), { timeout: 60_000 }).toBe(1);
    expect(await view.locator('[data-section="verdict"]').textContent()).toMatch(/rolled back in \d+\.\d% \[/);
    expect(await view.locator('svg[aria-label="Time to detect the regression"]').count()).toBe(1);

    // An edit asks again (the older answer is superseded): without the shadow stage, the tolerance or the budget is still named.
    await view.locator('select[name="shadow"]').selectOption('off');
    await expect
      .poll(() => unsupported.locator('li[data-feature]').allTextContents(), { timeout: 30_000 })
      .toEqual([expect.stringMatching(/^(numerical tolerance|speed)/)]);
    // No exact figure is shown beside a Monte-Carlo one when there is no exact answer.
    expect(await view.locator('[data-section="verdict"][data-mode="exact"]').count()).toBe(0);
    await page.screenshot({ path: `${screenshotDir}/policy-lab-exact-unsupported.png`, fullPage: true });
    expect(problems).toEqual([]);
  }, 120_000);
});

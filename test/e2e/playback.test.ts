import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppUnderTest, screenshotDir, startApp } from './browser.ts';

// Playback in Chromium: one simulated rollout of the lab's policy (first-visit settings), window by window.
describe('playback view in Chromium', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('plays, pauses, steps and seeks through a rollout, with decisions, reasons and the naive comparison', async () => {
    const { page, problems } = await app.open('/#/playback');
    const now = page.locator('rl-playback-view [data-section="now"]');
    await expect.poll(() => now.textContent()).toMatch(/^Window 1 of \d+ · 0\.1 h · baseline · candidate 0%/);
    const total = Number((await now.textContent())!.match(/of (\d+)/)![1]);
    expect(await page.locator('rl-playback-view svg[aria-label="Traffic split over time"]').count()).toBe(1);
    expect(await page.locator('rl-playback-view svg[aria-label="Candidate error rate ÷ control\'s, window by window"]').count()).toBe(1);

    await page.locator('rl-playback-view button[name="play"]').click();
    await expect.poll(async () => Number((await now.textContent())!.match(/^Window (\d+)/)![1])).toBeGreaterThan(8);
    await page.locator('rl-playback-view button[name="pause"]').click();
    const paused = Number((await now.textContent())!.match(/^Window (\d+)/)![1]);
    await page.locator('rl-playback-view button[name="forward"]').click();
    await expect.poll(() => now.textContent()).toMatch(new RegExp(`^Window ${paused + 1} of`));
    await page.locator('rl-playback-view button[name="back"]').click();
    await expect.poll(() => now.textContent()).toMatch(new RegExp(`^Window ${paused} of`));

    // Jump to the end: the regressed candidate was rolled back, with the reason and its numbers.
    await page.locator('rl-playback-view input[name="position"]').fill(String(total - 1));
    await expect.poll(() => now.textContent()).toMatch(new RegExp(`^Window ${total} of ${total}`));
    const decisions = page.locator('rl-playback-view [data-section="decisions"]');
    expect(await decisions.textContent()).toMatch(/advance at 24\.0 h in baseline/);
    expect(await decisions.textContent()).toMatch(
      /rollback at [\d.]+ h in .*: .*ratio [\d.]+ must be below 2|rollback at [\d.]+ h in .*limit 2×/s,
    );
    expect((await page.locator('rl-playback-view [data-section="policy-outcome"]').textContent())!.replace(/\s+/g, ' ')).toMatch(
      /rolled back after [\d.]+ h/,
    );
    expect((await page.locator('rl-playback-view [data-section="naive"]').textContent())!.replace(/\s+/g, ' ')).toMatch(
      /all [\d,]+ requests served by the candidate, about [\d,]+ failed \([\d,]+ more than control/,
    );
    await page.screenshot({ path: `${screenshotDir}/playback.png`, fullPage: true });

    // Every metric against its threshold: the p95 latency panel draws the candidate, its reference and the stage's limit
    // (here the shadow gate, p95 < 1.5× control's).
    const p95 = page.locator('rl-playback-view svg[aria-label="p95 latency: candidate against its reference and limit"]');
    expect(await p95.count()).toBe(1);
    expect(await p95.locator('g[aria-description="threshold"] path').count()).toBeGreaterThan(0);
    expect(await p95.locator('g[aria-description="reference"] path').count()).toBeGreaterThan(0);
    expect(await p95.locator('g[aria-description="candidate"] circle').count()).toBeGreaterThan(0);
    for (const title of ['Error rate', 'Timeout rate', 'p50 latency']) {
      expect(await page.locator(`rl-playback-view svg[aria-label="${title}: candidate against its reference and limit"]`).count()).toBe(1);
    }
    // In the shadow stage, the agreement panel with its gate.
    const shadowWindow = Math.round(30 * 12);
    await page.locator('rl-playback-view input[name="position"]').fill(String(shadowWindow));
    await expect.poll(() => now.textContent()).toMatch(/· shadow ·/);
    const agreement = page.locator('rl-playback-view svg[aria-label="Shadow: the candidate\'s agreement with control so far"]');
    expect(await agreement.count()).toBe(1);
    expect(await agreement.locator('g[aria-description="threshold"]').count()).toBe(1);
    await page.screenshot({ path: `${screenshotDir}/playback-shadow.png`, fullPage: true });
    await page.locator('rl-playback-view input[name="position"]').fill(String(total - 1));
    await expect.poll(() => now.textContent()).toMatch(new RegExp(`^Window ${total} of ${total}`));

    // The position is kept over a reload; a bad replicate number is explained.
    await page.reload();
    await expect.poll(() => now.textContent()).toMatch(new RegExp(`^Window ${total} of ${total}`));
    await page.locator('rl-playback-view input[name="replicate"]').fill('x');
    await expect
      .poll(() => page.locator('rl-playback-view [data-section="playback"][role="alert"]').textContent())
      .toBe("replicate must be a number, got 'x'");
    expect(problems).toEqual([]);
  });

  it('plays a library scenario with its embedded policy, its story and its lesson, and keeps the choice in the URL', async () => {
    const { page, problems } = await app.open('/#/playback');
    const view = page.locator('rl-playback-view');
    await view.locator('select[name="scenario"]').selectOption('skipping-canary-after-shadow');
    await expect.poll(() => page.url()).toMatch(/scenario=skipping-canary-after-shadow/);
    const story = view.locator('[data-section="story"]');
    await expect.poll(() => story.textContent()).toMatch(/went straight from shadow to 100%/);
    expect(await view.locator('[data-section="lesson"]').textContent()).toMatch(/Keep the canary after shadow/);
    expect((await view.locator('[data-section="played-policy"]').textContent())!.replace(/\s+/g, ' ')).toMatch(/shadow, then a 5% canary/);
    expect(await view.locator('[data-section="refused"] li').allTextContents()).toEqual([
      "stages[1].kind: 'full' follows the shadow stage without a canary; add a canary stage, or skipCanary: { reason } to skip it on record",
      'stages[1]: the first stage that serves the candidate sends it 100% of traffic (instant 100%); start with a canary at a small share',
    ]);
    // No candidate choice for a library scenario: it plays its own world.
    expect(await view.locator('select[name="world"]').count()).toBe(0);
    const now = view.locator('[data-section="now"]');
    await expect.poll(() => now.textContent()).toMatch(/^Window 1 of \d+ · 0\.1 h · shadow · candidate 0%/);
    const total = Number((await now.textContent())!.match(/of (\d+)/)![1]);
    await view.locator('input[name="position"]').fill(String(total - 1));
    await expect.poll(() => now.textContent()).toMatch(new RegExp(`^Window ${total} of ${total}`));
    const decisions = (await view.locator('[data-section="decisions"]').textContent())!.replace(/\s+/g, ' ');
    expect(decisions).toMatch(/advance at 4\.0 h in shadow/);
    expect(decisions).toMatch(/rollback at [\d.]+ h in canary 5%: .*error rate/);
    expect((await view.locator('[data-section="policy-outcome"]').textContent())!.replace(/\s+/g, ' ')).toMatch(
      /rolled back after [\d.]+ h in canary 5%/,
    );
    await page.screenshot({ path: `${screenshotDir}/playback-library.png`, fullPage: true });

    // The chosen scenario survives a reload (URL and autosave).
    await page.reload();
    await expect.poll(() => view.locator('[data-section="story"]').textContent()).toMatch(/went straight from shadow to 100%/);
    expect(await view.locator('select[name="scenario"]').inputValue()).toBe('skipping-canary-after-shadow');

    // Segments hiding a winner: the A/B test's conclusion is listed with its report by segment.
    await view.locator('select[name="scenario"]').selectOption('segments-hiding-a-winner');
    await expect.poll(() => view.locator('[data-section="lesson"]').textContent()).toMatch(/report by segment/);
    await expect.poll(() => now.textContent()).toMatch(/^Window 1 of \d+/);
    const last = Number((await now.textContent())!.match(/of (\d+)/)![1]);
    await view.locator('input[name="position"]').fill(String(last - 1));
    await expect.poll(() => now.textContent()).toMatch(new RegExp(`^Window ${last} of ${last}`));
    const segmentDecisions = (await view.locator('[data-section="decisions"]').textContent())!.replace(/\s+/g, ' ');
    expect(segmentDecisions).toMatch(
      /in ab 50%: .*A\/B at the planned \d+ per arm: .*A\/B by segment: 'mobile' candidate 8\d\.\d% vs control/,
    );
    expect(segmentDecisions).toContain("Route per segment ('mobile' → candidate, 'web' → control)");
    await page.screenshot({ path: `${screenshotDir}/playback-segments.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});

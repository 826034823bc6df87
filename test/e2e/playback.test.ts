import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotDir, startApp, type AppUnderTest } from './browser.ts';

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
    expect(await page.locator("rl-playback-view svg[aria-label=\"Candidate error rate ÷ control's, window by window\"]").count()).toBe(1);

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
    expect(await decisions.textContent()).toMatch(/rollback at [\d.]+ h in .*: .*ratio [\d.]+ must be below 2|rollback at [\d.]+ h in .*limit 2×/s);
    expect((await page.locator('rl-playback-view [data-section="policy-outcome"]').textContent())!.replace(/\s+/g, ' ')).toMatch(/rolled back after [\d.]+ h/);
    expect((await page.locator('rl-playback-view [data-section="naive"]').textContent())!.replace(/\s+/g, ' ')).toMatch(/all [\d,]+ requests served by the candidate, about [\d,]+ failed \([\d,]+ more than control/);
    await page.screenshot({ path: `${screenshotDir}/playback.png`, fullPage: true });

    // The position is kept over a reload; a bad replicate number is explained.
    await page.reload();
    await expect.poll(() => now.textContent()).toMatch(new RegExp(`^Window ${total} of ${total}`));
    await page.locator('rl-playback-view input[name="replicate"]').fill('x');
    await expect.poll(() => page.locator('rl-playback-view [data-section="playback"][role="alert"]').textContent()).toBe(
      "replicate must be a number, got 'x'",
    );
    expect(problems).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotDir, startApp, type AppUnderTest } from './browser.ts';

// The segments view in Chromium, on the shipped kidney-stone data (Charig et al. 1986, as tabulated by
// Julious & Mullee 1994: A succeeds in 81/87 small and 192/263 large stones, B in 234/270 and 55/80).
describe('segments view in Chromium', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("flags Simpson's paradox in the kidney-stone data, draws it and recommends per-segment routing", async () => {
    const { page, problems } = await app.open('/#/segments');
    const paradox = page.locator('rl-segments-view [data-section="paradox"]');
    await expect.poll(() => paradox.textContent()).toMatch(/Simpson's paradox detected\./);
    // B wins overall (289/350 = 82.6% vs 273/350 = 78.0%) but loses in both segments.
    expect(await paradox.textContent()).toMatch(/B wins overall \(A vs B: 78\.0% vs 82\.6%\) but loses in every segment/);
    // Small stones: 81/87 = 93.1% vs 234/270 = 86.7%.
    expect(await page.locator('rl-segments-view tr[data-slice="small"]').textContent()).toMatch(/93\.1%.*86\.7%/s);
    expect(await page.locator('rl-segments-view tr[data-segment="small"] td[data-field="serve"]').textContent()).toBe('A');
    expect(await page.locator('rl-segments-view tr[data-segment="large"] td[data-field="serve"]').textContent()).toBe('A');
    await expect
      .poll(() => page.locator('rl-segments-view svg[aria-label="Success rate by segment and overall, with 95% Wilson intervals"]').count())
      .toBe(1);
    await page.screenshot({ path: `${screenshotDir}/segments.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('follows edited counts, keeps them over a reload, explains broken CSV and takes an upload', async () => {
    const { page, problems } = await app.open('/#/segments');
    const paradox = page.locator('rl-segments-view [data-section="paradox"]');
    const csv = page.locator('rl-segments-view textarea[name="csv"]');
    const consistent = 'segment,variant,successes,total\nmobile,control,100,1000\nmobile,candidate,130,1000\ndesktop,control,200,1000\ndesktop,candidate,240,1000';
    await csv.fill(consistent);
    await expect.poll(() => paradox.textContent()).toMatch(/No Simpson's paradox\./);
    expect(await page.locator('rl-segments-view [data-section="recommendation"]').textContent()).toMatch(/^Serve candidate to every segment/);
    expect(new URL(page.url()).hash).toContain('csv=segment%2Cvariant');

    await page.reload();
    await expect.poll(() => csv.inputValue()).toBe(consistent);
    await expect.poll(() => paradox.textContent()).toMatch(/No Simpson's paradox\./);

    await csv.fill('segment,variant,successes,total\nmobile,control,100,1000\nmobile,candidate,1300,1000');
    await expect.poll(() => page.locator('rl-segments-view [data-section="segments"][role="alert"]').textContent()).toBe(
      'line 3: successes (1300) exceed total (1000)',
    );
    await page.screenshot({ path: `${screenshotDir}/segments-error.png`, fullPage: true });

    await page.locator('rl-segments-view input[name="upload"]').setInputFiles({
      name: 'counts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('segment,variant,successes,total\nEU,old,50,100\nEU,new,60,100\n'),
    });
    await expect.poll(() => page.locator('rl-segments-view tr[data-slice="EU"]').textContent()).toMatch(/50\.0%.*60\.0%/s);

    await page.locator('rl-segments-view button[name="kidneyStones"]').click();
    await expect.poll(() => paradox.textContent()).toMatch(/Simpson's paradox detected\./);
    expect(problems).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppUnderTest, screenshotDir, startApp } from './browser.ts';

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

  it("flags Simpson's paradox in the kidney-stone data, draws it, and names no winner where no difference is significant", async () => {
    const { page, problems } = await app.open('/#/segments');
    const paradox = page.locator('rl-segments-view [data-section="paradox"]');
    await expect.poll(() => paradox.textContent()).toMatch(/Simpson's paradox detected\./);
    // B is ahead overall (289/350 = 82.6% vs 273/350 = 78.0%) but behind in both segments.
    expect(await paradox.textContent()).toMatch(/B is ahead overall \(A vs B: 78\.0% vs 82\.6%\) but behind in every segment/);
    // Small stones: 81/87 = 93.1% vs 234/270 = 86.7%.
    const small = page.locator('rl-segments-view tr[data-slice="small"]');
    expect(await small.textContent()).toMatch(/93\.1%.*86\.7%/s);
    // p = 0.105 (0.21 after Holm's correction for 2 segments; statsmodels multipletests, test/fixtures/analysis.json),
    // 0.46, and 0.13 overall: no winner anywhere, only the higher rate.
    expect(await small.locator('td[data-field="adjusted-p"]').textContent()).toBe('0.2102');
    for (const slice of ['small', 'large', 'All segments (aggregate)']) {
      const winner = page.locator(`rl-segments-view tr[data-slice="${slice}"] td[data-field="winner"]`);
      expect(await winner.getAttribute('data-winner')).toBe('');
      expect((await winner.textContent())?.replace(/\s+/g, ' ').trim()).toMatch(/^none \((A|B) higher\)$/);
    }
    expect(await page.locator('rl-segments-view tr[data-segment="small"]').getAttribute('data-basis')).toBe('none');
    expect(await page.locator('rl-segments-view [data-section="recommendation"]').textContent()).toMatch(
      /^No winner: neither A nor B is significantly better overall \(p = 0\.13\)/,
    );
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
    const consistent =
      'segment,variant,successes,total\nmobile,control,100,1000\nmobile,candidate,130,1000\ndesktop,control,200,1000\ndesktop,candidate,240,1000';
    await csv.fill(consistent);
    await expect.poll(() => paradox.textContent()).toMatch(/No Simpson's paradox\./);
    // statsmodels 0.13.5: p = 0.035 (mobile) and 0.031 (desktop), both 0.062 after Holm's correction — no segment
    // winner; overall 300/2000 vs 370/2000, p = 0.0030: the candidate wins overall and serves every segment.
    expect(await page.locator('rl-segments-view tr[data-slice="mobile"] td[data-field="winner"]').getAttribute('data-winner')).toBe('');
    expect(
      await page.locator('rl-segments-view tr[data-slice="All segments (aggregate)"] td[data-field="winner"]').getAttribute('data-winner'),
    ).toBe('candidate');
    expect(await page.locator('rl-segments-view tr[data-segment="mobile"]').getAttribute('data-basis')).toBe('aggregate');
    expect(await page.locator('rl-segments-view [data-section="recommendation"]').textContent()).toMatch(
      /^Serve candidate to every segment/,
    );
    expect(new URL(page.url()).hash).toContain('csv=segment%2Cvariant');

    await page.reload();
    await expect.poll(() => csv.inputValue()).toBe(consistent);
    await expect.poll(() => paradox.textContent()).toMatch(/No Simpson's paradox\./);

    await csv.fill('segment,variant,successes,total\nmobile,control,100,1000\nmobile,candidate,1300,1000');
    await expect
      .poll(() => page.locator('rl-segments-view [data-section="segments"][role="alert"]').textContent())
      .toBe('the CSV row 3: successes (1300) is larger than total (1000)');
    await page.screenshot({ path: `${screenshotDir}/segments-error.png`, fullPage: true });

    await page.locator('rl-segments-view input[name="upload"]').setInputFiles({
      name: 'counts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('segment,variant,successes,total\nEU,old,50,100\nEU,new,60,100\n'),
    });
    await expect.poll(() => page.locator('rl-segments-view tr[data-slice="EU"]').textContent()).toMatch(/50\.0%.*60\.0%/s);
    // 50/100 vs 60/100: p = 0.155 (statsmodels proportions_ztest): 'new' is higher, but no winner is named.
    const eu = page.locator('rl-segments-view tr[data-slice="EU"]');
    expect((await eu.locator('td[data-field="winner"]').textContent())?.replace(/\s+/g, ' ').trim()).toBe('none (new higher)');
    expect(await eu.locator('td[data-field="adjusted-p"]').textContent()).toBe('0.1552');

    await page.locator('rl-segments-view button[name="kidneyStones"]').click();
    await expect.poll(() => paradox.textContent()).toMatch(/Simpson's paradox detected\./);
    expect(problems).toEqual([]);
  });

  it('loads the UC Berkeley admissions CSV (dept,gender,admitted,applicants) with its columns guessed, and lets the user remap them', async () => {
    // R datasets::UCBAdmissions (Bickel et al. 1975), test/fixtures/ucb_admissions_1973.md.
    const { page, problems } = await app.open('/#/segments');
    const view = page.locator('rl-segments-view');
    await page.locator('rl-segments-view input[name="upload"]').setInputFiles({
      name: 'ucb_admissions_1973.csv',
      mimeType: 'text/csv',
      buffer: readFileSync('test/fixtures/ucb_admissions_1973.csv'),
    });
    // Guessed as `rollout-lab segments --segment dept --variant gender --success admitted --total applicants` would be told.
    for (const [name, column] of [
      ['segmentColumn', 'dept'],
      ['variantColumn', 'gender'],
      ['successColumn', 'admitted'],
      ['totalColumn', 'applicants'],
    ]) {
      await expect.poll(() => view.locator(`select[name="${name}"] option:checked`).textContent()).toBe(`guess: ${column}`);
    }
    // Department A: men 512/825 = 62.1%, women 89/108 = 82.4%; overall men 1198/2691 = 44.5%, women 557/1835 = 30.4%.
    await expect.poll(() => view.locator('tr[data-slice="A"]').textContent()).toMatch(/62\.1%.*82\.4%/s);
    expect(await view.locator('tr[data-slice="All segments (aggregate)"]').textContent()).toMatch(/44\.5%.*30\.4%/s);
    expect(await view.locator('table[aria-label="Per-segment results"] tbody tr').count()).toBe(7);
    await page.screenshot({ path: `${screenshotDir}/segments-berkeley.png`, fullPage: true });

    // The user's choice wins over the guess: no total column means one observation per row, which these counts are not.
    await view.locator('select[name="totalColumn"]').selectOption('(none)');
    await expect
      .poll(() => view.locator('[data-section="segments"][role="alert"]').textContent())
      .toBe("the CSV row 2: admitted must be 0 or 1 for one observation per row (use total column for counts), got '512'");
    await view.locator('select[name="totalColumn"]').selectOption('applicants');
    await expect.poll(() => view.locator('tr[data-slice="F"]').textContent()).toMatch(/5\.9%.*7\.0%/s);
    // Department as the variant has six values: the tally names the first row with a third.
    await view.locator('select[name="variantColumn"]').selectOption('dept');
    await view.locator('select[name="segmentColumn"]').selectOption('gender');
    await expect
      .poll(() => view.locator('[data-section="segments"][role="alert"]').textContent())
      .toBe("the CSV row 6: a third variant 'C' in dept (already 'A' and 'B'); compare two at a time");
    expect(problems).toEqual([]);
  });
});

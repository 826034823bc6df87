import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizeCommand } from '../../src/cli/commands/size.ts';
import { runCommandObject } from '../helpers/cli.ts';
import { type AppUnderTest, screenshotDir, startApp } from './browser.ts';

// The A/B test sizer as a user meets it: the built bundle, served locally, in Debian's Chromium.
// Each test allows 2 minutes: on a loaded 2-core machine one test has taken more than 30 s.
describe('A/B test sizer in Chromium', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sizes the default test, draws its charts, follows the inputs and keeps them over a reload', async () => {
    const { page, problems } = await app.open('/#/sizer');
    const cell = (method: string, field: string) => page.locator(`rl-sizer-view tr[data-method="${method}"] td[data-field="${field}"]`);
    // R 4.2.2 power.prop.test(p1 = 0.10, p2 = 0.12, power = 0.8): n = 3840.847 → 3,841 per arm.
    await expect.poll(() => cell('pooled', 'control').textContent()).toBe('3,841');
    // statsmodels 0.13.5 NormalIndPower().solve_power(proportion_effectsize(0.12, 0.10), power=0.8, alpha=0.05) = 3834.596 → 3,835.
    expect(await cell('arcsine', 'control').textContent()).toBe('3,835');
    // 3,841 per arm at 1,000 users per arm per day → 4 days.
    expect(await cell('pooled', 'days').textContent()).toBe('4');
    // The app opened on the sizer and put its state in the URL.
    expect(new URL(page.url()).hash).toMatch(/^#\/sizer\?baseline=0\.1&effect=0\.02&/);

    // Charts are drawn, each an svg titled in the user's words.
    await expect.poll(() => page.locator('rl-sizer-view svg[aria-label="Power against the true effect"]').count()).toBe(1);
    expect(await page.locator('rl-sizer-view svg[aria-label="Power against the duration of the test"]').count()).toBe(1);
    // The cost of peeking, computed exactly in a Web Worker. R mvtnorm (scripts/reference/ui_sizer.R): 10 naive
    // looks give 1 - pmvnorm(...) = 0.19335 → 19.3%.
    const peekingVerdict = page.locator('rl-sizer-view [data-section="peeking-verdict"]');
    await expect.poll(() => peekingVerdict.textContent(), { timeout: 15_000 }).toMatch(/declares a false winner\s+19\.3% of the time/);
    expect(await peekingVerdict.textContent()).toMatch(/keeps it at 5\.0%/);
    expect(await page.locator('rl-sizer-view svg[aria-label^="The cost of peeking"]').count()).toBe(1);
    // Beside the exact values, a seeded Monte-Carlo check in the worker pool, labelled as such, with intervals.
    const simulation = page.locator('rl-sizer-view [data-section="peeking-simulation"]');
    await expect
      .poll(async () => (await simulation.count()) && (await simulation.textContent())!.replace(/\s+/g, ' '), { timeout: 30_000 })
      .toMatch(
        /Monte-Carlo check \(2,000 seeded A\/A tests with the engine's z-test, 3,841 users per arm\): naive \d+\.\d% \[\d+\.\d%, \d+\.\d%\], group-sequential \d\.\d% \[/,
      );
    expect(
      await page.locator('rl-sizer-view figure h3').filter({ hasText: 'Hollow circles with bars: seeded Monte-Carlo simulation' }).count(),
    ).toBe(1);
    await page.screenshot({ path: `${screenshotDir}/sizer.png`, fullPage: true });

    // Change the effect: R power.prop.test(p1 = 0.10, p2 = 0.15, power = 0.8): n = 685.5969 → 686 per arm.
    await page.locator('rl-sizer-view input[name="effect"]').fill('0.05');
    await expect.poll(() => cell('pooled', 'control').textContent()).toBe('686');
    expect(new URL(page.url()).hash).toContain('effect=0.05');

    // Fewer looks: 5 naive looks → 0.141689 (R mvtnorm) → 14.2%.
    await page.locator('rl-sizer-view input[name="looks"]').fill('5');
    await expect.poll(() => peekingVerdict.textContent(), { timeout: 15_000 }).toMatch(/5 times .* 14\.2% of the time/s);

    // A reload loses nothing.
    await page.reload();
    await expect.poll(() => cell('pooled', 'control').textContent()).toBe('686');
    expect(await page.locator('rl-sizer-view input[name="effect"]').inputValue()).toBe('0.05');
    expect(await page.locator('rl-sizer-view input[name="looks"]').inputValue()).toBe('5');
    expect(problems).toEqual([]);
  }, 120_000);

  it('sizes a mean metric with a guardrail, CUPED ρ 0.7 and 3 arms as the CLI does, and keeps it over a reload', async () => {
    const { page, problems } = await app.open('/#/sizer');
    await page.setViewportSize({ width: 1440, height: 900 });
    const view = (selector: string) => page.locator(`rl-sizer-view ${selector}`);
    const cell = (metric: string, field: string) => view(`[data-section="design"] tr[data-metric="${metric}"] td[data-field="${field}"]`);
    await view('select[name="metricKind"]').selectOption('mean');
    await view('input[name="baseline"]').fill('10');
    await view('select[name="effectKind"]').selectOption('relative');
    await view('input[name="effect"]').fill('0.025');
    await view('input[name="spread"]').fill('2');
    await view('input[name="cupedR"]').fill('0.7');
    await view('input[name="arms"]').fill('3');
    await view('button[name="addGuardrail"]').click();
    await view('select[name="guardrail-1-kind"]').selectOption('mean');
    await view('input[name="guardrail-1-baseline"]').fill('300');
    await view('input[name="guardrail-1-sd"]').fill('120');
    await view('input[name="guardrail-1-margin"]').fill('3');
    await view('select[name="accrual"]').selectOption('linear');
    await view('input[name="trafficPerDay"]').fill('5000');

    // statsmodels 0.13.5 (scripts/reference/design_ttest.py): NormalIndPower().solve_power(effect_size=0.25/2/sqrt(0.51),
    // alpha=0.025, power=0.9, ratio=1/sqrt(2), 'larger') = 827.98 → 828; the guardrail's effect 3/120 → 40587.46 → 40,588.
    await expect.poll(() => cell('success', 'control').textContent()).toBe('828');
    expect(await cell('guardrail 1', 'control').textContent()).toBe('40,588');
    expect(await cell('needed', 'total').textContent()).toBe('97,988');
    expect(await view('[data-field="allocation"]').textContent()).toMatch(/41\.4% control, 29\.3% each candidate/);
    expect(await view('[data-field="design-days"]').textContent()).toBe('20 days');
    await expect.poll(() => view('svg[aria-label="Power of each metric against the users in the test"]').count()).toBe(1);
    expect(await view('svg[aria-label="Distinct users against the days of the test"]').count()).toBe(1);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${screenshotDir}/sizer-design-1440x900.png` });

    // The page's own command line, run through the CLI, gives the same numbers.
    const command = (await view('[data-section="cli"]').textContent())!.trim();
    expect(command).toBe(
      'rollout-lab size --metric mean --baseline 10 --target 10.25 --sd 2 --cuped-r 0.7 --arms 3 --guardrail mean:300:3:120:lower --users-per-day 5000',
    );
    const cli = JSON.parse((await runCommandObject(sizeCommand, [...command.split(' ').slice(2), '--json'])).stdout);
    expect(cli.metrics.map((metric: { nPerArm: number }) => metric.nPerArm)).toEqual([828, 40588]);
    expect(cli).toMatchObject({ nPerArm: 40588, nSecondArm: 28700, nTotal: 97988, days: 20 });

    // Returning users: 30% of a day's users came the day before (k = 1) → N = D/(1 − 1/(1 + a)) with a from r;
    // the days grow beyond the linear 20 and the CLI agrees.
    await view('select[name="accrual"]').selectOption('returning');
    await view('input[name="returningShare"]').fill('0.3');
    await view('input[name="trafficPerDay"]').fill('20000');
    await expect.poll(() => view('[data-section="cli"]').textContent()).toContain('--returning 0.3');
    const returning = JSON.parse(
      (await runCommandObject(sizeCommand, [...(await view('[data-section="cli"]').textContent())!.trim().split(' ').slice(2), '--json']))
        .stdout,
    );
    expect(await view('[data-field="design-days"]').textContent()).toBe(`${returning.accrual.days} days`);
    expect(returning.accrual.days).toBeGreaterThan(returning.days);

    // A reload keeps every input.
    await page.reload();
    await expect.poll(() => cell('guardrail 1', 'control').textContent()).toBe('40,588');
    expect(await view('select[name="metricKind"]').inputValue()).toBe('mean');
    expect(await view('input[name="cupedR"]').inputValue()).toBe('0.7');
    expect(await view('input[name="arms"]').inputValue()).toBe('3');
    expect(await view('input[name="guardrail-1-sd"]').inputValue()).toBe('120');
    expect(await view('[data-field="design-days"]').textContent()).toBe(`${returning.accrual.days} days`);

    // Removing the guardrail sizes the success metric alone, two-sided again (the form's choice).
    await view('button[name="guardrail-1-remove"]').click();
    await expect.poll(() => view('[data-section="design"] tr[data-metric="guardrail 1"]').count()).toBe(0);
    expect(problems).toEqual([]);
  }, 120_000);

  it('opens a shared URL with its state, in a fresh browser profile', async () => {
    const { page, problems } = await app.open('/#/sizer?baseline=0.1&effect=0.01&effectKind=absolute');
    // R power.prop.test(p1 = 0.10, p2 = 0.11, power = 0.8)$n = 14750.790469 → 14,751.
    await expect.poll(() => page.locator('rl-sizer-view tr[data-method="pooled"] td[data-field="control"]').textContent()).toBe('14,751');
    expect(await page.locator('rl-sizer-view input[name="effect"]').inputValue()).toBe('0.01');
    expect(problems).toEqual([]);
  }, 120_000);

  it('explains broken inputs and flags a sample-ratio mismatch', async () => {
    const { page, problems } = await app.open('/#/sizer');
    await page.locator('rl-sizer-view input[name="alpha"]').fill('1.5');
    await expect
      .poll(() => page.locator('rl-sizer-view [data-section="sizing"][role="alert"]').textContent())
      .toBe('alpha must be between 0 and 1 (exclusive), got 1.5');
    expect(await page.locator('rl-sizer-view [data-section="peeking"][role="alert"]').textContent()).toMatch(
      /alpha must be between 0 and 1/,
    );
    await page.locator('rl-sizer-view input[name="trafficPerDay"]').fill('lots');
    await page.locator('rl-sizer-view input[name="alpha"]').fill('0.05');
    await expect
      .poll(() => page.locator('rl-sizer-view [data-section="sizing"]').textContent())
      .toBe("traffic per day must be a number, got 'lots'");
    await page.locator('rl-sizer-view input[name="trafficPerDay"]').fill('2000');

    const srm = page.locator('rl-sizer-view [data-section="srm"]');
    // scipy 1.10.1 stats.chisquare([50210, 49790], [50000, 50000]) = (1.764, p = 0.18413).
    await expect.poll(() => srm.textContent()).toMatch(/No mismatch\s+\(χ² = 1\.76, p = 0\.1841/);
    await page.locator('rl-sizer-view input[name="srmControl"]').fill('5300');
    await page.locator('rl-sizer-view input[name="srmCandidate"]').fill('4700');
    // χ² = 2 · 300² / 5000 = 36 on 1 df: p ≈ 2e-9, far below 0.001.
    await expect.poll(() => srm.textContent()).toMatch(/Sample-ratio mismatch\s+\(χ² = 36\.00, p = < 0\.0001/);
    await page.locator('rl-sizer-view input[name="srmCandidate"]').fill('47x');
    await expect.poll(() => srm.textContent()).toBe("users in candidate must be a number, got '47x'");
    await page.screenshot({ path: `${screenshotDir}/sizer-errors.png`, fullPage: true });
    expect(problems).toEqual([]);
  }, 120_000);
});

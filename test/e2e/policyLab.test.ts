import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppUnderTest, screenshotDir, startApp } from './browser.ts';

// The policy lab in Chromium: simulations run in the Web Worker pool, stream in, and follow the controls.
describe('policy lab in Chromium', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('runs the simulations in workers, draws the operating characteristic and follows a threshold change', async () => {
    // An always-valid A/B design has no exact form, so the lab answers by Monte-Carlo alone — the
    // path this test follows (the first visit's bounded exact answer: test/e2e/labExact.test.ts).
    const { page, problems } = await app.open('/#/lab?replicates=40&abDesign=alwaysValid');
    const done = page.locator('rl-policy-lab-view [data-section="done"]');
    await expect.poll(() => done.count(), { timeout: 60_000 }).toBe(1);
    expect(await done.textContent()).toMatch(/Done: 12 simulations of 40 replicates each/);
    const verdict = page.locator('rl-policy-lab-view [data-section="verdict"]');
    expect(await verdict.textContent()).toMatch(/With the error-rate threshold at 2×, a healthy candidate is rolled back in \d/);
    expect(await page.locator('rl-policy-lab-view svg[aria-label^="Operating characteristic"]').count()).toBe(1);
    expect(await page.locator('rl-policy-lab-view svg[aria-label="Time to detect the regression"]').count()).toBe(1);
    // Six thresholds on the curve (1.25, 1.5, 2 — the current one —, 3, 4, 6), two simulations each.
    expect(
      await page
        .locator('rl-policy-lab-view svg[aria-label^="Operating characteristic"] text')
        .filter({ hasText: /^\d+(\.\d+)?×$/ })
        .count(),
    ).toBe(6);
    await page.screenshot({ path: `${screenshotDir}/policy-lab.png`, fullPage: true });

    // A new threshold reruns in the background; the URL and the verdict follow.
    await page.locator('rl-policy-lab-view input[name="errorRatio"]').fill('2.5');
    await expect.poll(() => verdict.textContent(), { timeout: 60_000 }).toMatch(/threshold at 2\.5×/);
    expect(new URL(page.url()).hash).toContain('errorRatio=2.5');
    await expect.poll(() => done.count(), { timeout: 60_000 }).toBe(1);
    // The ladder plus the new 2.5.
    expect(
      await page
        .locator('rl-policy-lab-view svg[aria-label^="Operating characteristic"] text')
        .filter({ hasText: /^\d+(\.\d+)?×$/ })
        .count(),
    ).toBe(7);
    expect(await done.textContent()).toMatch(/Done: 14 simulations/);

    // A reload keeps the setting.
    await page.reload();
    expect(await page.locator('rl-policy-lab-view input[name="errorRatio"]').inputValue()).toBe('2.5');
    expect(problems).toEqual([]);
  }, 120_000);

  it('shows progress with a working cancel button, and explains a broken setting', async () => {
    const { page, problems } = await app.open('/#/lab?replicates=2000');
    const cancel = page.locator('rl-policy-lab-view button[name="cancel"]');
    await expect.poll(() => cancel.count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('rl-policy-lab-view progress').count()).toBe(1);
    await cancel.click();
    await expect.poll(() => page.locator('rl-policy-lab-view [data-section="cancelled"]').count()).toBe(1);
    // Cancel stops every run of the lab, the rule breakdown's too.
    expect(await page.locator('rl-policy-lab-view progress').count()).toBe(0);

    await page.locator('rl-policy-lab-view input[name="errorRatio"]').fill('-1');
    await expect
      .poll(() => page.locator('rl-policy-lab-view [data-section="lab"][role="alert"]').textContent())
      .toMatch(/the policy is invalid/);
    // Every problem is listed by its JSON path next to the form.
    const policyProblems = page.locator('rl-policy-lab-view [data-section="policy-problems"] li');
    expect(await policyProblems.locator('code').allTextContents()).toEqual(
      expect.arrayContaining([
        'stages[2].rules[0].maxRatio',
        'stages[3].rules[0].maxRatio',
        'stages[4].guardrails[0].maxRatio',
        'stages[5].rules[0].maxRatio',
      ]),
    );
    expect(await page.locator('rl-policy-lab-view [data-section="done"]').count()).toBe(0);
    await page.locator('rl-policy-lab-view input[name="replicates"]').fill('3');
    await page.locator('rl-policy-lab-view input[name="errorRatio"]').fill('2');
    await expect
      .poll(() => page.locator('rl-policy-lab-view [data-section="lab"][role="alert"]').textContent())
      .toBe('replicates must be a whole number from 10 to 5,000, got 3');
    await page.screenshot({ path: `${screenshotDir}/policy-lab-error.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
  it('edits a canary stage and a fault, reruns, keeps them over a reload, and shows which rule fired', async () => {
    const { page, problems } = await app.open('/#/lab?replicates=40');
    const view = page.locator('rl-policy-lab-view');
    const done = view.locator('[data-section="done"]');
    const verdict = view.locator('[data-section="verdict"]');
    await expect.poll(() => done.count(), { timeout: 60_000 }).toBe(1);
    const before = await verdict.textContent();
    // Which rule rolled the healthy candidate back (at 20 requests/s: the error-rate ratio, on noise).
    const rules = view.locator('[data-section="rollback-rules"]');
    await expect.poll(() => rules.count(), { timeout: 60_000 }).toBe(1);
    expect(await rules.locator('tr[data-rule="error rate ratio"]').count()).toBe(1);
    expect(await rules.locator('svg[aria-label="False rollbacks by the rule that fired"]').count()).toBe(1);

    // A third canary stage and a ramp fault instead of "worse from the start".
    await view.locator('button[name="add-canary"]').click();
    expect(await view.locator('input[name="canary-2-traffic"]').inputValue()).toBe('50');
    await view.locator('input[name="canary-0-min"]').fill('1h');
    await view.locator('select[name="faultKind"]').selectOption('ramp');
    await view.locator('input[name="faultAt"]').fill('50h');
    await view.locator('input[name="faultEnd"]').fill('54h');
    expect(new URL(page.url()).hash).toContain('canaries=5_1h_4h_*25_6h_12h_*50_2h_4h_');
    expect(new URL(page.url()).hash).toContain('faultKind=ramp');
    await expect
      .poll(() => verdict.textContent(), { timeout: 60_000 })
      .toMatch(/a candidate ramping to 3× the errors from 50h to 54h is promoted in/);
    await expect.poll(() => done.count(), { timeout: 60_000 }).toBe(1);
    expect(await verdict.textContent()).not.toBe(before);
    await page.screenshot({ path: `${screenshotDir}/policy-lab-edited.png`, fullPage: true });

    // A reload keeps the stages and the fault.
    await page.reload();
    expect(await view.locator('input[name="canary-2-traffic"]').inputValue()).toBe('50');
    expect(await view.locator('input[name="canary-0-min"]').inputValue()).toBe('1h');
    expect(await view.locator('select[name="faultKind"]').inputValue()).toBe('ramp');
    expect(await view.locator('input[name="faultEnd"]').inputValue()).toBe('54h');
    await expect.poll(() => verdict.textContent(), { timeout: 60_000 }).toMatch(/ramping to 3× the errors from 50h to 54h/);

    // An invalid stage: every problem by path, nothing runs; "reset" brings the framework default back.
    await view.locator('input[name="canary-1-traffic"]').fill('150');
    await view.locator('input[name="canary-1-check"]').fill('often');
    const policyProblems = view.locator('[data-section="policy-problems"] li');
    await expect
      .poll(async () => (await policyProblems.locator('code').allTextContents()).sort())
      .toEqual(['stages[3].checkInterval', 'stages[3].traffic']);
    expect(await view.locator('[data-section="verdict"]').count()).toBe(0);
    expect(await view.locator('[data-section="policy-problems"] li[data-path="stages[3].traffic"]').textContent()).toMatch(/\(canary 2\)/);
    await page.screenshot({ path: `${screenshotDir}/policy-lab-invalid-stage.png`, fullPage: true });
    await view.locator('button[name="reset-policy"]').click();
    await expect.poll(() => policyProblems.count()).toBe(0);
    expect(await view.locator('table.stages tbody tr').count()).toBe(2);
    expect(await view.locator('select[name="faultKind"]').inputValue()).toBe('ramp');
    expect(problems).toEqual([]);
  }, 180_000);

  it('starts from a library scenario and lists scenario problems by path', async () => {
    const { page, problems } = await app.open('/#/lab?replicates=10');
    const view = page.locator('rl-policy-lab-view');
    await view.locator('select[name="library"]').selectOption('ignoring-latency-regression');
    await view.locator('button[name="use-library"]').click();
    await expect.poll(() => view.locator('input[name="faultLatency"]').inputValue()).toBe('2');
    expect(await view.locator('input[name="candidateMedian"]').inputValue()).toBe('120');
    await view.locator('input[name="controlErrorRate"]').fill('1.5');
    await expect.poll(() => view.locator('[data-section="scenario-problems"] code').allTextContents()).toEqual(['control.errorRate']);
    expect(problems).toEqual([]);
  });

  it('tunes for the targets on a pool of workers, draws the Pareto front and puts the recommendation into the controls', async () => {
    const { page, problems } = await app.open('/#/lab?replicates=10&requestsPerSecond=100');
    const view = page.locator('rl-policy-lab-view');
    // Small settings: 20 replicates per candidate (100 for the 3 finalists), 8 candidates, loose targets.
    await view.locator('input[name="maxFalseRollbackPercent"]').fill('20');
    await view.locator('input[name="minDetectionPercent"]').fill('80');
    await view.locator('input[name="withinMinutes"]').fill('60');
    await view.locator('input[name="tuneReplicates"]').fill('20');
    await view.locator('input[name="tuneCandidates"]').fill('8');
    await view.locator('button[name="tune"]').click();
    const message = view.locator('[data-section="tune-message"]');
    await expect.poll(() => message.count(), { timeout: 120_000 }).toBe(1);
    await page.screenshot({ path: `${screenshotDir}/policy-lab-tune.png`, fullPage: true });
    const text = (await message.textContent()) ?? '';
    expect(text).toMatch(
      /^Recommended: error ≤ [\d.]+×, .*every \d+m, ≥ \d+ requests, \d+ failures? in a row\. On 100 fresh replicates per world/,
    );
    expect(await view.locator('svg[aria-label^="Auto-tune: the Pareto front"]').count()).toBe(1);
    expect(await view.locator('tr[data-recommended="true"]').count()).toBe(1);

    // "Use this policy" puts the recommended thresholds into the lab's controls (and the URL).
    const errorRatio = /error ≤ ([\d.]+)×/.exec(text)![1];
    const checkMinutes = /every (\d+)m/.exec(text)![1];
    const minRequests = /≥ (\d+) requests/.exec(text)![1];
    await view.locator('button[name="use-tuned"]').click();
    await expect.poll(() => view.locator('input[name="errorRatio"]').inputValue()).toBe(errorRatio);
    expect(await view.locator('input[name="checkMinutes"]').inputValue()).toBe(checkMinutes);
    expect(await view.locator('input[name="minRequests"]').inputValue()).toBe(minRequests);
    expect(new URL(page.url()).hash).toContain(`errorRatio=${errorRatio}`);

    // A big tuning run can be cancelled (the pool's workers stop).
    await view.locator('input[name="tuneReplicates"]').fill('2000');
    await view.locator('input[name="tuneCandidates"]').fill('200');
    await view.locator('button[name="tune"]').click();
    await expect.poll(() => view.locator('button[name="cancel-tune"]').count(), { timeout: 20_000 }).toBe(1);
    await view.locator('button[name="cancel-tune"]').click();
    await expect.poll(() => view.locator('[data-section="tune-cancelled"]').count()).toBe(1);
    expect(await view.locator('progress[aria-label="Tuning progress"]').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});

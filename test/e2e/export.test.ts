import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateCommand } from '../../src/cli/commands/simulate.ts';
import { runCli } from '../helpers/cli.ts';
import { screenshotDir, startApp, type AppUnderTest } from './browser.ts';

/** Runs a CLI command object in-process (for commands not yet listed in src/cli/commands/index.ts). */
async function runCommand(command: typeof simulateCommand, argv: string[]): Promise<{ code: number; json: any; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await command.run(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, json: stdout ? JSON.parse(stdout) : undefined, stderr };
}

// Export and import in Chromium: the exported policy validates with the CLI, and its evidence equals what
// `rollout-lab simulate` measures for the same scenario, policy, seed and replicates.
describe('export view in Chromium', () => {
  let app: AppUnderTest;
  const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-export-'));
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('exports the lab policy with evidence that the CLI reproduces, and imports with clear errors', async () => {
    // Tune the lab, then open the export through the navigation.
    const { page, problems } = await app.open('/#/lab?errorRatio=2.5&timeoutRatio=10&replicates=40&seed=7');
    await expect.poll(() => page.locator('rl-policy-lab-view input[name="errorRatio"]').inputValue()).toBe('2.5');
    await page.locator('rollout-lab-app a[data-view="export"]').click();
    const downloadPolicy = page.locator('rl-export-view button[name="downloadPolicy"]');
    await expect.poll(() => downloadPolicy.count(), { timeout: 60_000 }).toBe(1);
    await page.screenshot({ path: `${screenshotDir}/export.png`, fullPage: true });

    const [policyDownload] = await Promise.all([page.waitForEvent('download'), downloadPolicy.click()]);
    expect(policyDownload.suggestedFilename()).toBe('policy.json');
    const policyFile = join(directory, 'policy.json');
    await policyDownload.saveAs(policyFile);
    const policy = JSON.parse(readFileSync(policyFile, 'utf8'));
    expect(policy.stages[2]).toMatchObject({ kind: 'canary', traffic: 0.05, rules: expect.arrayContaining([{ type: 'ratio', metric: 'errorRate', maxRatio: 2.5 }]) });
    const validation = await runCli(['policy', 'validate', policyFile, '--json']);
    expect(validation.code).toBe(0);
    expect(validation.json).toMatchObject({ valid: true, errors: [] });

    const [bundleDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('rl-export-view button[name="downloadBundle"]').click(),
    ]);
    const bundleFile = join(directory, 'policy-with-evidence.json');
    await bundleDownload.saveAs(bundleFile);
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8'));
    expect(bundle.policy).toEqual(policy);
    expect(bundle.evidence).toMatchObject({ engineVersion: 'rollout-lab 0.1.0', mode: 'window', seed: 7, replicates: 40, complete: true });
    expect(bundle.evidence.results).toHaveLength(2);
    for (const [index, result] of bundle.evidence.results.entries()) {
      const scenarioFile = join(directory, `scenario-${index}.json`);
      writeFileSync(scenarioFile, JSON.stringify(result.scenario));
      const cli = await runCommand(simulateCommand, [scenarioFile, '--policy', policyFile, '--replicates', '40', '--seed', '7', '--json']);
      expect(cli.code, cli.stderr).toBe(0);
      // The same replicates, run by the CLI in one thread and by the app in its worker pool: identical rates.
      expect(result.falseRollbackRate).toEqual(cli.json.falseRollbackRate);
      expect(result.missedRegressionRate).toEqual(cli.json.missedRegressionRate);
      expect(result.rollbackRate).toEqual(cli.json.rollbackRate);
    }

    // Import a broken policy: every problem, by path.
    const importText = page.locator('rl-export-view textarea[name="importText"]');
    await importText.fill(JSON.stringify({ version: 1, baseline: { mode: 'historical' }, stages: [{ kind: 'canary', traffic: 1.5, minDuration: '2h', rules: [] }] }));
    const importResult = page.locator('rl-export-view [data-section="import"]');
    await expect.poll(() => importResult.textContent()).toMatch(/This policy cannot be used: \d+ problems?\./);
    expect(await importResult.textContent()).toMatch(/stages\[0\]\.traffic: must be between 0 and 1 \(exclusive\), got 1\.5/);
    await page.screenshot({ path: `${screenshotDir}/export-import-error.png`, fullPage: true });
    await importText.fill('{ "version": 1, ');
    await expect.poll(() => importResult.textContent()).toMatch(/not valid JSON/);

    // Import the export itself: valid, with its evidence; a reload keeps it.
    await page.locator('rl-export-view input[name="importFile"]').setInputFiles(bundleFile);
    await expect.poll(() => importResult.textContent()).toMatch(/Valid policy 'framework default, tuned':.*It carries validation evidence\./s);
    await page.reload();
    await expect.poll(() => importResult.textContent()).toMatch(/Valid policy 'framework default, tuned'/);
    expect(problems).toEqual([]);
  });
});

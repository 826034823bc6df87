import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyExportCommand } from '../../src/cli/commands/policyExport.ts';
import { simulateCommand } from '../../src/cli/commands/simulate.ts';
import { runCli } from '../helpers/cli.ts';
import { type AppUnderTest, screenshotDir, startApp } from './browser.ts';

/** Runs a CLI command object in-process (for commands not yet listed in src/cli/commands/index.ts). */
async function runCommand(command: typeof simulateCommand, argv: string[]): Promise<{ code: number; json: any; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await command.run(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
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
    expect(policy.stages[2]).toMatchObject({
      kind: 'canary',
      traffic: 0.05,
      rules: expect.arrayContaining([{ type: 'ratio', metric: 'errorRate', maxRatio: 2.5 }]),
    });
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
    await importText.fill(
      JSON.stringify({
        version: 1,
        baseline: { mode: 'historical' },
        stages: [{ kind: 'canary', traffic: 1.5, minDuration: '2h', rules: [] }],
      }),
    );
    const importResult = page.locator('rl-export-view [data-section="import"]');
    await expect.poll(() => importResult.textContent()).toMatch(/This policy cannot be used: \d+ problems?\./);
    expect(await importResult.textContent()).toMatch(/stages\[0\]\.traffic: must be between 0 and 1 \(exclusive\), got 1\.5/);
    await page.screenshot({ path: `${screenshotDir}/export-import-error.png`, fullPage: true });
    await importText.fill('{ "version": 1, ');
    await expect.poll(() => importResult.textContent()).toMatch(/not valid JSON/);

    // Import the export itself: valid, with its evidence; a reload keeps it.
    await page.locator('rl-export-view input[name="importFile"]').setInputFiles(bundleFile);
    await expect
      .poll(() => importResult.textContent())
      .toMatch(/Valid policy 'framework default, tuned':.*It carries validation evidence\./s);
    await page.reload();
    await expect.poll(() => importResult.textContent()).toMatch(/Valid policy 'framework default, tuned'/);
    expect(problems).toEqual([]);
  });

  it('exports Argo Rollouts and Flagger YAML byte for byte as `rollout-lab policy export`, and shows exporter errors', async () => {
    const { page, problems } = await app.open('/#/lab?errorRatio=3&p95Ratio=1.8&replicates=20&seed=5');
    await expect.poll(() => page.locator('rl-policy-lab-view input[name="errorRatio"]').inputValue()).toBe('3');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    await page.locator('rollout-lab-app a[data-view="export"]').click();
    const view = page.locator('rl-export-view');
    // The lab's policy as JSON (the input of the CLI below).
    const downloadPolicy = view.locator('button[name="downloadPolicy"]');
    await expect.poll(() => downloadPolicy.count(), { timeout: 60_000 }).toBe(1);
    const [policyDownload] = await Promise.all([page.waitForEvent('download'), downloadPolicy.click()]);
    const policyFile = join(directory, 'lab-policy.json');
    await policyDownload.saveAs(policyFile);
    // Record the MIME type of each download's Blob.
    await page.evaluate(() => {
      const original = URL.createObjectURL.bind(URL);
      (window as any).__downloadTypes = [];
      URL.createObjectURL = (object: Blob | MediaSource) => {
        (window as any).__downloadTypes.push((object as Blob).type);
        return original(object);
      };
    });

    /** Downloads the YAML shown, checks its name, and returns its bytes. */
    const downloadYaml = async (fileName: string): Promise<Buffer> => {
      const button = view.locator('button[name="downloadYaml"]');
      await expect.poll(() => button.textContent()).toBe(`Download ${fileName}`);
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      expect(download.suggestedFilename()).toBe(fileName);
      const file = join(directory, fileName);
      await download.saveAs(file);
      return readFileSync(file);
    };
    const cli = (argv: string[]): Buffer => {
      let stdout = '';
      const code = policyExportCommand.run(argv, {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: () => undefined },
      });
      expect(code).toBe(0);
      return Buffer.from(stdout, 'utf8');
    };

    // Argo Rollouts with the user's metric names and addresses.
    await view.locator('select[name="format"]').selectOption('argo');
    await view.locator('input[name="name"]').fill('ranker');
    await view.locator('input[name="errorMetric"]').fill('ranker_errors_total');
    await view.locator('input[name="latencyMetric"]').fill('ranker_latency_seconds');
    await view.locator('input[name="prometheusAddress"]').fill('http://prometheus.obs:9090');
    await view.locator('input[name="decisionServiceUrl"]').fill('http://gate.ml:8080');
    const argoFile = await downloadYaml('ranker-argo-rollouts.yaml');
    const options = [
      '--name',
      'ranker',
      '--metric-error',
      'ranker_errors_total',
      '--metric-latency',
      'ranker_latency_seconds',
      '--prometheus',
      'http://prometheus.obs:9090',
      '--decision-service',
      'http://gate.ml:8080',
    ];
    const argoCli = cli([policyFile, '--format', 'argo', ...options]);
    expect(argoFile.equals(argoCli)).toBe(true);
    expect(argoFile.toString('utf8')).toMatch(/^kind: Rollout$/m);
    expect(argoFile.toString('utf8')).toMatch(/^kind: AnalysisTemplate$/m);
    expect(argoFile.toString('utf8')).toContain('ranker_errors_total');
    expect(await view.locator('[data-section="export-yaml"]').textContent()).toBe(argoCli.toString('utf8'));
    expect(await view.locator('[data-section="export-command"]').textContent()).toBe(
      `rollout-lab policy export policy.json --format argo ${options.join(' ')}`,
    );
    await page.screenshot({ path: `${screenshotDir}/export-argo.png`, fullPage: true });
    await view.locator('button[name="copy"]').click();
    await expect.poll(() => view.locator('[role="status"]').textContent()).toBe('Copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(argoCli.toString('utf8'));

    // Flagger, in each mode: the same options, kept.
    await view.locator('select[name="format"]').selectOption('flagger');
    const progressive = await downloadYaml('ranker-flagger-progressive.yaml');
    expect(progressive.equals(cli([policyFile, '--format', 'flagger', ...options]))).toBe(true);
    expect(progressive.toString('utf8')).toMatch(/^kind: Canary$/m);
    expect(progressive.toString('utf8')).toMatch(/^ +stepWeights:/m);
    for (const mode of ['shadow', 'ab'] as const) {
      await view.locator('select[name="flaggerMode"]').selectOption(mode);
      const file = await downloadYaml(`ranker-flagger-${mode}.yaml`);
      expect(file.equals(cli([policyFile, '--format', 'flagger', '--flagger-mode', mode, ...options]))).toBe(true);
      await page.screenshot({ path: `${screenshotDir}/export-flagger-${mode}.png`, fullPage: true });
    }
    expect(await page.evaluate(() => (window as any).__downloadTypes)).toEqual(Array(4).fill('application/yaml'));

    // The choice is in the URL and survives a reload (autosaved as well).
    expect(new URL(page.url()).hash).toMatch(/^#\/export\?format=flagger&flaggerMode=ab&name=ranker&/);
    await page.reload();
    await expect.poll(() => view.locator('select[name="flaggerMode"]').inputValue()).toBe('ab');
    expect(await view.locator('input[name="errorMetric"]').inputValue()).toBe('ranker_errors_total');

    // An exporter error is shown, not thrown; the preview and download disappear.
    await view.locator('input[name="errorMetric"]').fill('ranker errors');
    const error = view.locator('[data-section="export-yaml-error"]');
    await expect
      .poll(() => error.textContent())
      .toBe('The Flagger export failed: errorMetric must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got "ranker errors"');
    expect(await error.getAttribute('role')).toBe('alert');
    expect(await view.locator('button[name="downloadYaml"]').count()).toBe(0);
    await page.screenshot({ path: `${screenshotDir}/export-flagger-error.png`, fullPage: true });
    await view.locator('select[name="format"]').selectOption('json');
    await expect.poll(() => view.locator('button[name="downloadPolicy"]').count(), { timeout: 60_000 }).toBe(1);
    await page.screenshot({ path: `${screenshotDir}/export-json.png`, fullPage: true });
    expect(problems).toEqual([]);
  }, 120_000);
});

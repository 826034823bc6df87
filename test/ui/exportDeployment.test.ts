import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyExportCommand } from '../../src/cli/commands/policyExport.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import type { Policy } from '../../src/engine/policy/policy.ts';
import {
  type DeploymentOptionsText,
  deploymentExport,
  deploymentExportCommand,
  deploymentOptions,
} from '../../src/ui/export/deploymentExport.ts';
import { exportSchema } from '../../src/ui/export/exportState.ts';
import { decodeState, encodeState, initialState } from '../../src/ui/state/viewState.ts';

const blank: DeploymentOptionsText = {
  name: '',
  namespace: '',
  service: '',
  requestMetric: '',
  errorMetric: '',
  timeoutMetric: '',
  latencyMetric: '',
  prometheusAddress: '',
  decisionServiceUrl: '',
};

/** What `rollout-lab policy export` prints for these arguments (the command object, in-process). */
function cliExport(argv: string[]): { code: number; stdout: string; error?: string } {
  let stdout = '';
  try {
    const code = policyExportCommand.run(argv, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => undefined },
    }) as number;
    return { code, stdout };
  } catch (error) {
    return { code: 2, stdout, error: (error as Error).message };
  }
}

describe('deployment export model', () => {
  const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-export-model-'));
  const policy = defaultPolicy();
  const policyFile = join(directory, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(policy));

  it('leaves blank options to the exporter and trims the others', () => {
    expect(deploymentOptions(blank)).toEqual({});
    expect(deploymentOptions({ ...blank, errorMetric: '  my_errors_total ', namespace: 'ml' })).toEqual({
      errorMetric: 'my_errors_total',
      namespace: 'ml',
    });
  });

  it('produces byte for byte what the CLI prints for the same policy and options, in every format and mode', () => {
    const typed: DeploymentOptionsText = {
      ...blank,
      name: 'ranker',
      namespace: 'ml',
      requestMetric: 'ranker_requests_total',
      errorMetric: 'ranker_errors_total',
      prometheusAddress: 'http://prom.internal:9090',
      decisionServiceUrl: 'https://gate.example.org/',
    };
    for (const [format, mode] of [
      ['argo', 'progressive'],
      ['flagger', 'progressive'],
      ['flagger', 'shadow'],
      ['flagger', 'ab'],
    ] as const) {
      const exported = deploymentExport(policy, format, mode, typed);
      const cli = cliExport(deploymentExportCommand(policyFile, format, mode, typed).slice(2));
      expect(cli.code, cli.error).toBe(0);
      expect(exported.ok && exported.text).toBe(cli.stdout);
      expect(exported.ok && exported.text).toContain('ranker_errors_total');
      expect(exported.ok && exported.mimeType).toBe('application/yaml');
      expect(exported.ok && exported.fileName).toBe(format === 'argo' ? 'ranker-argo-rollouts.yaml' : `ranker-flagger-${mode}.yaml`);
    }
    // Defaults: the file is named after the exporter's slug of the policy name.
    const defaults = deploymentExport(policy, 'argo', 'progressive', blank);
    expect(defaults.ok && defaults.text).toBe(cliExport(['policy', 'export', policyFile, '--format', 'argo'].slice(2)).stdout);
    expect(defaults.ok && defaults.text).toContain('http_requests_errors_total');
  });

  it('writes the CLI arguments of the same export', () => {
    expect(deploymentExportCommand('policy.json', 'flagger', 'shadow', { ...blank, service: 'api', latencyMetric: 'lat_seconds' })).toEqual(
      [
        'policy',
        'export',
        'policy.json',
        '--format',
        'flagger',
        '--flagger-mode',
        'shadow',
        '--service',
        'api',
        '--metric-latency',
        'lat_seconds',
      ],
    );
    expect(deploymentExportCommand('p.json', 'argo', 'ab', blank)).toEqual(['policy', 'export', 'p.json', '--format', 'argo']);
  });

  it("returns the exporter's errors instead of throwing", () => {
    expect(deploymentExport(policy, 'argo', 'progressive', { ...blank, errorMetric: 'error rate' })).toEqual({
      ok: false,
      message: 'errorMetric must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got "error rate"',
    });
    expect(deploymentExport(policy, 'flagger', 'progressive', { ...blank, name: 'Ranker_V2' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^name must be a Kubernetes name/),
    });
    const noShadow: Policy = { ...policy, stages: policy.stages.filter((stage) => stage.kind !== 'shadow') };
    expect(deploymentExport(noShadow, 'flagger', 'shadow', blank)).toEqual({
      ok: false,
      message: 'policy has no shadow stage to export in Flagger shadow mode',
    });
    expect(deploymentExport(noShadow, 'flagger', 'progressive', blank).ok).toBe(true);
  });

  it('keeps the format, mode and options in the URL state, falling back to JSON on an unknown format', () => {
    const state = { ...initialState(exportSchema), format: 'flagger' as const, flaggerMode: 'ab' as const, errorMetric: 'x_total' };
    expect(decodeState(exportSchema, encodeState(exportSchema, state))).toEqual(state);
    expect(initialState(exportSchema)).toMatchObject({ format: 'json', flaggerMode: 'progressive', name: '' });
    expect(decodeState(exportSchema, new URLSearchParams('format=helm&flaggerMode=blue')).format).toBe('json');
    expect(decodeState(exportSchema, new URLSearchParams('format=helm&flaggerMode=blue')).flaggerMode).toBe('progressive');
  });
});

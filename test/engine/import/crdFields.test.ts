/**
 * Field names checked against the real CRDs: every field path of every Argo Rollouts and Flagger
 * document in the import fixtures (test/fixtures/import/**.yaml) and in our exporters' output for
 * the default policy (Argo; Flagger in its three modes) must be allowed by the schema the project
 * publishes. The allowed paths are test/fixtures/import/crd-fields.json, derived from
 * argoproj/argo-rollouts manifests/crds/{rollout,analysis-template,cluster-analysis-template}-crd.yaml
 * and fluxcd/flagger artifacts/flagger/crd.yaml at the commits the file names, by
 * scripts/reference/crd_fields.py (notation: `[]` array items, `*` any map key, `**` any subtree);
 * the checker is test/helpers/crdPaths.ts, shared with test/sim/audit/fixturePipeline.test.ts.
 * A typo in a fixture or an exporter (`stepWeigth`, `thresholdRange.maximum`) fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { argoRolloutsYaml } from '../../../src/engine/export/argoRollouts.ts';
import { flaggerYaml } from '../../../src/engine/export/flagger.ts';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import { checkedDocuments, crd, unknownFields } from '../../helpers/crdPaths.ts';

const fixtures = join(import.meta.dirname, '../../fixtures/import');

function yamlFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? yamlFiles(join(folder, entry.name)) : /\.ya?ml$/.test(entry.name) ? [join(folder, entry.name)] : [],
    )
    .sort();
}

describe('the CRD field list', () => {
  test('names its sources and covers the five kinds the importers read', () => {
    expect(crd.sources.map((s) => `${s.repository}:${s.path}`)).toEqual([
      'argoproj/argo-rollouts:manifests/crds/rollout-crd.yaml',
      'argoproj/argo-rollouts:manifests/crds/analysis-template-crd.yaml',
      'argoproj/argo-rollouts:manifests/crds/cluster-analysis-template-crd.yaml',
      'fluxcd/flagger:artifacts/flagger/crd.yaml',
    ]);
    for (const source of crd.sources) expect(source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.keys(crd.kinds).sort()).toEqual([
      'argoproj.io/v1alpha1 AnalysisTemplate',
      'argoproj.io/v1alpha1 ClusterAnalysisTemplate',
      'argoproj.io/v1alpha1 Rollout',
      'flagger.app/v1beta1 Canary',
      'flagger.app/v1beta1 MetricTemplate',
    ]);
    // Spot checks of fields the importers read, as the CRDs spell them.
    expect(crd.kinds['flagger.app/v1beta1 Canary']).toEqual(
      expect.arrayContaining([
        'spec.analysis.threshold',
        'spec.analysis.stepWeights[]',
        'spec.analysis.metrics[].thresholdRange.min',
        'spec.analysis.match[].headers.*.exact',
      ]),
    );
    expect(crd.kinds['argoproj.io/v1alpha1 Rollout']).toEqual(
      expect.arrayContaining(['spec.strategy.canary.steps[].setWeight', 'spec.strategy.canary.steps[].pause.duration']),
    );
    expect(crd.kinds['argoproj.io/v1alpha1 AnalysisTemplate']).toEqual(
      expect.arrayContaining([
        'spec.metrics[].failureLimit',
        'spec.metrics[].successCondition',
        'spec.metrics[].provider.prometheus.query',
      ]),
    );
  });

  test('the checker refuses a misspelt field and accepts map keys and open subtrees', () => {
    const canary = {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'x' } },
      spec: {
        analysis: {
          stepWeigth: 5,
          match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
          metrics: [{ name: 'm', thresholdRange: { maximum: 1 } }],
        },
      },
    };
    expect(unknownFields(canary)).toEqual(['spec.analysis.stepWeigth', 'spec.analysis.metrics[].thresholdRange.maximum']);
  });
});

describe('every Argo Rollouts and Flagger document uses only fields its CRD allows', () => {
  const files = yamlFiles(fixtures);
  test('the fixtures include both importers', () => {
    const names = files.map((file) => relative(fixtures, file));
    expect(names.some((name) => name.startsWith('flagger/'))).toBe(true);
    expect(names.some((name) => name.startsWith('argo/'))).toBe(true);
  });
  test.each(files.map((file) => [relative(fixtures, file), file]))('fixture %s', (_name, file) => {
    const documents = checkedDocuments(readFileSync(file, 'utf8'));
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      const where = `${(document as { kind: string }).kind}/${(document.metadata as { name?: string } | undefined)?.name}`;
      expect({ where, unknown: unknownFields(document) }).toEqual({ where, unknown: [] });
    }
  });

  const exports: [string, string][] = [
    ['Argo Rollouts', argoRolloutsYaml(defaultPolicy())],
    // Counting over the rollout: the full stage is checked by a background analysis (strategy.canary.analysis, startingStep).
    [
      'Argo Rollouts background analysis',
      argoRolloutsYaml({ ...defaultPolicy(), guards: { ...defaultPolicy().guards, failureCounting: 'total', failureScope: 'rollout' } }),
    ],
    ['Flagger progressive', flaggerYaml(defaultPolicy(), { mode: 'progressive' })],
    ['Flagger shadow', flaggerYaml(defaultPolicy(), { mode: 'shadow' })],
    ['Flagger A/B', flaggerYaml(defaultPolicy(), { mode: 'ab' })],
  ];
  test('the background-analysis export has the fields it is there to check', () => {
    const rollout = checkedDocuments(exports[1][1]).find((document) => document.kind === 'Rollout') as {
      spec: { strategy: { canary: { analysis: Record<string, unknown> } } };
    };
    expect(Object.keys(rollout.spec.strategy.canary.analysis).sort()).toEqual(['args', 'startingStep', 'templates']);
  });
  test.each(exports)('our %s export of the default policy', (_name, text) => {
    const documents = checkedDocuments(text);
    expect(documents.length).toBeGreaterThan(1);
    for (const document of documents) {
      const where = `${(document as { kind: string }).kind}/${(document.metadata as { name?: string } | undefined)?.name}`;
      expect({ where, unknown: unknownFields(document) }).toEqual({ where, unknown: [] });
    }
  });
});

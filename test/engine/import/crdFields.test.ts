/**
 * Field names checked against the real CRDs: every field path of every Argo Rollouts and Flagger
 * document in the import fixtures (test/fixtures/import/**.yaml) and in our exporters' output for
 * the default policy (Argo; Flagger in its three modes) must be allowed by the schema the project
 * publishes. The allowed paths are test/fixtures/import/crd-fields.json, derived from
 * argoproj/argo-rollouts manifests/crds/{rollout,analysis-template,cluster-analysis-template}-crd.yaml
 * and fluxcd/flagger artifacts/flagger/crd.yaml at the commits the file names, by
 * scripts/reference/crd_fields.py (notation: `[]` array items, `*` any map key, `**` any subtree).
 * A typo in a fixture or an exporter (`stepWeigth`, `thresholdRange.maximum`) fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { argoRolloutsYaml } from '../../../src/engine/export/argoRollouts.ts';
import { flaggerYaml } from '../../../src/engine/export/flagger.ts';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';

const fixtures = join(import.meta.dirname, '../../fixtures/import');
const crd = JSON.parse(readFileSync(join(fixtures, 'crd-fields.json'), 'utf8')) as {
  sources: { repository: string; commit: string; path: string }[];
  kinds: Record<string, string[]>;
};

/** A path as tokens: keys, and `[]` for an array's items. */
type Tokens = string[];

/** `spec.steps[].setWeight` → ['spec', 'steps', '[]', 'setWeight']. */
function patternTokens(pattern: string): Tokens {
  const tokens: Tokens = [];
  for (const segment of pattern.split('.')) {
    const match = /^(.*?)((?:\[\])*)$/.exec(segment) as RegExpExecArray;
    if (match[1] !== '') tokens.push(match[1]);
    for (let i = 0; i < match[2].length / 2; i++) tokens.push('[]');
  }
  return tokens;
}

/** True when `tokens` is allowed by `pattern` (`*` one key, `**` the rest); with `prefix`, when some allowed path starts with `tokens`. */
function matches(pattern: Tokens, tokens: Tokens, prefix: boolean): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '**') return true;
    if (i >= tokens.length) return prefix;
    if (pattern[i] === '*' ? tokens[i] === '[]' : pattern[i] !== tokens[i]) return false;
  }
  return pattern.length === tokens.length;
}

/** Every leaf path of a document (an empty mapping or list is a leaf, checked as a prefix). */
function leafPaths(value: unknown, path: Tokens = []): { tokens: Tokens; container: boolean }[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [{ tokens: path, container: true }];
    return value.flatMap((item) => leafPaths(item, [...path, '[]']));
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return [{ tokens: path, container: true }];
    return entries.flatMap(([key, item]) => leafPaths(item, [...path, key]));
  }
  return [{ tokens: path, container: false }];
}

function display(tokens: Tokens): string {
  return tokens.join('.').replace(/\.\[\]/g, '[]');
}

/** The fields of `document` its CRD does not allow, or `undefined` when its kind is not one the CRD list covers. */
function unknownFields(document: Record<string, unknown>): string[] | undefined {
  const key = `${document.apiVersion} ${document.kind}`;
  const allowed = crd.kinds[key];
  if (allowed === undefined) return undefined;
  const patterns = allowed.map(patternTokens);
  return leafPaths(document)
    .filter(({ tokens, container }) => !patterns.some((pattern) => matches(pattern, tokens, container)))
    .map(({ tokens }) => display(tokens));
}

function yamlFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? yamlFiles(join(folder, entry.name)) : /\.ya?ml$/.test(entry.name) ? [join(folder, entry.name)] : [],
    )
    .sort();
}

/** The documents of a YAML stream that the CRD list covers (Argo Rollouts and Flagger kinds), as plain data. */
function checkedDocuments(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text)
    .map((doc) => {
      expect(doc.errors.map(String)).toEqual([]);
      return doc.toJS() as unknown;
    })
    .filter(
      (value): value is Record<string, unknown> =>
        typeof value === 'object' &&
        value !== null &&
        crd.kinds[`${(value as { apiVersion?: string }).apiVersion} ${(value as { kind?: string }).kind}`] !== undefined,
    );
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

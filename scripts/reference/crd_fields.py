#!/usr/bin/python3
"""Derives the field paths a Kubernetes CRD allows, for test/engine/import/crdFields.test.ts.

Run once with Debian's Python (python3-yaml) on the CRDs each project publishes:

    /usr/bin/python3 scripts/reference/crd_fields.py > test/fixtures/import/crd-fields.json

with the CRD files fetched from the commits named in SOURCES below (git show <commit>:<path>)
into CRD_DIR (default /tmp/crds). The output is a derived list of names, not the CRD text:
for each `group/version Kind`, every field path of the version's openAPIV3Schema, written as
`spec.strategy.canary.steps[].setWeight` (`[]` for the items of an array), `path.*` for the keys
of a map (`additionalProperties`), and `path.**` for a subtree whose fields the schema leaves open
(`x-kubernetes-preserve-unknown-fields`, or `metadata`, which the API server checks as ObjectMeta,
not the CRD). A subtree of more than COLLAPSE paths (the Kubernetes core types the CRDs embed:
a Rollout's pod template, an AnalysisTemplate's job spec) is written as `path.**` too, and listed
under `collapsed`, so the file stays small; the importers never read inside those subtrees.
"""
import json
import os
import sys

import yaml

CRD_DIR = os.environ.get('CRD_DIR', '/tmp/crds')
COLLAPSE = 200

# (repository, commit, path in the repository, local file name)
SOURCES = [
    ('argoproj/argo-rollouts', '9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d', 'manifests/crds/rollout-crd.yaml', 'rollout-crd.yaml'),
    (
        'argoproj/argo-rollouts',
        '9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d',
        'manifests/crds/analysis-template-crd.yaml',
        'analysis-template-crd.yaml',
    ),
    (
        'argoproj/argo-rollouts',
        '9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d',
        'manifests/crds/cluster-analysis-template-crd.yaml',
        'cluster-analysis-template-crd.yaml',
    ),
    ('fluxcd/flagger', '15bd6ad555e6c935da55f0ab95977be74c149bd6', 'artifacts/flagger/crd.yaml', 'flagger-crd.yaml'),
]

# Kinds the importers read (the Flagger file also defines AlertProvider).
KINDS = {'Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate', 'Canary', 'MetricTemplate'}


def paths(schema, prefix):
    """Every field path below `schema` (prefix included when it names a leaf or an open subtree)."""
    if schema.get('x-kubernetes-preserve-unknown-fields') and not schema.get('properties'):
        return [f'{prefix}.**']
    kind = schema.get('type')
    if kind == 'array' and 'items' in schema:
        return paths(schema['items'], f'{prefix}[]')
    properties = schema.get('properties')
    additional = schema.get('additionalProperties')
    out = []
    if properties:
        for name, sub in properties.items():
            out.extend(paths(sub, f'{prefix}.{name}' if prefix else name))
    if isinstance(additional, dict):
        out.extend(paths(additional, f'{prefix}.*'))
    elif additional is True:
        out.append(f'{prefix}.**')
    if schema.get('x-kubernetes-preserve-unknown-fields'):
        out.append(f'{prefix}.**')
    if not out:
        out.append(prefix)
    return out


def collapse(all_paths):
    """Replace every subtree with more than COLLAPSE paths by `subtree.**`, outermost first."""
    collapsed = []
    result = list(all_paths)
    changed = True
    while changed:
        changed = False
        counts = {}
        for path in result:
            parts = path.split('.')
            for depth in range(1, len(parts)):
                prefix = '.'.join(parts[:depth])
                counts[prefix] = counts.get(prefix, 0) + 1
        # outermost prefix that is big but whose parent is not the root of the document's spec
        for prefix in sorted(counts, key=lambda p: (p.count('.'), p)):
            if counts[prefix] > COLLAPSE and prefix.count('.') >= 1 and not any(prefix.startswith(c + '.') for c in collapsed):
                # collapse the deepest big prefix only if none of its children is big on its own
                children = [p for p in counts if p.startswith(prefix + '.') and counts[p] > COLLAPSE]
                if children:
                    continue
                collapsed.append(prefix)
                result = [p for p in result if not (p == prefix or p.startswith(prefix + '.'))] + [f'{prefix}.**']
                changed = True
                break
    return sorted(set(result)), sorted(collapsed)


def main():
    out = {
        'description': 'Field paths allowed by the published CRDs, derived by scripts/reference/crd_fields.py (see its docstring for the notation).',
        'sources': [{'repository': repo, 'commit': commit, 'path': path} for repo, commit, path, _ in SOURCES],
        'kinds': {},
        'collapsed': {},
    }
    for repo, commit, path, local in SOURCES:
        with open(os.path.join(CRD_DIR, local), encoding='utf-8') as handle:
            for document in yaml.safe_load_all(handle):
                if not document or document.get('kind') != 'CustomResourceDefinition':
                    continue
                spec = document['spec']
                kind = spec['names']['kind']
                if kind not in KINDS:
                    continue
                for version in spec['versions']:
                    schema = version.get('schema', {}).get('openAPIV3Schema')
                    if schema is None:
                        continue
                    key = f"{spec['group']}/{version['name']} {kind}"
                    found = paths(schema, '')
                    found = [p if not (p == 'metadata' or p.startswith('metadata.')) else 'metadata.**' for p in found]
                    kept, collapsed = collapse(found)
                    out['kinds'][key] = kept
                    if collapsed:
                        out['collapsed'][key] = collapsed
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()

/**
 * Field names checked against the real CRDs' schemas: the allowed field paths of each Argo
 * Rollouts and Flagger kind (test/fixtures/import/crd-fields.json, derived from the CRDs the
 * projects publish by scripts/reference/crd_fields.py; notation: `[]` array items, `*` any map
 * key, `**` any subtree) and the walk that lists the paths of a document its CRD does not allow.
 * Shared by test/engine/import/crdFields.test.ts and test/sim/audit/fixturePipeline.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseAllDocuments } from 'yaml';

/** The CRD field list: its sources (repository, commit, path) and the allowed paths per `apiVersion kind`. */
export const crd = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/import/crd-fields.json'), 'utf8')) as {
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
export function unknownFields(document: Record<string, unknown>): string[] | undefined {
  const key = `${document.apiVersion} ${document.kind}`;
  const allowed = crd.kinds[key];
  if (allowed === undefined) return undefined;
  const patterns = allowed.map(patternTokens);
  return leafPaths(document)
    .filter(({ tokens, container }) => !patterns.some((pattern) => matches(pattern, tokens, container)))
    .map(({ tokens }) => display(tokens));
}

/** The documents of a YAML stream that the CRD list covers (Argo Rollouts and Flagger kinds), as plain data; fails the test on a YAML error. */
export function checkedDocuments(text: string): Record<string, unknown>[] {
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

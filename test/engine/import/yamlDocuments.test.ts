/** readYamlDocuments: multi-document files, and one-line ImportErrors naming file#document for input that is not a Kubernetes object. */
import { describe, expect, test } from 'vitest';
import { ImportError } from '../../../src/engine/import/importTypes.ts';
import { readYamlDocuments } from '../../../src/engine/import/yamlDocuments.ts';

function failure(text: string, name = 'f.yaml'): string {
  try {
    readYamlDocuments([{ name, text }]);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportError);
    return (error as Error).message;
  }
  throw new Error('expected an ImportError');
}

describe('readYamlDocuments', () => {
  test('reads every document of every file, skipping empty ones, numbering as the file does', () => {
    const documents = readYamlDocuments([
      {
        name: 'a.yaml',
        text: '# comment\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: web\n---\n---\napiVersion: v1\nkind: Service\n',
      },
      { name: 'b.yaml', text: 'apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: { name: success-rate }\n' },
    ]);
    expect(documents.map((d) => [d.file, d.index, d.kind, d.name, d.apiVersion])).toEqual([
      ['a.yaml', 0, 'Rollout', 'web', 'argoproj.io/v1alpha1'],
      ['a.yaml', 2, 'Service', '', 'v1'],
      ['b.yaml', 0, 'AnalysisTemplate', 'success-rate', 'argoproj.io/v1alpha1'],
    ]);
    expect(documents[0].document.getIn(['metadata', 'name'])).toBe('web');
    expect(documents[2].value).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'success-rate' },
    });
  });

  test('not YAML: the parser error with its line, one line', () => {
    const message = failure('apiVersion: v1\nkind: Rollout\nspec:\n  steps: [1, 2\n');
    expect(message).toMatch(/^f\.yaml#1: not YAML \(line \d+\): /);
    expect(message).not.toContain('\n');
    expect(failure('apiVersion: v1\nkind: A\nkind: B\n')).toMatch(/^f\.yaml#1: not YAML \(line 3\): Map keys must be unique/);
  });

  test('not a mapping, or no apiVersion / kind', () => {
    expect(failure('- 1\n- 2\n')).toBe('f.yaml#1: not a Kubernetes object: the document is a list, not a mapping with apiVersion and kind');
    expect(failure('just some text\n')).toBe(
      'f.yaml#1: not a Kubernetes object: the document is a string, not a mapping with apiVersion and kind',
    );
    expect(failure('apiVersion: v1\nkind: A\n---\nkind: Rollout\n')).toBe('f.yaml#2: not a Kubernetes object: apiVersion is missing');
    expect(failure('apiVersion: v1\nkind: [1]\n')).toBe('f.yaml#1: not a Kubernetes object: kind is not a string');
    expect(failure('# only a comment\n')).toBe('f.yaml: no Kubernetes document to import');
  });
});

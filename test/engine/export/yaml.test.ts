/**
 * The YAML emitter is checked against an independent parser: eemeli/yaml 2.9.1 (`yaml`
 * devDependency), in both its YAML 1.2 core schema and YAML 1.1 schema (where `yes`, `on`,
 * `1_000` and dates resolve to non-strings), and against literal expected text.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { isPlainSafe, toYaml, toYamlDocuments, yamlCommentLines, yamlString } from '../../../src/engine/export/yaml.ts';

const readBack12 = (text: string) => parse(text);
const readBack11 = (text: string) => parse(text, { version: '1.1' });

describe('yamlString', () => {
  test('quotes strings a YAML reader would turn into something else', () => {
    for (const text of [
      'yes',
      'No',
      'on',
      'OFF',
      'y',
      'true',
      'null',
      '~',
      '',
      '1.5',
      '1e3',
      '0x1F',
      '0o17',
      '1_000',
      '.inf',
      '-.5',
      '2001-12-14',
      '12:30',
      'a: b',
      'a #b',
      ' lead',
      'trail ',
      '-',
      '- x',
      '[x]',
      '{x}',
      '*ref',
      '&anchor',
      '!tag',
      '|',
      '>',
      '@x',
      '`x',
      '%x',
      "'x",
      '"x',
      'a\tb',
    ]) {
      expect(isPlainSafe(text), text).toBe(false);
      expect(yamlString(text).startsWith('"'), text).toBe(true);
    }
  });
  test('leaves ordinary words, names, durations and paths plain', () => {
    for (const text of [
      'argoproj.io/v1alpha1',
      'Rollout',
      '24h',
      '5m',
      '1h30m',
      'canary-hash',
      'rollout-lab/stage-kind',
      '/v1/decide',
      'framework default',
      'http_requests_total',
    ]) {
      expect(yamlString(text), text).toBe(text);
    }
  });
});

describe('toYaml', () => {
  test('writes block style with the exact expected text', () => {
    const text = toYaml({
      apiVersion: 'v1',
      kind: 'X',
      spec: { list: [1, 'two', { a: true, b: null }], empty: [], none: {}, skipped: undefined, query: 'sum(x)\n/ sum(y)' },
    });
    expect(text).toBe(
      [
        'apiVersion: v1',
        'kind: X',
        'spec:',
        '  list:',
        '    - 1',
        '    - two',
        '    - a: true',
        '      b: null',
        '  empty: []',
        '  none: {}',
        '  query: |-',
        '    sum(x)',
        '    / sum(y)',
        '',
      ].join('\n'),
    );
  });
  test('refuses NaN and Infinity, naming the field', () => {
    expect(() => toYaml({ spec: { weight: NaN } })).toThrow('spec.weight must be a finite number, got NaN');
    expect(() => toYaml({ list: [1, Infinity] })).toThrow('list[1] must be a finite number');
  });
  test('several documents are separated by ---', () => {
    expect(toYamlDocuments([{ a: 1 }, { b: 'x' }])).toBe('---\na: 1\n---\nb: x\n');
  });

  // Arbitrary JSON-like data (strings with any characters, nested arrays and objects) must read
  // back identically under both YAML versions: quoting is conservative enough for either.
  const key = fc.string({ maxLength: 8 });
  const leaf = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('yes', 'on', '1.5', '2001-12-14', 'a: b', '#x', ' x', '', '-', 'null'),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.string({ unit: 'grapheme', maxLength: 6 }).map((s) => `${s}\n${s}`),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
  })).node;
  test('round-trips arbitrary data through an independent parser (YAML 1.2 and 1.1), 1,500 cases', () => {
    fc.assert(
      fc.property(value, (data) => {
        const text = toYaml(data as never);
        const expected = JSON.parse(JSON.stringify(data, (_k, v) => (Object.is(v, -0) ? 0 : v)));
        expect(readBack12(text)).toEqual(expected);
        expect(readBack11(text)).toEqual(expected);
      }),
      { numRuns: 1500, seed: 20261129 },
    );
  });
});

test('comment lines: one per note, line breaks folded, skipped by a YAML reader', () => {
  const text = yamlCommentLines(['first', 'a\nsecond: x']) + toYamlDocuments([{ kind: 'Rollout' }]);
  expect(text).toBe('# first\n# a second: x\n---\nkind: Rollout\n');
  expect(parse(text)).toEqual({ kind: 'Rollout' });
});

/**
 * A code cell's `source` is what readers see; `run` is what executes. They must be the same
 * code: for every code cell of every notebook file, the body of `run` as written in the file and
 * the `source` string print identically once parsed by the TypeScript compiler (so only
 * whitespace, line breaks and comments may differ). See notebooks/notebook.ts for why the source
 * is not derived from `run.toString()` at runtime.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { notebooks } from '../../notebooks/index.ts';
import { canonicalBody, codeCellsOf } from './cellSources.ts';

describe('code cell sources', () => {
  for (const notebook of notebooks) {
    const path = fileURLToPath(new URL(`../../notebooks/${notebook.id}.ts`, import.meta.url));
    const pairs = codeCellsOf(path, readFileSync(path, 'utf8'));

    it(`${notebook.id}: the file's code cells are the notebook's code cells, in order`, () => {
      const codeCells = notebook.cells.filter((cell) => cell.kind === 'code');
      expect(pairs.map((pair) => pair.name)).toEqual(codeCells.map((cell) => cell.name));
      pairs.forEach((pair, i) => expect(pair.source).toBe(codeCells[i].source));
    });

    for (const pair of pairs) {
      it(`${notebook.id} › ${pair.name}: source is the body of run`, () => {
        expect(pair.source, 'source must be a string or template literal without substitutions').not.toBeNull();
        expect(canonicalBody(pair.source!, pair.blockBody), `source of '${pair.name}' should be:\n${pair.runBody}`).toBe(
          canonicalBody(pair.runBody, pair.blockBody),
        );
      });
    }
  }
});

describe('the comparison', () => {
  it('ignores layout and comments but not code', () => {
    const body = 'const x = f(1, 2);\nreturn x;';
    expect(canonicalBody('const x = f(1,\n    2); // two\nreturn x', true)).toBe(canonicalBody(body, true));
    expect(canonicalBody('const x = f(1, 3);\nreturn x;', true)).not.toBe(canonicalBody(body, true));
    expect(canonicalBody('const x: number = f(1, 2);\nreturn x;', true)).not.toBe(canonicalBody(body, true));
    expect(() => canonicalBody('return (', true)).toThrow(/does not parse/);
  });

  it('reads cells from a file', () => {
    const file = [
      "const cells = [",
      "  { kind: 'markdown', text: 'hi' },",
      "  { kind: 'code', name: 'a', source: `return 1;`, run: () => {\n    return 1;\n  } },",
      "  { kind: 'code', name: 'b', source: 'a + 1', run: ({ a }) => a + 1 },",
      "];",
    ].join('\n');
    expect(codeCellsOf('x.ts', file)).toEqual([
      { name: 'a', runBody: 'return 1;', blockBody: true, source: 'return 1;' },
      { name: 'b', runBody: 'a + 1', blockBody: false, source: 'a + 1' },
    ]);
  });
});

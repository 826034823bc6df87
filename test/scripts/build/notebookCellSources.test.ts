/**
 * Notebook code cells are written once (as `run`); the build derives the text readers see. These
 * tests pin the derivation on small literal files, and check that the notebooks this test runner
 * loads went through the plugin (vitest.config.ts) just as the app build does (vite.config.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { notebooks } from '../../../notebooks/index.ts';
import { codeCellTexts, dedent, withCellSources } from '../../../scripts/build/notebookCellSources.ts';

const file = [
  "import type { Notebook } from './notebook.ts';",
  'const notebook: Notebook = {',
  "  id: 'x',",
  '  cells: [',
  "    { kind: 'markdown', text: 'hi' },",
  '    {',
  "      kind: 'code',",
  "      name: 'a',",
  '      run: () => {',
  '        // one, then two',
  '        const one: number = 1;',
  '',
  '        return `${one} + 1`;',
  '      },',
  '    },',
  "    { kind: 'code', name: 'b', run: ({ a }: { a: string }) => a.length },",
  "    { kind: 'code', name: 'c', run({ b }: { b: number }) { return b * 2; } },",
  '  ],',
  '};',
].join('\n');

describe('codeCellTexts', () => {
  it('takes the body of run as written: comments, types and blank lines kept, indentation removed', () => {
    expect(codeCellTexts('x.ts', file).map(({ name, source }) => ({ name, source }))).toEqual([
      { name: 'a', source: '// one, then two\nconst one: number = 1;\n\nreturn `${one} + 1`;' },
      { name: 'b', source: 'a.length' },
      { name: 'c', source: 'return b * 2;' },
    ]);
  });

  it('refuses a cell that writes its source by hand, naming the file, line and cell', () => {
    const handWritten = "const cells = [\n  { kind: 'code', name: 'a', source: 'return 1;', run: () => 1 },\n];";
    expect(() => codeCellTexts('notebooks/x.ts', handWritten)).toThrow("notebooks/x.ts:2: code cell 'a' writes its source by hand");
  });

  it('refuses a cell whose run is not written inline', () => {
    const byReference = "const cells = [\n\n  { kind: 'code', name: 'a', run: compute },\n];";
    expect(() => codeCellTexts('notebooks/x.ts', byReference)).toThrow("notebooks/x.ts:3: code cell 'a' must write run inline");
  });
});

describe('withCellSources', () => {
  it("inserts the source after each code cell's brace, without adding a line", () => {
    const transformed = withCellSources('x.ts', file)!;
    expect(transformed.split('\n')).toHaveLength(file.split('\n').length);
    expect(transformed.split('\n')[5]).toBe('    { source: "// one, then two\\nconst one: number = 1;\\n\\nreturn `${one} + 1`;",');
    expect(transformed.split('\n')[15]).toBe(
      "    { source: \"a.length\", kind: 'code', name: 'b', run: ({ a }: { a: string }) => a.length },",
    );
    // Removing the inserted properties gives back the file exactly.
    expect(transformed.replace(/ source: "(?:[^"\\]|\\.)*",/g, '')).toBe(file);
  });

  it('leaves a file without code cells alone', () => {
    // A cell's result has `kind: 'code'` too, but no `run`.
    expect(
      withCellSources('notebook.ts', "if (cell.kind === 'code') run();\nreport({ kind: 'code', name: cell.name, status: 'ok' });"),
    ).toBeNull();
  });
});

describe('dedent', () => {
  it('removes blank edge lines, common indentation and trailing spaces', () => {
    expect(dedent('\n    a  \n      b\n\n    c\n  ')).toBe('a\n  b\n\nc');
  });
});

describe('the notebooks as loaded here', () => {
  for (const notebook of notebooks) {
    it(`${notebook.id}: every code cell shows the body of its run function, in file order`, () => {
      const path = fileURLToPath(new URL(`../../../notebooks/${notebook.id}.ts`, import.meta.url));
      const expected = codeCellTexts(path, readFileSync(path, 'utf8'));
      const codeCells = notebook.cells.filter((cell) => cell.kind === 'code');
      expect(expected.length).toBeGreaterThan(0);
      expect(codeCells.map((cell) => [cell.name, cell.source])).toEqual(expected.map((cell) => [cell.name, cell.source]));
    });
  }
});

/**
 * The index lists every notebook file: a new `notebooks/<id>.ts` that is not added to
 * `notebooks/index.ts` fails here (and so can never silently escape the test that runs them).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Notebook } from '../../notebooks/index.ts';
import { notebookById, notebookProblems, notebooks } from '../../notebooks/index.ts';

const folder = fileURLToPath(new URL('../../notebooks/', import.meta.url));
/** Files of `notebooks/` that are machinery, not notebooks. */
const supportFiles = new Set(['index.ts', 'notebook.ts']);
const notebookFiles = readdirSync(folder)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !supportFiles.has(file))
  .sort();

describe('notebooks/index.ts', () => {
  it('finds the notebook files', () => {
    expect(notebookFiles.length).toBeGreaterThanOrEqual(5);
  });

  for (const file of notebookFiles) {
    it(`lists ${file}, whose default export is a valid notebook with the file's name as id`, async () => {
      const module = (await import(`../../notebooks/${file.replace(/\.ts$/, '')}.ts`)) as { default?: Notebook };
      expect(module.default, `${file} must default-export a Notebook`).toBeDefined();
      const notebook = module.default!;
      expect(notebook.id).toBe(file.replace(/\.ts$/, ''));
      expect(notebookProblems(notebook)).toEqual([]);
      expect(notebooks, `${file} is missing from notebooks/index.ts`).toContain(notebook);
    });
  }

  it('lists nothing else, with unique ids', () => {
    expect(notebooks.map((notebook) => `${notebook.id}.ts`).sort()).toEqual(notebookFiles);
    expect(new Set(notebooks.map((notebook) => notebook.id)).size).toBe(notebooks.length);
  });

  it('finds a notebook by id', () => {
    expect(notebookById('the-cost-of-peeking')?.title).toBe('The cost of peeking');
    expect(notebookById('no-such-notebook')).toBeUndefined();
  });
});

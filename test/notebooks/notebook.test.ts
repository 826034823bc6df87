/**
 * The notebook runner: values flow through the scope, a failing cell is recorded (never thrown),
 * cells that read its name are skipped with the reason, independent cells still run.
 */
import { describe, expect, it } from 'vitest';
import type { Notebook } from '../../notebooks/notebook.ts';
import { isFigure, isTable, notebookProblems, runNotebook } from '../../notebooks/notebook.ts';

function notebook(cells: Notebook['cells']): Notebook {
  return { id: 'test-notebook', title: 'Test', summary: 'A notebook for the tests.', cells };
}

/** A clock that advances 10 ms per reading, so durations are deterministic. */
function fakeClock(): () => number {
  let time = 0;
  return () => (time += 10);
}

describe('runNotebook', () => {
  it('passes values by name and records what each cell used', async () => {
    const run = await runNotebook(
      notebook([
        { kind: 'markdown', text: '# Title' },
        { kind: 'code', name: 'a', source: 'return 2;', run: () => 2 },
        { kind: 'code', name: 'b', source: 'return a * 3;', run: async ({ a }: { a: number }) => a * 3 },
        { kind: 'code', name: 'c', source: 'return a + b;', run: ({ a, b }: { a: number; b: number }) => a + b },
      ]),
      { now: fakeClock() },
    );
    expect(run.ok).toBe(true);
    expect(run.results.map((result) => result.status)).toEqual(['markdown', 'ok', 'ok', 'ok']);
    expect(run.results.map((result) => result.value)).toEqual([undefined, 2, 6, 8]);
    expect(run.results[3].uses).toEqual(['a', 'b']);
    expect(run.results[1].durationMs).toBe(10);
  });

  it('records an error, skips the cells that depend on it and runs the others', async () => {
    const seen: string[] = [];
    const run = await runNotebook(
      notebook([
        {
          kind: 'code',
          name: 'broken',
          source: '',
          run: () => {
            throw new RangeError('alpha must be between 0 and 1, got 2');
          },
        },
        { kind: 'code', name: 'dependent', source: '', run: ({ broken }: { broken: number }) => broken + 1 },
        { kind: 'code', name: 'transitive', source: '', run: ({ dependent }: { dependent: number }) => dependent + 1 },
        { kind: 'code', name: 'independent', source: '', run: () => 'fine' },
        { kind: 'code', name: 'rejected', source: '', run: () => Promise.reject(new Error('network down')) },
      ]),
      { onCell: (result) => seen.push(result.name ?? '') },
    );
    expect(run.ok).toBe(false);
    expect(run.results.map((result) => result.status)).toEqual(['error', 'skipped', 'skipped', 'ok', 'error']);
    expect(run.results[0].error).toBe('RangeError: alpha must be between 0 and 1, got 2');
    expect(run.results[1].error).toBe('not run: it uses `broken`, which did not compute (cell 1)');
    expect(run.results[2].error).toBe('not run: it uses `dependent`, which did not compute (cell 2)');
    expect(run.results[3].value).toBe('fine');
    expect(run.results[4].error).toBe('network down');
    expect(seen).toEqual(['broken', 'dependent', 'transitive', 'independent', 'rejected']);
  });

  it('reports a name that no earlier cell defined, and a write to the scope', async () => {
    const run = await runNotebook(
      notebook([
        { kind: 'code', name: 'later', source: '', run: ({ typo }: { typo: number }) => typo },
        {
          kind: 'code',
          name: 'writer',
          source: '',
          run: (scope) => {
            (scope as Record<string, unknown>).x = 1;
            return 1;
          },
        },
      ]),
    );
    expect(run.results[0].status).toBe('error');
    expect(run.results[0].error).toBe('ReferenceError: no earlier cell is named `typo`');
    expect(run.results[1].status).toBe('error');
    expect(run.results[1].error).toMatch(/read-only/);
  });

  it('never throws: an invalid notebook reports its problems on every cell', async () => {
    const invalid = notebook([
      { kind: 'code', name: 'x', source: '', run: () => 1 },
      { kind: 'code', name: 'x', source: '', run: () => 2 },
    ]);
    expect(notebookProblems(invalid)).toEqual(["cells[1].name 'x' is used twice"]);
    const run = await runNotebook(invalid);
    expect(run.ok).toBe(false);
    expect(run.results.map((result) => result.status)).toEqual(['error', 'error']);
    expect(run.results[0].error).toMatch(/used twice/);
    const garbage = await runNotebook({ id: 'Bad Id', title: '', summary: '', cells: null } as unknown as Notebook);
    expect(garbage.ok).toBe(false);
    expect(notebookProblems({ id: 'Bad Id', title: '', summary: '', cells: [] })).toHaveLength(2);
  });

  it('refuses a code cell without its source text, pointing at the build plugin that adds it', () => {
    // A notebook file loaded without scripts/build/notebookCellSources.ts has cells like this one.
    expect(notebookProblems(notebook([{ kind: 'code', name: 'a', run: () => 1 }]))).toEqual([
      'cells[0].source must be a string, got undefined (a notebook file loaded without the notebook-cell-sources plugin of vite.config.ts?)',
    ]);
  });

  it('stops between cells when aborted', async () => {
    const controller = new AbortController();
    const run = await runNotebook(
      notebook([
        {
          kind: 'code',
          name: 'first',
          source: '',
          run: () => {
            controller.abort();
            return 1;
          },
        },
        { kind: 'code', name: 'second', source: '', run: () => 2 },
      ]),
      { signal: controller.signal },
    );
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'skipped']);
    expect(run.results[1].error).toBe('not run: the run was stopped');
  });
});

describe('value kinds', () => {
  it('recognises figures and tables', () => {
    expect(isFigure({ figure: { marks: [] }, caption: 'c' })).toBe(true);
    expect(isFigure({ figure: null, caption: 'c' })).toBe(false);
    expect(isFigure({ figure: {} })).toBe(false);
    expect(isTable({ table: [{ a: 1 }] })).toBe(true);
    expect(isTable({ table: [1, 2] })).toBe(false);
    expect(isTable([{ a: 1 }])).toBe(false);
  });
});

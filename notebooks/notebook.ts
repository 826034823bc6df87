/**
 * Notebooks: literate, executable analyses made of prose and code cells, and the runner that
 * executes them in Node (the test suite) and in the browser (`<rl-notebook-view>`).
 *
 * Why code cells are functions and not strings: the app ships a Content-Security-Policy without
 * `unsafe-eval`, so a notebook cannot `eval` text. A code cell is written once, as `run`, the
 * function that executes; `source`, the text readers see, is derived from it at build time by the
 * Vite plugin scripts/build/notebookCellSources.ts (loaded by vite.config.ts and vitest.config.ts):
 * the body of `run` as written in the notebook file. It is not taken from `run.toString()` at run
 * time because the production build minifies function text and strips the TypeScript types.
 *
 * Scope: each code cell has a `name`; its value is bound to that name in a scope object that
 * later cells receive (`run: ({ design }) => …`). The runner hands cells a guarded scope: reading
 * a name that failed earlier marks the reading cell as skipped (with the reason), and reading a
 * name no cell defined is an error — so a typo or a broken cell never turns into a silent
 * `undefined` further down.
 */
import type { PlotOptions } from '@observablehq/plot';

/** Prose: a small markdown subset (headings, paragraphs, emphasis, code spans, lists, links). */
export interface MarkdownCell {
  kind: 'markdown';
  text: string;
}

/** The values of earlier cells, by cell name. */
export type Scope = Readonly<Record<string, unknown>>;

/** Code: `run` executes; `source` is its body as text, added by the build (never written by hand). */
export interface CodeCell {
  kind: 'code';
  /** The name the value is bound to in the scope, e.g. `design`: an identifier, unique per notebook. */
  name: string;
  /**
   * The body of `run` as written in the notebook file (TypeScript). A notebook file never writes
   * it: the build adds it (scripts/build/notebookCellSources.ts), and refuses a file that does. A
   * notebook made in code (e.g. in a test) sets it itself.
   */
  source?: string;
  /**
   * Computes the cell's value from the scope (the values of earlier cells). Declared as a method
   * so that a cell may type its parameter narrowly, e.g. `({ design }: { design: SampleSizeResult })`.
   */
  run(scope: Scope): unknown;
}

/** A cell of a notebook. */
export type Cell = MarkdownCell | CodeCell;

/** A notebook: what `notebooks/<id>.ts` default-exports. */
export interface Notebook {
  /** URL-safe identifier, equal to the file name without `.ts`. */
  id: string;
  title: string;
  /** One or two sentences for the list of notebooks. */
  summary: string;
  cells: Cell[];
}

/** A value that renders as a figure: an Observable Plot options object passed to `Plot.plot`. */
export interface Figure {
  figure: PlotOptions;
  caption: string;
}

/** A value that renders as a table: rows of plain objects with the given columns. */
export interface Table {
  table: readonly Record<string, unknown>[];
  /** Column keys in display order (default: the keys of the first row). */
  columns?: readonly string[];
  caption?: string;
}

/** True when `value` is a `Figure` (an object with a `figure` object and a `caption` string). */
export function isFigure(value: unknown): value is Figure {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Figure).figure === 'object' &&
    (value as Figure).figure !== null &&
    typeof (value as Figure).caption === 'string'
  );
}

/** True when `value` is a `Table` (an object whose `table` is an array of objects). */
export function isTable(value: unknown): value is Table {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as Table).table) &&
    (value as Table).table.every((row) => typeof row === 'object' && row !== null)
  );
}

/** How a cell ended. */
export type CellStatus = 'markdown' | 'ok' | 'error' | 'skipped';

/** What running one cell produced. */
export interface CellResult {
  index: number;
  kind: Cell['kind'];
  /** The code cell's name (undefined for prose). */
  name?: string;
  status: CellStatus;
  /** The value (status `ok` only). */
  value?: unknown;
  /** Why the cell failed or was skipped (status `error` / `skipped`). */
  error?: string;
  /** Names of earlier cells this cell read from the scope, in the order it read them. */
  uses: string[];
  /** Wall-clock time of the cell in milliseconds (0 for prose and skipped cells). */
  durationMs: number;
}

/** Options of `runNotebook`. */
export interface RunNotebookOptions {
  /** Milliseconds clock (default `performance.now`). */
  now?: () => number;
  /** Called after each cell with its result, e.g. to render results as they arrive. */
  onCell?: (result: CellResult) => void;
  /** Stops the run between cells: the remaining cells are reported as skipped. */
  signal?: AbortSignal;
  /**
   * Awaited before each code cell, e.g. `() => new Promise((resolve) => setTimeout(resolve))` in
   * the browser so that the page repaints between cells. Default: none.
   */
  pause?: () => Promise<void>;
}

/** The result of a run: one result per cell, in cell order. */
export interface NotebookRun {
  notebookId: string;
  results: CellResult[];
  /** True when every code cell ended `ok`. */
  ok: boolean;
  durationMs: number;
}

/** Thrown inside the guarded scope when a cell reads a name that failed earlier. */
class UnavailableDependency extends Error {
  constructor(
    readonly dependency: string,
    readonly producer: number,
  ) {
    super(`not run: it uses \`${dependency}\`, which did not compute (cell ${producer + 1})`);
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}

/**
 * Checks a notebook's shape: id, title, cells, and unique identifier names of code cells.
 * Returns the problems (empty when valid); `runNotebook` reports them instead of running.
 */
export function notebookProblems(notebook: Notebook): string[] {
  const problems: string[] = [];
  if (typeof notebook?.id !== 'string' || !/^[a-z0-9-]+$/.test(notebook.id))
    problems.push(`id must be lowercase words joined by '-', got ${String(notebook?.id)}`);
  if (typeof notebook?.title !== 'string' || notebook.title === '') problems.push('title must be a non-empty string');
  if (!Array.isArray(notebook?.cells)) return [...problems, 'cells must be an array'];
  const names = new Set<string>();
  notebook.cells.forEach((cell, i) => {
    if (cell?.kind === 'markdown') {
      if (typeof cell.text !== 'string') problems.push(`cells[${i}].text must be a string`);
    } else if (cell?.kind === 'code') {
      if (typeof cell.name !== 'string' || !IDENTIFIER.test(cell.name))
        problems.push(`cells[${i}].name must be an identifier, got ${String(cell.name)}`);
      else if (names.has(cell.name)) problems.push(`cells[${i}].name '${cell.name}' is used twice`);
      else names.add(cell.name);
      if (typeof cell.source !== 'string') {
        problems.push(
          `cells[${i}].source must be a string, got ${typeof cell.source} (a notebook file loaded without the notebook-cell-sources plugin of vite.config.ts?)`,
        );
      }
      if (typeof cell.run !== 'function') problems.push(`cells[${i}].run must be a function`);
    } else {
      problems.push(`cells[${i}].kind must be 'markdown' or 'code'`);
    }
  });
  return problems;
}

/**
 * Runs every cell of `notebook` in order and returns one result per cell. Never throws: a cell
 * that throws (or whose promise rejects) is recorded as `error` with its message, and any later
 * cell that reads its name is recorded as `skipped` with the reason; cells that do not depend on
 * it still run. An invalid notebook (see `notebookProblems`) executes nothing: every cell is
 * reported as `error` with the problems. Async cells are awaited one at a time. Cost: the sum of
 * the cells' costs.
 */
export async function runNotebook(notebook: Notebook, options: RunNotebookOptions = {}): Promise<NotebookRun> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const problems = notebookProblems(notebook);
  if (problems.length > 0) {
    const cells = Array.isArray(notebook?.cells) ? notebook.cells : [];
    const results: CellResult[] = cells.map((cell, index) => ({
      index,
      kind: cell?.kind === 'markdown' ? 'markdown' : 'code',
      status: 'error',
      error: `invalid notebook: ${problems.join('; ')}`,
      uses: [],
      durationMs: 0,
    }));
    return { notebookId: String(notebook?.id), results, ok: false, durationMs: now() - started };
  }

  const values = new Map<string, unknown>();
  const failed = new Map<string, number>();
  const results: CellResult[] = [];
  const report = (result: CellResult) => {
    results.push(result);
    try {
      options.onCell?.(result);
    } catch {
      // A listener's bug must not stop the run (the runner never throws).
    }
  };

  for (const [index, cell] of notebook.cells.entries()) {
    if (cell.kind === 'markdown') {
      report({ index, kind: 'markdown', status: 'markdown', uses: [], durationMs: 0 });
      continue;
    }
    if (options.pause) {
      try {
        await options.pause();
      } catch {
        // A failing pause only loses the repaint.
      }
    }
    if (options.signal?.aborted) {
      failed.set(cell.name, index);
      report({ index, kind: 'code', name: cell.name, status: 'skipped', error: 'not run: the run was stopped', uses: [], durationMs: 0 });
      continue;
    }
    const uses: string[] = [];
    const scope = guardedScope(values, failed, uses);
    const cellStarted = now();
    try {
      const value = await cell.run(scope);
      values.set(cell.name, value);
      report({ index, kind: 'code', name: cell.name, status: 'ok', value, uses, durationMs: now() - cellStarted });
    } catch (error) {
      failed.set(cell.name, index);
      if (error instanceof UnavailableDependency) {
        report({ index, kind: 'code', name: cell.name, status: 'skipped', error: error.message, uses, durationMs: 0 });
      } else {
        report({
          index,
          kind: 'code',
          name: cell.name,
          status: 'error',
          error: describeError(error),
          uses,
          durationMs: now() - cellStarted,
        });
      }
    }
  }
  const ok = results.every((result) => result.status === 'markdown' || result.status === 'ok');
  return { notebookId: notebook.id, results, ok, durationMs: now() - started };
}

/**
 * A read-only view of the values so far that records which names a cell reads, throws
 * `UnavailableDependency` for names that failed, and a ReferenceError for names never defined.
 */
function guardedScope(values: Map<string, unknown>, failed: Map<string, number>, uses: string[]): Scope {
  const target: Record<string, unknown> = Object.create(null);
  for (const [name, value] of values) target[name] = value;
  return new Proxy(target, {
    get(object, key) {
      if (typeof key !== 'string' || key === 'then' || key === 'toJSON') return undefined;
      if (failed.has(key)) {
        if (!uses.includes(key)) uses.push(key);
        throw new UnavailableDependency(key, failed.get(key)!);
      }
      if (!(key in object)) throw new ReferenceError(`no earlier cell is named \`${key}\``);
      if (!uses.includes(key)) uses.push(key);
      return object[key];
    },
    set() {
      throw new TypeError('the scope is read-only: return a value from the cell instead');
    },
    defineProperty() {
      throw new TypeError('the scope is read-only: return a value from the cell instead');
    },
    deleteProperty() {
      throw new TypeError('the scope is read-only');
    },
  }) as Scope;
}

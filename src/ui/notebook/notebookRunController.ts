import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CellResult, Notebook, NotebookRun } from '../../../notebooks/notebook.ts';
import { runNotebook } from '../../../notebooks/notebook.ts';

/** Where a notebook run stands. */
export type NotebookRunStatus = 'idle' | 'running' | 'done' | 'stopped';

/**
 * Runs a notebook for an element and keeps its per-cell results, shaped like the app's
 * `TaskController`: `runAll` aborts the previous run and starts a new one; results of a stale
 * run are dropped; cells report one by one (the runner pauses with `setTimeout` between cells
 * so that the page repaints); the run is stopped when the host leaves the page.
 */
export class NotebookRunController implements ReactiveController {
  status: NotebookRunStatus = 'idle';
  /** Result per cell index; undefined for cells not run (yet). */
  results: readonly (CellResult | undefined)[] = [];
  /** The last finished run. */
  lastRun: NotebookRun | undefined;
  private current: AbortController | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Forgets results (e.g. when another notebook is shown) and stops any run. */
  reset(): void {
    this.current?.abort();
    this.current = undefined;
    this.status = 'idle';
    this.results = [];
    this.lastRun = undefined;
    this.host.requestUpdate();
  }

  /** Stops the current run after the cell in progress. */
  stop(): void {
    this.current?.abort();
  }

  /** Runs every cell of `notebook`, aborting any run in progress. Resolves when it settles. */
  async runAll(notebook: Notebook): Promise<void> {
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    this.status = 'running';
    this.results = notebook.cells.map(() => undefined);
    this.host.requestUpdate();
    const run = await runNotebook(notebook, {
      signal: controller.signal,
      pause: () => new Promise((resolve) => setTimeout(resolve, 0)),
      onCell: (result) => {
        if (this.current !== controller) return;
        const results = [...this.results];
        results[result.index] = result;
        this.results = results;
        this.host.requestUpdate();
      },
    });
    if (this.current !== controller) return;
    this.lastRun = run;
    this.status = controller.signal.aborted ? 'stopped' : 'done';
    this.host.requestUpdate();
  }
}

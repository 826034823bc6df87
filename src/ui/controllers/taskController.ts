import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Where a task stands; the host renders by status (as `@lit/task`, plus `'cancelled'`: the user
 * stopped the last run, and `value` holds whatever partial result it had reported).
 */
export type TaskStatus = 'initial' | 'pending' | 'complete' | 'error' | 'cancelled';

/** What a running task receives besides its arguments. */
export interface TaskContext {
  /** Aborted when a newer run starts or the host leaves the page: stop working and return. */
  signal: AbortSignal;
  /** Reports progress as a fraction in [0, 1]; ignored once the run is stale. */
  reportProgress(fraction: number): void;
}

/** What a running task receives, with a way to show partial results as they stream in. */
export interface StreamingTaskContext<R> extends TaskContext {
  /** Shows a partial result now (status stays pending); ignored once the run is stale. */
  reportPartial(value: R): void;
}

/**
 * Progress re-renders the host only when it crosses one of this many steps (0.5% each): a worker
 * pool reports after every shard and every 50 ms of every worker, thousands of times in a lab
 * sweep, and each report used to re-render the whole view on the main thread — which then shared
 * the machine's cores with the workers it was waiting for (issue 16: 16 s in the lab against
 * 3.9 s in the CLI). 200 steps are finer than a progress bar's pixels.
 */
export const progressRenderSteps = 200;

/** A long piece of work: arguments in, a promise of the result out. */
export type TaskFunction<A extends unknown[], R> = (context: StreamingTaskContext<R>, ...args: A) => Promise<R>;

/**
 * Runs long work for an element, shaped like `@lit/task`: `run(...args)` aborts the previous run
 * (its `AbortSignal` fires) and starts a new one; a stale run's result, error or progress is
 * dropped, so the element only ever shows the latest inputs' result. The run is aborted when
 * the host disconnects.
 */
export class TaskController<A extends unknown[], R> implements ReactiveController {
  status: TaskStatus = 'initial';
  value: R | undefined;
  error: unknown;
  /** Progress of the current run in [0, 1] (the latest report, even when it did not re-render). */
  progress = 0;
  private current: AbortController | undefined;
  /** The step (of `progressRenderSteps`) the host last rendered. */
  private renderedStep = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly task: TaskFunction<A, R>,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.abort();
  }

  /** Starts a run with these arguments, aborting any run in progress. Resolves when it settles. */
  async run(...args: A): Promise<void> {
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    const isCurrent = () => this.current === controller && !controller.signal.aborted;
    this.status = 'pending';
    this.progress = 0;
    this.renderedStep = 0;
    this.error = undefined;
    // A new run starts from nothing: a partial result of the previous inputs is not shown as this one's.
    this.value = undefined;
    this.host.requestUpdate();
    const context: StreamingTaskContext<R> = {
      signal: controller.signal,
      reportPartial: (value) => {
        if (!isCurrent()) return;
        this.value = value;
        this.host.requestUpdate();
      },
      reportProgress: (fraction) => {
        if (!isCurrent()) return;
        this.progress = Math.min(1, Math.max(0, fraction));
        const step = Math.floor(this.progress * progressRenderSteps);
        if (step === this.renderedStep) return;
        this.renderedStep = step;
        this.host.requestUpdate();
      },
    };
    try {
      const value = await this.task(context, ...args);
      if (!isCurrent()) return;
      this.value = value;
      this.status = 'complete';
      this.progress = 1;
    } catch (error) {
      if (!isCurrent()) return;
      this.error = error;
      this.status = 'error';
    }
    this.current = undefined;
    this.host.requestUpdate();
  }

  /** Cancels the run in progress: status `'cancelled'`, and its last partial result stays in `value`. */
  abort(): void {
    if (!this.current) return;
    this.current.abort();
    this.current = undefined;
    this.status = 'cancelled';
    this.host.requestUpdate();
  }

  /** True while a run is in progress. */
  get running(): boolean {
    return this.status === 'pending';
  }
}

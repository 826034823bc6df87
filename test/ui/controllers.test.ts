import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { describe, expect, it } from 'vitest';
import type { BrowserEnvironment } from '../../src/ui/controllers/browserEnvironment.ts';
import { LabSettingsController } from '../../src/ui/controllers/labSettingsController.ts';
import { RouteController } from '../../src/ui/controllers/routeController.ts';
import { TaskController } from '../../src/ui/controllers/taskController.ts';
import { storageKey, ViewStateController } from '../../src/ui/controllers/viewStateController.ts';
import { choiceField, type StateSchema, textField } from '../../src/ui/state/viewState.ts';

/** A host that records its controllers and counts update requests. */
class FakeHost implements ReactiveControllerHost {
  controllers: ReactiveController[] = [];
  updates = 0;
  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }
  removeController(): void {}
  requestUpdate(): void {
    this.updates++;
  }
  get updateComplete(): Promise<boolean> {
    return Promise.resolve(true);
  }
  connect(): void {
    this.controllers.forEach((controller) => controller.hostConnected?.());
  }
  disconnect(): void {
    this.controllers.forEach((controller) => controller.hostDisconnected?.());
  }
}

/** An in-memory URL hash and localStorage. */
class FakeBrowser implements BrowserEnvironment {
  hash = '';
  storage = new Map<string, string>();
  listeners = new Set<() => void>();
  readHash = () => this.hash;
  replaceHash = (hash: string) => {
    this.hash = hash;
  };
  onHashChange = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  load = (key: string) => this.storage.get(key) ?? null;
  save = (key: string, value: string) => {
    this.storage.set(key, value);
  };
  /** The user navigates (a link, Back, or a pasted URL). */
  navigate(hash: string): void {
    this.hash = hash;
    this.listeners.forEach((listener) => listener());
  }
}

interface Example {
  alpha: string;
  sides: '1' | '2';
}
const schema: StateSchema<Example> = { alpha: textField('0.05'), sides: choiceField(['1', '2'], '2') };

describe('ViewStateController', () => {
  it('writes its state to the URL and to storage when connected and on every change', () => {
    const browser = new FakeBrowser();
    browser.hash = '#/sizer';
    const host = new FakeHost();
    const form = new ViewStateController(host, 'sizer', schema, browser);
    host.connect();
    expect(browser.hash).toBe('#/sizer?alpha=0.05&sides=2');
    form.set({ alpha: '0.01' });
    expect(form.state).toEqual({ alpha: '0.01', sides: '2' });
    expect(browser.hash).toBe('#/sizer?alpha=0.01&sides=2');
    expect(browser.storage.get(storageKey('sizer'))).toBe('alpha=0.01&sides=2');
    expect(host.updates).toBe(1);
  });

  it('restores the autosaved state on a bare link, and lets a shared URL win over it', () => {
    const browser = new FakeBrowser();
    browser.storage.set(storageKey('sizer'), 'alpha=0.2&sides=1');
    browser.hash = '#/sizer';
    expect(new ViewStateController(new FakeHost(), 'sizer', schema, browser).state).toEqual({ alpha: '0.2', sides: '1' });
    browser.hash = '#/sizer?alpha=0.001';
    expect(new ViewStateController(new FakeHost(), 'sizer', schema, browser).state).toEqual({ alpha: '0.001', sides: '1' });
  });

  it('follows a URL pasted for its view, and leaves other views’ URLs alone', () => {
    const browser = new FakeBrowser();
    browser.hash = '#/sizer';
    const host = new FakeHost();
    const form = new ViewStateController(host, 'sizer', schema, browser);
    host.connect();
    browser.navigate('#/sizer?alpha=0.1&sides=1');
    expect(form.state).toEqual({ alpha: '0.1', sides: '1' });
    browser.navigate('#/segments?alpha=0.3');
    expect(form.state.alpha).toBe('0.1');
    expect(browser.hash).toBe('#/segments?alpha=0.3');
    host.disconnect();
    expect(browser.listeners.size).toBe(0);
  });
});

describe('LabSettingsController', () => {
  it('lets the lab edit its settings and the other views read what it saved, without writing them', () => {
    const browser = new FakeBrowser();
    browser.hash = '#/lab';
    const labHost = new FakeHost();
    const lab = new LabSettingsController(labHost, { editable: true, environment: browser });
    labHost.connect();
    lab.set({ errorRatio: '2.5' });
    expect(browser.hash).toContain('errorRatio=2.5');
    const saved = browser.storage.get(storageKey('lab'));
    expect(saved).toContain('errorRatio=2.5');

    // The user opens Replay: it reads the lab's saved settings and its policy, and writes nothing.
    browser.hash = '#/replay';
    const replayHost = new FakeHost();
    const reader = new LabSettingsController(replayHost, { environment: browser });
    replayHost.connect();
    expect(reader.settings).toMatchObject({ ok: true, value: { 'errorRate.maxRatio': 2.5 } });
    const policy = reader.policy;
    if (!policy.ok) throw new Error(policy.message);
    // The default ladder: baseline, shadow, canary 5% whose first rule is the error-rate ratio.
    expect(policy.value.stages[2]).toMatchObject({
      kind: 'canary',
      rules: expect.arrayContaining([{ type: 'ratio', metric: 'errorRate', maxRatio: 2.5 }]),
    });
    expect(browser.hash).toBe('#/replay');
    expect(browser.storage.get(storageKey('lab'))).toBe(saved);
    expect(() => reader.set({ errorRatio: '3' })).toThrow(/only the Policy lab edits them/);
  });

  it('derives the settings once per state, and reads the saved copy again each time its view opens', () => {
    const browser = new FakeBrowser();
    browser.storage.set(storageKey('lab'), 'errorRatio=abc');
    browser.hash = '#/export';
    const host = new FakeHost();
    const reader = new LabSettingsController(host, { environment: browser });
    host.connect();
    const first = reader.settings;
    expect(first).toEqual({ ok: false, message: "error-rate threshold must be a number, got 'abc'" });
    expect(reader.policy).toBe(first);
    // Same state, same object: a view tells a change by identity.
    expect(reader.settings).toBe(first);
    host.disconnect();
    browser.storage.set(storageKey('lab'), 'errorRatio=4');
    host.connect();
    expect(reader.settings).not.toBe(first);
    expect(reader.settings).toMatchObject({ ok: true, value: { 'errorRate.maxRatio': 4 } });
  });

  it('takes settings handed over by another view (the audit’s "Open in Policy lab") into the lab’s saved copy, which the lab then opens with', () => {
    const browser = new FakeBrowser();
    browser.storage.set(storageKey('lab'), 'errorRatio=4&seed=7');
    browser.hash = '#/audit';
    const auditHost = new FakeHost();
    const reader = new LabSettingsController(auditHost, { environment: browser });
    auditHost.connect();
    reader.handOver({ failureLimit: '3', requestsPerSecond: '40' });
    // The other fields the lab saved stay; the URL of the audit is not touched.
    const saved = new URLSearchParams(browser.storage.get(storageKey('lab')));
    expect([saved.get('errorRatio'), saved.get('seed'), saved.get('failureLimit'), saved.get('requestsPerSecond')]).toEqual([
      '4',
      '7',
      '3',
      '40',
    ]);
    expect(browser.hash).toBe('#/audit');
    expect(reader.settings).toMatchObject({ ok: true, value: { 'guards.failureLimit': 3, requestsPerSecond: 40, seed: 7 } });

    // The user follows the bare link to the lab: it opens with what was handed over.
    browser.navigate('#/lab');
    const labHost = new FakeHost();
    const lab = new LabSettingsController(labHost, { editable: true, environment: browser });
    labHost.connect();
    expect(lab.state).toMatchObject({ errorRatio: '4', failureLimit: '3', requestsPerSecond: '40', seed: '7' });
  });
});

describe('RouteController', () => {
  it('follows navigation and asks the host to re-render', () => {
    const browser = new FakeBrowser();
    browser.hash = '#/segments';
    const host = new FakeHost();
    const router = new RouteController(host, browser);
    host.connect();
    expect(router.route.view).toBe('segments');
    browser.navigate('#/about');
    expect(router.route.view).toBe('about');
    expect(host.updates).toBe(1);
    expect(router.href('sizer')).toBe('#/sizer');
  });
});

/** A promise with its resolve function exposed. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

describe('TaskController', () => {
  it('shows partial results as they stream in, and keeps them when cancelled', async () => {
    const host = new FakeHost();
    const release = deferred<void>();
    const task = new TaskController<[], number[]>(host, async ({ reportPartial }) => {
      reportPartial([1]);
      await release.promise;
      return [1, 2];
    });
    void task.run();
    expect(task).toMatchObject({ status: 'pending', value: [1] });
    task.abort();
    release.resolve();
    await Promise.resolve();
    expect(task).toMatchObject({ status: 'cancelled', value: [1] });
  });

  it('shows only the latest run: a stale result is dropped and its signal aborted', async () => {
    const host = new FakeHost();
    const pending: { signal: AbortSignal; done: ReturnType<typeof deferred<string>> }[] = [];
    const task = new TaskController<[string], string>(host, ({ signal }) => {
      const done = deferred<string>();
      pending.push({ signal, done });
      return done.promise;
    });
    const first = task.run('a');
    const second = task.run('b');
    expect(pending[0].signal.aborted).toBe(true);
    expect(pending[1].signal.aborted).toBe(false);
    expect(task.status).toBe('pending');
    pending[1].done.resolve('result b');
    await second;
    pending[0].done.resolve('stale result a');
    await first;
    expect(task.status).toBe('complete');
    expect(task.value).toBe('result b');
  });

  it('reports progress and errors of the current run only', async () => {
    const host = new FakeHost();
    const task = new TaskController<[number], number>(host, async ({ reportProgress }, x) => {
      reportProgress(0.5);
      if (x < 0) throw new RangeError('x must be ≥ 0');
      return x * 2;
    });
    await task.run(-1);
    expect(task.status).toBe('error');
    expect((task.error as Error).message).toBe('x must be ≥ 0');
    await task.run(21);
    expect(task).toMatchObject({ status: 'complete', value: 42, progress: 1 });
  });

  it('re-renders on progress only when it crosses one of 200 steps, however often the workers report', async () => {
    const host = new FakeHost();
    let seen = -1;
    const task = new TaskController<[], number>(host, async ({ reportProgress }) => {
      // A pool's reports: 10,000 of them, most a hair apart (one per shard and per 50 ms of each worker).
      for (let report = 1; report <= 10_000; report++) reportProgress(report / 10_000);
      seen = task.progress;
      return 1;
    });
    await task.run();
    // 1 update when the run starts, 200 for the steps 0.005 … 1, 1 when it completes.
    expect(host.updates).toBe(202);
    // The latest value is kept between renders.
    expect(seen).toBe(1);
    const updates = host.updates;
    const flat = new TaskController<[], number>(host, async ({ reportProgress }) => {
      for (let report = 0; report < 1000; report++) reportProgress(0.001);
      return 1;
    });
    await flat.run();
    // Below the first step: no render for progress at all (start and end only).
    expect(host.updates - updates).toBe(2);
  });

  it('cancels on abort() and when the host disconnects', async () => {
    const host = new FakeHost();
    let signal: AbortSignal | undefined;
    const task = new TaskController<[], number>(host, (context) => {
      signal = context.signal;
      return new Promise(() => {});
    });
    void task.run();
    task.abort();
    expect(signal?.aborted).toBe(true);
    expect(task.status).toBe('cancelled');
    void task.run();
    host.disconnect();
    expect(signal?.aborted).toBe(true);
    expect(task.running).toBe(false);
  });
});

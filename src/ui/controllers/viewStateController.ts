import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { formatRoute, parseRoute, type ViewName } from '../state/route.ts';
import { decodeState, encodeState, type StateSchema } from '../state/viewState.ts';
import { type BrowserEnvironment, windowEnvironment } from './browserEnvironment.ts';

/** The localStorage key under which a view's state is autosaved. */
export function storageKey(view: ViewName): string {
  return `rollout-lab:view:${view}`;
}

/**
 * Another view's autosaved state (read once, e.g. the export reads the policy lab's settings);
 * the initial values when it was never saved.
 */
export function savedViewState<S>(view: ViewName, schema: StateSchema<S>, environment: BrowserEnvironment = windowEnvironment()): S {
  const saved = environment.load(storageKey(view));
  return decodeState(schema, saved === null ? undefined : new URLSearchParams(saved));
}

/**
 * Owns one view's state and keeps it in two places: the URL (`#/<view>?…`, shareable) and
 * localStorage (autosaved, so a reload or a later visit through a bare link loses nothing).
 *
 * Precedence when reading: the URL's fields, then the autosaved copy, then the schema's initial
 * values. Every `set` writes both places (the URL with `replaceState`: typing does not flood the
 * history). When the user navigates to a URL for this view, its fields are read again.
 */
export class ViewStateController<S> implements ReactiveController {
  state: S;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    readonly view: ViewName,
    readonly schema: StateSchema<S>,
    private readonly environment: BrowserEnvironment = windowEnvironment(),
  ) {
    this.state = this.read();
    host.addController(this);
  }

  hostConnected(): void {
    this.unsubscribe = this.environment.onHashChange(() => this.followUrl());
    this.state = this.read();
    this.persist();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Changes some fields, saves and re-renders. */
  set(patch: Partial<S>): void {
    this.state = { ...this.state, ...patch };
    this.persist();
    this.host.requestUpdate();
  }

  /** The shareable hash of the current state. */
  get hash(): string {
    return formatRoute(this.view, encodeState(this.schema, this.state));
  }

  private read(): S {
    const route = parseRoute(this.environment.readHash());
    const urlParams = route.view === this.view ? route.params : undefined;
    const saved = this.environment.load(storageKey(this.view));
    return decodeState(this.schema, urlParams, saved === null ? undefined : new URLSearchParams(saved));
  }

  private persist(): void {
    const params = encodeState(this.schema, this.state);
    this.environment.save(storageKey(this.view), params.toString());
    if (parseRoute(this.environment.readHash()).view === this.view) {
      this.environment.replaceHash(formatRoute(this.view, params));
    }
  }

  private followUrl(): void {
    const route = parseRoute(this.environment.readHash());
    if (route.view !== this.view) return;
    const current = encodeState(this.schema, this.state).toString();
    if (route.params.toString() === current) return;
    this.state = this.read();
    this.persist();
    this.host.requestUpdate();
  }
}

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { formatRoute, parseRoute, type Route, type ViewName } from '../state/route.ts';
import { type BrowserEnvironment, windowEnvironment } from './browserEnvironment.ts';

/**
 * Follows the URL hash: `route` is the view it names (and that view's state as query
 * parameters); the host re-renders when the user navigates. `go(view)` navigates to a view
 * (adding a history entry, so Back works).
 */
export class RouteController implements ReactiveController {
  route: Route;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly environment: BrowserEnvironment = windowEnvironment(),
  ) {
    this.route = parseRoute(environment.readHash());
    host.addController(this);
  }

  hostConnected(): void {
    this.unsubscribe = this.environment.onHashChange(() => this.refresh());
    this.refresh();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** The hash of a view's link (without its state: the view restores its autosaved state). */
  href(view: ViewName): string {
    return formatRoute(view);
  }

  private refresh(): void {
    const next = parseRoute(this.environment.readHash());
    if (next.view !== this.route.view || next.params.toString() !== this.route.params.toString()) {
      this.route = next;
      this.host.requestUpdate();
    }
  }
}

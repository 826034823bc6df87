import { css, html, LitElement } from 'lit';
import { RouteController } from '../controllers/routeController.ts';
import type { ViewName } from '../state/route.ts';
import '../views/aboutView.ts';
import '../views/exportView.ts';
import '../views/playbackView.ts';
import '../views/policyLabView.ts';
import '../views/replayView.ts';
import '../views/segmentsView.ts';
import '../views/sizerView.ts';

let notebooksModule: Promise<unknown> | undefined;
let auditModule: Promise<unknown> | undefined;

/** The navigation entries, in order. */
const navigation: readonly { view: ViewName; label: string }[] = [
  { view: 'lab', label: 'Policy lab' },
  { view: 'audit', label: 'Audit my rollout' },
  { view: 'playback', label: 'Playback' },
  { view: 'sizer', label: 'A/B test sizer' },
  { view: 'segments', label: 'Segments' },
  { view: 'replay', label: 'Replay a log' },
  { view: 'export', label: 'Export' },
  { view: 'notebooks', label: 'Notebooks' },
  { view: 'about', label: 'About' },
];

/** The views laid out as a workbench (controls beside a sticky answer), given the screen's width. */
const workbenchViews: ReadonlySet<ViewName> = new Set(['lab', 'audit', 'sizer', 'replay']);

/**
 * `<rollout-lab-app>`: the app shell — a header with the navigation and the view the URL hash
 * names (`#/sizer?…`, `#/segments?…`, `#/about`). Each view keeps its own state in the URL and
 * in localStorage.
 */
export class RolloutLabApp extends LitElement {
  private readonly router = new RouteController(this);

  static override styles = css`
    :host { display: block; min-height: 100vh; background: #f6f7fa; color: #1d2330; font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
    header { background: #1d2b4f; color: #fff; }
    .bar { max-width: 72rem; margin: 0 auto; padding: 0.6rem 1.25rem; display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: center; }
    h1 { font-size: 1.15rem; margin: 0; letter-spacing: 0.01em; }
    nav ul { list-style: none; display: flex; gap: 0.25rem; margin: 0; padding: 0; flex-wrap: wrap; }
    nav a { color: #dfe6f8; text-decoration: none; padding: 0.35rem 0.7rem; border-radius: 4px; display: inline-block; }
    nav a:hover { background: #2d3f6d; }
    nav a[aria-current='page'] { background: #fff; color: #1d2b4f; font-weight: 600; }
    nav a:focus-visible { outline: 3px solid #8fb0ff; outline-offset: 1px; }
    main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
    main > * { background: #fff; border: 1px solid #e1e5ee; border-radius: 8px; padding: 1.25rem 1.5rem; }
    /* A workbench (controls beside a sticky answer) uses the width of a large screen; reading views keep a line length. */
    .wide .bar, main.wide { max-width: 100rem; }
    @media (max-width: 40rem) { main { padding: 0.75rem 0.5rem 2rem; } main > * { padding: 1rem 0.75rem; } }
  `;

  override render() {
    const current = this.router.route.view;
    const wide = workbenchViews.has(current) ? 'wide' : '';
    return html`
      <header class=${wide}>
        <div class="bar">
          <h1>Rollout Lab</h1>
          <nav aria-label="Views">
            <ul>
              ${navigation.map(
                ({ view, label }) => html`<li>
                  <a href=${this.router.href(view)} data-view=${view} aria-current=${view === current ? 'page' : 'false'}>${label}</a>
                </li>`,
              )}
            </ul>
          </nav>
        </div>
      </header>
      <main class=${wide}>${this.renderView(current)}</main>
    `;
  }

  private renderView(view: ViewName) {
    switch (view) {
      case 'lab':
        return html`<rl-policy-lab-view></rl-policy-lab-view>`;
      case 'audit':
        // The audit brings the YAML parser and the importers: load them only when the user opens it.
        auditModule ??= import('../views/auditView.ts');
        return html`<rl-audit-view></rl-audit-view>`;
      case 'playback':
        return html`<rl-playback-view></rl-playback-view>`;
      case 'sizer':
        return html`<rl-sizer-view></rl-sizer-view>`;
      case 'segments':
        return html`<rl-segments-view></rl-segments-view>`;
      case 'replay':
        return html`<rl-replay-view></rl-replay-view>`;
      case 'export':
        return html`<rl-export-view></rl-export-view>`;
      case 'notebooks': {
        // The notebooks bring the simulator, the replay code and a bundled log: load them only
        // when the reader opens this view.
        notebooksModule ??= import('../notebook/index.ts');
        const id = this.router.route.params.get('id');
        return id
          ? html`<rl-notebook-view notebook-id=${id} list-href="#/notebooks"></rl-notebook-view>`
          : html`<rl-notebook-list href-prefix="#/notebooks?id="></rl-notebook-list>`;
      }
      case 'about':
        return html`<rl-about-view></rl-about-view>`;
    }
  }
}

customElements.define('rollout-lab-app', RolloutLabApp);

import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import { css, html, LitElement } from 'lit';

/**
 * `<rl-plot>`: draws an Observable Plot spec (a plain `PlotOptions` object built by a function
 * in `src/ui/plots/`). The element only renders: it redraws when `spec` changes.
 */
export class PlotFigure extends LitElement {
  static override properties = {
    spec: { attribute: false },
  };

  declare spec: PlotOptions | undefined;

  static override styles = css`
    :host { display: block; min-width: 0; }
    figure { margin: 0; }
    figure h2 { font-size: 1rem; margin: 0 0 0.15rem; }
    figure h3 { font-size: 0.85rem; font-weight: normal; color: #4a5468; margin: 0 0 0.4rem; }
    svg { max-width: 100%; height: auto; }
  `;

  override render() {
    return html`<div class="plot"></div>`;
  }

  override updated(): void {
    const container = this.renderRoot.querySelector('.plot');
    if (!container) return;
    container.replaceChildren();
    if (this.spec) container.append(Plot.plot(this.spec));
  }
}

customElements.define('rl-plot', PlotFigure);

declare global {
  interface HTMLElementTagNameMap {
    'rl-plot': PlotFigure;
  }
}

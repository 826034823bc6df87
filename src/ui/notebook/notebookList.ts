import { css, html, LitElement } from 'lit';
import { notebooks } from '../../../notebooks/index.ts';
import { theme } from '../styles/theme.ts';

/**
 * `<rl-notebook-list>`: every notebook of `notebooks/index.ts` with its title and summary, each
 * a link to `href-prefix` + the notebook id (default `#/notebooks?id=`).
 */
export class NotebookList extends LitElement {
  static override properties = {
    hrefPrefix: { type: String, attribute: 'href-prefix' },
  };

  declare hrefPrefix: string;

  static override styles = [
    theme,
    css`
      ul { list-style: none; padding: 0; margin: 0; max-width: 48rem; }
      li { padding: 0.75rem 0; border-bottom: 1px solid #e1e5ee; }
      li a { font-weight: 600; font-size: 1.05rem; }
      li p { margin: 0.25rem 0 0; color: #4a5468; }
    `,
  ];

  constructor() {
    super();
    this.hrefPrefix = '#/notebooks?id=';
  }

  override render() {
    return html`
      <h2>Notebooks</h2>
      <p class="lede">Literate, executable analyses: prose, code and figures, computed by the same engine and simulator as the rest of the app. Every notebook is run by the test suite.</p>
      <ul>
        ${notebooks.map(
          (notebook) => html`<li data-notebook=${notebook.id}>
            <a href=${this.hrefPrefix + encodeURIComponent(notebook.id)}>${notebook.title}</a>
            <p>${notebook.summary}</p>
          </li>`,
        )}
      </ul>
    `;
  }
}

customElements.define('rl-notebook-list', NotebookList);

declare global {
  interface HTMLElementTagNameMap {
    'rl-notebook-list': NotebookList;
  }
}

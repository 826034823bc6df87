import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import type { PropertyValues, TemplateResult } from 'lit';
import { css, html, LitElement, nothing } from 'lit';
import { notebookById } from '../../../notebooks/index.ts';
import type { CellResult, CodeCell, Notebook } from '../../../notebooks/notebook.ts';
import { theme } from '../styles/theme.ts';
import type { ValueView } from './cellValue.ts';
import { describeValue, formatNumber } from './cellValue.ts';
import type { Block } from './markdown.ts';
import { parseMarkdown } from './markdown.ts';
import { markdownTemplate } from './markdownTemplate.ts';
import { NotebookRunController } from './notebookRunController.ts';

/**
 * `<rl-notebook-view notebook-id="sizing-an-ab-test">`: one notebook — its prose (markdown
 * rendered to elements, never to an HTML string), each code cell's source, and after "Run all"
 * each cell's result: a Plot figure, a table, named fields or a value; an error or the reason a
 * cell was skipped. Set `notebook-id` (looked up in `notebooks/index.ts`) or the `notebook`
 * property. `list-href` is the link back to the list (default `#/notebooks`). Nothing runs until
 * the reader presses "Run all" (a notebook may take a second or two on the main thread).
 */
export class NotebookView extends LitElement {
  static override properties = {
    notebookId: { type: String, attribute: 'notebook-id' },
    notebook: { attribute: false },
    listHref: { type: String, attribute: 'list-href' },
  };

  declare notebookId: string;
  declare notebook: Notebook | undefined;
  declare listHref: string;

  static override styles = [
    theme,
    css`
      .toolbar { display: flex; gap: 0.75rem; align-items: center; flex-wrap: wrap; margin: 0 0 1rem; }
      .toolbar .status { color: #4a5468; font-size: 0.85rem; }
      article { max-width: 52rem; }
      .prose p, .prose li { max-width: 48rem; }
      .prose code, .fields code { font-family: ui-monospace, 'SFMono-Regular', Menlo, monospace; font-size: 0.88em; background: #f3f5f9; padding: 0 0.2em; border-radius: 3px; }
      section.code { border: 1px solid #d5dae5; border-radius: 6px; margin: 1rem 0; overflow: hidden; }
      .cell-head { display: flex; gap: 0.75rem; align-items: baseline; flex-wrap: wrap; padding: 0.35rem 0.75rem; background: #f3f5f9; font-size: 0.85rem; color: #4a5468; }
      .cell-head .name { font-family: ui-monospace, 'SFMono-Regular', Menlo, monospace; color: #1d2330; font-weight: 600; }
      .cell-head .state { margin-left: auto; }
      pre.source { margin: 0; padding: 0.6rem 0.75rem; overflow-x: auto; background: #fbfcfe; border-top: 1px solid #e1e5ee; font: 0.8rem/1.45 ui-monospace, 'SFMono-Regular', Menlo, monospace; }
      .output { padding: 0.5rem 0.75rem 0.75rem; border-top: 1px solid #e1e5ee; overflow-x: auto; }
      .output:empty { display: none; }
      .output .error, .output .note { margin: 0; }
      .value { font: 0.9rem ui-monospace, 'SFMono-Regular', Menlo, monospace; margin: 0; }
      figure { margin: 0; }
      figcaption { font-size: 0.85rem; color: #4a5468; margin-top: 0.3rem; }
      figure svg { max-width: 100%; height: auto; }
      table { font-size: 0.85rem; }
    `,
  ];

  private readonly runner = new NotebookRunController(this);
  private resolved: Notebook | undefined;
  private prose = new Map<number, Block[]>();
  /** Drawn figures by value, so that a re-render does not redraw them. */
  private readonly drawn = new WeakMap<object, Element | Error>();

  constructor() {
    super();
    this.notebookId = '';
    this.notebook = undefined;
    this.listHref = '#/notebooks';
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('notebookId') || changed.has('notebook')) {
      this.resolved = this.notebook ?? notebookById(this.notebookId);
      this.prose = new Map();
      this.resolved?.cells.forEach((cell, index) => {
        if (cell.kind === 'markdown') this.prose.set(index, parseMarkdown(cell.text));
      });
      this.runner.reset();
    }
  }

  override render() {
    const notebook = this.resolved;
    if (!notebook) {
      return html`<p class="error" role="alert">There is no notebook called “${this.notebookId}”.</p>
        <p><a href=${this.listHref}>All notebooks</a></p>`;
    }
    const running = this.runner.status === 'running';
    return html`
      <div class="toolbar">
        <a href=${this.listHref}>← All notebooks</a>
        <button type="button" class="primary" name="runAll" ?disabled=${running} @click=${() => this.runner.runAll(notebook)}>Run all</button>
        ${running ? html`<button type="button" name="stop" @click=${() => this.runner.stop()}>Stop</button>` : nothing}
        <span class="status" role="status">${this.statusText()}</span>
      </div>
      <article aria-label=${notebook.title}>
        ${notebook.cells.map((cell, index) =>
          cell.kind === 'markdown'
            ? html`<div class="prose">${markdownTemplate(this.prose.get(index) ?? [])}</div>`
            : this.codeCellTemplate(cell, this.runner.results[index], running),
        )}
      </article>
    `;
  }

  private statusText(): string {
    const { status, lastRun, results } = this.runner;
    if (status === 'idle') return 'Press “Run all” to compute every cell.';
    if (status === 'running')
      return `Running… ${results.filter((result) => result?.kind === 'code').length} of ${this.codeCellCount()} code cells done.`;
    const failed = lastRun?.results.filter((result) => result.status === 'error').length ?? 0;
    const skipped = lastRun?.results.filter((result) => result.status === 'skipped').length ?? 0;
    const time = lastRun ? ` in ${formatNumber(Math.round(lastRun.durationMs))} ms` : '';
    if (status === 'stopped') return `Stopped${time}.`;
    return failed + skipped === 0 ? `All cells ran${time}.` : `Ran${time}: ${failed} failed, ${skipped} skipped.`;
  }

  private codeCellCount(): number {
    return this.resolved?.cells.filter((cell) => cell.kind === 'code').length ?? 0;
  }

  private codeCellTemplate(cell: CodeCell, result: CellResult | undefined, running: boolean): TemplateResult {
    const state = result ? result.status : running ? 'pending' : 'not run';
    return html`
      <section class="code" data-cell=${cell.name} data-status=${state} aria-label=${`code cell ${cell.name}`}>
        <div class="cell-head">
          <span class="name">${cell.name}</span>
          ${result && result.uses.length > 0 ? html`<span>uses ${result.uses.join(', ')}</span>` : nothing}
          <span class="state">${state}${result && result.status === 'ok' ? ` · ${formatNumber(Math.round(result.durationMs))} ms` : ''}</span>
        </div>
        <pre class="source"><code>${cell.source}</code></pre>
        <div class="output">${result ? this.resultTemplate(result) : nothing}</div>
      </section>
    `;
  }

  private resultTemplate(result: CellResult): TemplateResult | typeof nothing {
    if (result.status === 'error') return html`<p class="error" role="alert">${result.error}</p>`;
    if (result.status === 'skipped') return html`<p class="note">${result.error}</p>`;
    if (result.status !== 'ok') return nothing;
    return this.valueTemplate(describeValue(result.value), result.value);
  }

  private valueTemplate(view: ValueView, value: unknown): TemplateResult {
    switch (view.kind) {
      case 'figure':
        return html`<figure>${this.figureElement(value as object, view.figure)}<figcaption>${view.caption}</figcaption></figure>`;
      case 'table':
        return html`<table>
          ${view.caption ? html`<caption>${view.caption}</caption>` : nothing}
          <thead><tr>${view.columns.map((column, i) => html`<th class=${view.numeric[i] ? 'number' : ''}>${column}</th>`)}</tr></thead>
          <tbody>${view.rows.map((row) => html`<tr>${row.map((text, i) => html`<td class=${view.numeric[i] ? 'number' : ''}>${text}</td>`)}</tr>`)}</tbody>
        </table>`;
      case 'fields':
        return html`<table class="fields">
          <tbody>${view.fields.map((field) => html`<tr><th scope="row"><code>${field.name}</code></th><td class=${field.numeric ? 'number' : ''}>${field.text}</td></tr>`)}</tbody>
        </table>`;
      case 'text':
        return html`<p class="value">${view.text}</p>`;
    }
  }

  /** Draws a figure once per value; a spec Plot rejects shows its error instead of breaking the page. */
  private figureElement(value: object, figure: PlotOptions): Element | TemplateResult {
    let drawn = this.drawn.get(value);
    if (!drawn) {
      try {
        drawn = Plot.plot(figure);
      } catch (error) {
        drawn = error instanceof Error ? error : new Error(String(error));
      }
      this.drawn.set(value, drawn);
    }
    return drawn instanceof Error ? html`<p class="error" role="alert">The figure could not be drawn: ${drawn.message}</p>` : drawn;
  }
}

customElements.define('rl-notebook-view', NotebookView);

declare global {
  interface HTMLElementTagNameMap {
    'rl-notebook-view': NotebookView;
  }
}

import { css, html, LitElement } from 'lit';
import { state } from 'lit/decorators.js';
import { analyzeSegments, type SegmentsAnalysis, type VariantComparison } from '../../engine/analysis/segments.ts';
import { ViewStateController } from '../controllers/viewStateController.ts';
import '../elements/plotFigure.ts';
import { readCsvTable } from '../../sim/csvTable.ts';
import { numberInput } from '../elements/formFields.ts';
import { formatCount, formatInterval, formatPercent, formatPoints, formatPValue } from '../format.ts';
import { segmentRatesPlot } from '../plots/segmentRatesPlot.ts';
import {
  guessSegmentColumns,
  noTotalColumn,
  parseSegmentsCsv,
  type SegmentRole,
  segmentRoleLabels,
  segmentRoles,
} from '../segments/segmentsCsv.ts';
import { kidneyStonesData, type SegmentsState, segmentsSchema } from '../segments/segmentsState.ts';
import { type Checked, checked } from '../sizer/sizerModel.ts';
import { readNumber } from '../state/readNumber.ts';
import { theme } from '../styles/theme.ts';

/**
 * `<rl-segments-view>`: per-segment A/B results against the aggregate — a chart and a table
 * with intervals, Simpson's paradox flagged and explained, and the routing recommendation.
 * The counts come from pasted or uploaded CSV, or the shipped kidney-stone data; the user maps
 * the CSV's columns to segment, variant, successes and total (guessed until chosen), as
 * `rollout-lab segments --segment … --variant … --success … --total …` does.
 */
export class SegmentsView extends LitElement {
  static override styles = [
    theme,
    css`
      .data { display: grid; grid-template-columns: minmax(0, 2fr) minmax(12rem, 1fr); gap: 1rem; align-items: start; }
      .actions { display: flex; flex-direction: column; gap: 0.6rem; }
      textarea { width: 100%; box-sizing: border-box; min-height: 9rem; }
      tr.aggregate td { font-weight: 600; border-top: 2px solid #c9cfdb; }
      .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: 0.6rem; margin-top: 0.6rem; }
    `,
  ];

  private readonly form = new ViewStateController<SegmentsState>(this, 'segments', segmentsSchema);
  private analysis: Checked<SegmentsAnalysis> = { ok: false, message: '' };
  /** The CSV's header and the guessed column of each role, for the column controls (empty when the CSV cannot be read). */
  private header: string[] = [];
  private guessed: Partial<Record<SegmentRole, string>> = {};
  @state() private uploadError = '';

  override willUpdate(): void {
    const { csv, alpha } = this.form.state;
    const table = checked(() => readCsvTable(csv, 'the CSV'));
    this.header = table.ok ? table.value.columns : [];
    this.guessed = table.ok ? guessSegmentColumns(table.value) : {};
    this.analysis = checked(() => {
      const counts = parseSegmentsCsv(csv, this.columnChoice());
      return analyzeSegments({ variants: counts.variants, segments: counts.segments, alpha: readNumber(alpha, 'alpha') });
    });
  }

  /** The column chosen for each role ('' = guess). */
  private columnChoice(): Record<SegmentRole, string> {
    const state = this.form.state;
    return { segment: state.segmentColumn, variant: state.variantColumn, success: state.successColumn, total: state.totalColumn };
  }

  /** New CSV text: the column choices it no longer has go back to guessing. */
  private setCsv(csv: string): void {
    const table = checked(() => readCsvTable(csv, 'the CSV'));
    const columns = table.ok ? table.value.columns : [];
    const keep = (column: string) => (column === '' || column === noTotalColumn || columns.includes(column) ? column : '');
    const state = this.form.state;
    this.form.set({
      csv,
      segmentColumn: keep(state.segmentColumn),
      variantColumn: keep(state.variantColumn),
      successColumn: keep(state.successColumn),
      totalColumn: keep(state.totalColumn),
    });
  }

  private renderColumnControls() {
    const choice = this.columnChoice();
    const key = (role: SegmentRole) => `${role}Column` as const;
    return html`<div class="columns" data-section="columns">
      ${segmentRoles.map((role) => {
        const guess = this.guessed[role];
        const options = [
          { value: '', label: `guess: ${guess ?? (role === 'total' ? 'none (one observation per row)' : 'none found')}` },
          ...this.header.map((column) => ({ value: column, label: column })),
          ...(role === 'total' ? [{ value: noTotalColumn, label: 'none: one observation per row (successes 0 or 1)' }] : []),
        ];
        return html`<label>
          ${segmentRoleLabels[role]}
          <select name=${key(role)} @change=${(event: Event) => this.form.set({ [key(role)]: (event.target as HTMLSelectElement).value })}>
            ${options.map((option) => html`<option value=${option.value} ?selected=${option.value === choice[role]}>${option.label}</option>`)}
          </select>
        </label>`;
      })}
    </div>`;
  }

  private async upload(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    try {
      this.uploadError = '';
      this.setCsv((await file.text()).trim());
    } catch (error) {
      this.uploadError = `could not read ${file.name}: ${(error as Error).message}`;
    }
    input.value = '';
  }

  override render() {
    const state = this.form.state;
    return html`
      <h2>Segments</h2>
      <p class="lede">
        Compare two variants segment by segment. An aggregate result can point the opposite way from every segment
        (Simpson's paradox) when the variants' traffic is spread differently over segments with different success rates.
      </p>
      <fieldset>
        <legend>Counts per segment and variant</legend>
        <div class="data">
          <label>
            CSV with a header: a segment, a variant, successes and total column (any names; choose them below)
            <textarea name="csv" rows="7" spellcheck="false" .value=${state.csv}
              @input=${(event: Event) => this.setCsv((event.target as HTMLTextAreaElement).value)}></textarea>
          </label>
          <div class="actions">
            <button type="button" name="kidneyStones" @click=${() => this.setCsv(kidneyStonesData)}>
              Load the kidney-stone data (Charig 1986)
            </button>
            <label>Upload a CSV file
              <input name="upload" type="file" accept=".csv,text/csv,text/plain" @change=${(event: Event) => this.upload(event)} />
            </label>
            ${numberInput('alpha', 'Significance level α', state.alpha, (alpha) => this.form.set({ alpha }))}
          </div>
        </div>
        ${this.renderColumnControls()}
      </fieldset>
      ${this.uploadError ? html`<p class="error" role="alert">${this.uploadError}</p>` : null}
      ${this.analysis.ok ? this.renderAnalysis(this.analysis.value) : html`<p class="error" role="alert" data-section="segments">${this.analysis.message}</p>`}
    `;
  }

  private renderAnalysis(analysis: SegmentsAnalysis) {
    const [first, second] = analysis.variants;
    const confidence = `${Math.round(100 * (1 - analysis.alpha))}%`;
    const n = analysis.segments.length;
    // A winner is named only on evidence: overall p < α; in a segment, p < α after Holm's correction for the segments.
    const winnerCell = (c: VariantComparison, adjusted: number | null) =>
      c.winner !== null
        ? html`<strong>${c.winner}</strong>`
        : html`<span title=${`${adjusted === null ? `p = ${formatPValue(c.pValue)}` : `Holm-adjusted p = ${formatPValue(adjusted)}`} ≥ α: the difference may be noise`}>none</span>
            <span class="note">${c.higher === null ? '(tie)' : `(${c.higher} higher)`}</span>`;
    const row = (name: string, share: number, c: VariantComparison, adjusted: number | null, aggregate = false) => html`
      <tr class=${aggregate ? 'aggregate' : ''} data-slice=${name}>
        <td>${name}</td>
        <td class="number">${formatPercent(share)}</td>
        <td class="number">${formatPercent(c.first.rate)} <span class="note">${formatInterval(c.first.interval)}</span><br /><span class="note">${formatCount(c.first.successes)} / ${formatCount(c.first.total)}</span></td>
        <td class="number">${formatPercent(c.second.rate)} <span class="note">${formatInterval(c.second.interval)}</span><br /><span class="note">${formatCount(c.second.successes)} / ${formatCount(c.second.total)}</span></td>
        <td class="number">${formatPoints(c.difference)} <span class="note">${formatInterval(c.differenceInterval, (x) => formatPoints(x).replace(' points', ''))}</span></td>
        <td class="number">${formatPValue(c.pValue)}</td>
        <td class="number" data-field="adjusted-p">${adjusted === null ? '' : formatPValue(adjusted)}</td>
        <td data-field="winner" data-winner=${c.winner ?? ''}>${winnerCell(c, adjusted)}</td>
      </tr>`;
    return html`
      <div class="verdict ${analysis.simpsonParadox ? 'bad' : 'good'}" role="status" data-section="paradox">
        <strong>${analysis.simpsonParadox ? "Simpson's paradox detected." : "No Simpson's paradox."}</strong>
        ${analysis.explanation.replace(/^(No )?Simpson's paradox: /, '')}
      </div>
      <rl-plot .spec=${segmentRatesPlot(analysis)}></rl-plot>
      <table aria-label="Per-segment results">
        <caption>Success rates with ${confidence} Wilson intervals; difference ${first} − ${second} with its Newcombe interval; pooled two-proportion z-test.
          A winner is named only when significant at α = ${analysis.alpha}: overall, and in a segment after Holm's correction for the ${n} segment${n === 1 ? '' : 's'} tested; otherwise the higher rate may be noise.</caption>
        <thead><tr>
          <th>Segment</th><th class="number">Share of traffic</th><th class="number">${first}</th><th class="number">${second}</th>
          <th class="number">Difference</th><th class="number">p-value</th><th class="number">Holm p</th><th>Winner</th>
        </tr></thead>
        <tbody>
          ${analysis.segments.map((s) => row(s.segment, s.trafficShare, s, s.adjustedPValue))}
          ${row('All segments (aggregate)', 1, analysis.aggregate, null, true)}
        </tbody>
      </table>
      <h3>Routing recommendation</h3>
      <table aria-label="Routing per segment">
        <thead><tr><th>Segment</th><th>Serve</th><th>Evidence</th></tr></thead>
        <tbody>
          ${analysis.routing.map(
            (r) => html`<tr data-segment=${r.segment} data-basis=${r.basis}><td>${r.segment}</td><td data-field="serve">${r.serve}</td>
              <td>${
                r.basis === 'segment'
                  ? `this segment's winner (significant after Holm's correction at α = ${analysis.alpha})`
                  : r.basis === 'aggregate'
                    ? `no winner in this segment: the overall winner (p = ${formatPValue(analysis.aggregate.pValue)})`
                    : 'no winner anywhere: nothing changes'
              }</td></tr>`,
          )}
        </tbody>
      </table>
      <p class="verdict ${analysis.routing.every((r) => r.basis === 'none') ? 'warn' : 'good'}" data-section="recommendation">${analysis.recommendation}</p>
      <p class="note">
        Expected success rate on this traffic mix: ${first} to all ${formatPercent(analysis.expectedRate.first)},
        ${second} to all ${formatPercent(analysis.expectedRate.second)}, each segment its higher rate
        ${formatPercent(analysis.expectedRate.perSegmentWinner)} (if the segment rates hold${analysis.segments.every((s) => s.winner !== null) ? '' : ': for segments without a winner, the tests above do not show that they do'}).
      </p>
    `;
  }
}

customElements.define('rl-segments-view', SegmentsView);

import { css, html, LitElement, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import sampleLogUrl from '../../../notebooks/data/requests-one-day.csv?url';
import { formatDuration } from '../../engine/policy/duration.ts';
import type { LogField } from '../../sim/replay/columnMapping.ts';
import { guessColumnMapping, LOG_FIELDS } from '../../sim/replay/columnMapping.ts';
import { LATENCY_UNITS } from '../../sim/replay/parseLatency.ts';
import { REJECT_REASONS } from '../../sim/replay/parseLog.ts';
import type { RequestReplayResult, WorldSummary } from '../../sim/replay/replayReport.ts';
import { failingChecksLabel } from '../../sim/replay/replayReport.ts';
import type { RateEstimate } from '../../sim/summary.ts';
import { LabSettingsController } from '../controllers/labSettingsController.ts';
import { TaskController } from '../controllers/taskController.ts';
import { ViewStateController } from '../controllers/viewStateController.ts';
import { formatHours } from '../lab/labModel.ts';
import '../elements/plotFigure.ts';
import type { GroupSummaryData, ImportedLog, ImportProgress } from '../../../workers/logImportClient.ts';
import { LogImportClient } from '../../../workers/logImportClient.ts';
import { fileDropZone } from '../elements/fileDropZone.ts';
import { numberInput } from '../elements/formFields.ts';
import { formatCount, formatPercent } from '../format.ts';
import { arrivalsByHourPlot } from '../plots/arrivalsByHourPlot.ts';
import type { LogHeader } from '../replay/logHeader.ts';
import { guessLatencyUnit, readLogHeader, readSampleRows } from '../replay/logHeader.ts';
import {
  errorRuleProblem,
  type ImportSettings,
  type ReplaySettings,
  type ReplayState,
  readImportSettings,
  readReplaySettings,
  replayCommandArguments,
  replayCommandLine,
  replaySchema,
} from '../replay/replayState.ts';
import { formatDetectionTime, formatRateEstimate, inAppWords, requestReplayVerdict } from '../replay/replayVerdict.ts';
import { type Checked, checked } from '../sizer/sizerModel.ts';
import { theme } from '../styles/theme.ts';

/** How many bytes of a file are read on the page to find its columns before the import. */
const HEADER_BYTES = 64 * 1024;

const fieldLabels: Record<LogField, string> = {
  timestamp: 'Timestamp',
  latency: 'Latency',
  status: 'Status or error',
  model: 'Model or version',
  segment: 'Segment',
  user: 'User id',
};

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function formatMilliseconds(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(value < 100 ? 1 : 0)} ms`;
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/**
 * `<rl-replay-view>`: replay a production request log. Open a CSV, TSV or JSON-lines file (or
 * the bundled sample), map its columns, and it is parsed in a Web Worker with a progress bar;
 * the parse report counts and shows rejected rows; the summary gives per-model and per-segment
 * error rates with Wilson intervals, latency quantiles and the daily pattern. Then the log
 * replays as the control model's world (`replayRequests`): the policy's false-rollback rate on a
 * healthy candidate beside the rate on the log's own windows, detection net of noise against an
 * injected regression, why runs rolled back, and the error definition and block length used —
 * the numbers of `rollout-lab replay --json` for the same log, seed and policy.
 */
export class ReplayView extends LitElement {
  static override styles = [
    theme,
    css`
      .open { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
      .drop { flex: 1 1 16rem; border: 2px dashed #b9c0cf; border-radius: 8px; padding: 1rem; text-align: center; color: #4a5468; }
      .drop.over { border-color: #2456c7; background: #eef3fd; }
      .progress { display: flex; gap: 0.75rem; align-items: center; flex-wrap: wrap; margin: 0.5rem 0; }
      progress { width: 18rem; height: 1rem; }
      code.raw { white-space: pre-wrap; word-break: break-all; font-size: 0.8rem; }
      pre.command { white-space: pre-wrap; word-break: break-all; background: #f3f5f9; padding: 0.5rem 0.75rem; border-radius: 4px; font-size: 0.8rem; }
      textarea { width: 100%; box-sizing: border-box; min-height: 5rem; }
      .wide { grid-column: 1 / -1; }
      .actions { display: flex; gap: 0.6rem; align-items: end; margin-top: 0.75rem; flex-wrap: wrap; }
      ul.warnings { margin: 0.25rem 0; padding-left: 1.25rem; }
      rl-plot { margin-top: 1.25rem; }
      label.check { flex-direction: row; gap: 0.5rem; align-items: center; }
      .worlds { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 20rem), 1fr)); gap: 1rem; align-items: start; }
      .world h5 { margin: 0.25rem 0; font-size: 0.95rem; }
      ul.used { padding-left: 1.25rem; }
      ul.used > li { margin: 0.35rem 0; }
    `,
  ];

  private readonly form = new ViewStateController<ReplayState>(this, 'replay', replaySchema);
  /** The Policy lab's autosaved settings, for "use the lab's policy". */
  private readonly lab = new LabSettingsController(this);
  private readonly client = new LogImportClient();
  // The view's own state (the form's is in `form`): Lit re-renders when one of these changes.
  @state() private file: File | undefined;
  @state() private header: Checked<LogHeader> | undefined;
  @state() private importProgress: ImportProgress | undefined;
  @state() private dragOver = false;
  @state() private openError = '';
  @state() private policyNote = '';

  private readonly importTask = new TaskController<[File, ImportSettings], ImportedLog>(
    this,
    ({ signal, reportProgress }, file, settings) =>
      this.client.import(file, file.name, settings, signal, (progress) => {
        this.importProgress = progress;
        reportProgress(progress.totalBytes > 0 ? progress.bytes / progress.totalBytes : 1);
      }),
  );

  private readonly replayTask = new TaskController<[ReplaySettings], RequestReplayResult>(this, ({ signal, reportProgress }, settings) =>
    this.client.replay(
      {
        policy: settings.policy,
        injections: settings.injections,
        replicates: settings.replicates,
        seed: settings.seed,
        allowShorterLog: settings.allowShorterLog,
      },
      signal,
      reportProgress,
    ),
  );
  /** The settings of the replay shown (the form may have changed since). */
  private replayedWith: { settings: ReplaySettings; state: ReplayState } | undefined;
  /**
   * The open file's last complete import: still shown while the file is imported again with new
   * settings (an error rule committed by leaving its box), so that the replay form — and the
   * "Run the replay" button the user is clicking, which is what made the box lose focus — stays
   * on the page instead of vanishing between the button's press and its release.
   */
  private lastImported: ImportedLog | undefined;
  /** Settles when the import in progress does (resolved when none runs). */
  private importSettled: Promise<void> = Promise.resolve();
  /** A replay asked for while the log was being imported again: it starts once the import completes. */
  @state() private replayQueued = false;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.client.dispose();
  }

  /** Opens a file: reads its first bytes for the columns, fits the mapping to them, then imports it. */
  private async open(file: File): Promise<void> {
    this.file = file;
    this.openError = '';
    this.replayTask.abort();
    this.replayedWith = undefined;
    this.lastImported = undefined;
    let sample: string;
    try {
      sample = await file.slice(0, HEADER_BYTES).text();
    } catch (error) {
      this.openError = `could not read ${file.name}: ${(error as Error).message}`;
      return;
    }
    this.header = checked(() => readLogHeader(sample));
    const patch: Partial<ReplayState> = { file: file.name };
    if (this.header.ok) {
      const columns = this.header.value.columns;
      const guess = guessColumnMapping(columns, readSampleRows(sample, this.header.value));
      const state = this.form.state;
      for (const field of LOG_FIELDS) {
        if (!columns.includes(state[field])) patch[field] = guess[field] ?? '';
      }
      if (patch.latency !== undefined && patch.latency !== '') patch.latencyUnit = guessLatencyUnit(patch.latency);
    }
    this.form.set(patch);
    this.startImport();
  }

  private async loadSample(): Promise<void> {
    try {
      const response = await fetch(sampleLogUrl);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      await this.open(new File([await response.blob()], 'requests-one-day.csv', { type: 'text/csv' }));
    } catch (error) {
      this.openError = `could not load the sample log: ${(error as Error).message}`;
    }
  }

  /** Opens the first of the dropped or chosen files (a log is one file). */
  private openFirst(files: FileList | null | undefined): void {
    const file = files?.[0];
    if (file) void this.open(file);
  }

  /** Imports the open file with the current settings, when they are complete. */
  private startImport(): void {
    if (!this.file || !this.header?.ok) return;
    const settings = checked(() => readImportSettings(this.form.state));
    if (!settings.ok) {
      this.importTask.abort();
      return;
    }
    this.replayTask.abort();
    this.replayedWith = undefined;
    this.importProgress = undefined;
    const file = this.file;
    this.importSettled = this.importTask.run(file, settings.value).then(() => {
      if (this.importTask.status === 'complete' && this.file === file) this.lastImported = this.importTask.value;
    });
  }

  /** Changes settings that the parse depends on, and imports again. */
  private setImportSetting(patch: Partial<ReplayState>): void {
    this.form.set(patch);
    this.startImport();
  }

  /** Puts the policy lab's current policy (its autosaved settings) in the policy box. */
  private useLabPolicy(): void {
    const policy = this.lab.policy;
    if (policy.ok) {
      this.policyNote = '';
      this.form.set({ policy: JSON.stringify(policy.value, null, 2) });
    } else {
      this.policyNote = `the policy lab's settings do not make a policy: ${policy.message}`;
    }
  }

  /**
   * Runs the replay with the form's settings. When the log is being imported again (the click
   * that pressed this button also committed a new error rule), the replay waits for that import
   * and then runs on the log as now read — one click is enough.
   */
  private async runReplay(): Promise<void> {
    if (this.importTask.running) {
      this.replayQueued = true;
      while (this.importTask.running) await this.importSettled;
      this.replayQueued = false;
      if (this.importTask.status !== 'complete') return;
    }
    const settings = checked(() => readReplaySettings(this.form.state));
    if (!settings.ok) return;
    this.replayedWith = { settings: settings.value, state: { ...this.form.state } };
    void this.replayTask.run(settings.value);
  }

  override render() {
    const state = this.form.state;
    // While the open file is imported again, its previous import stays on the page (see `lastImported`).
    const imported =
      this.importTask.status === 'complete' ? this.importTask.value : this.importTask.running ? this.lastImported : undefined;
    return html`<div class="workbench">
      <div class="head">
      <h2>Replay a log</h2>
      <p class="lede">
        Import a production request log (CSV, TSV or JSON lines) and replay it as the control model's world — its requests,
        each with its time, status and latency, resampled in blocks so bursts of errors and the daily pattern survive, and routed
        by user as in production — to measure how often a policy rolls back a healthy candidate (beside what it does on the log's
        own windows), how often it catches a regression injected on top, and why it rolled back. Everything stays in your browser.
      </p>
      </div>
      <div class="controls">
      <fieldset>
        <legend>1. Open a log</legend>
        <div class="open">
          ${fileDropZone({
            over: this.dragOver,
            setOver: (over) => {
              this.dragOver = over;
            },
            onFiles: (files) => this.openFirst(files),
            label: 'Drop a log file here, or choose one',
            name: 'logFile',
            accept: '.csv,.tsv,.jsonl,.json,.ndjson,.log,.txt,text/csv,text/plain',
          })}
          <button type="button" name="sample" @click=${() => void this.loadSample()}>Load the sample log (one day, 7,062 requests)</button>
        </div>
        ${
          this.file
            ? html`<p class="note" data-field="file">File: <strong>${this.file.name}</strong>, ${formatBytes(this.file.size)}${this.header?.ok ? html`, ${this.header.value.format.toUpperCase()}, ${this.header.value.columns.length} columns` : nothing}</p>`
            : state.file
              ? html`<p class="verdict warn" role="status" data-section="reopen">Re-open the file <strong>${state.file}</strong>: your column mapping and settings were kept, but the file itself is never stored.</p>`
              : nothing
        }
        ${this.openError ? html`<p class="error" role="alert">${this.openError}</p>` : nothing}
        ${this.header && !this.header.ok ? html`<p class="error" role="alert" data-section="header">${this.header.message}</p>` : nothing}
      </fieldset>
      ${this.file && this.header?.ok ? this.renderMapping(this.header.value) : nothing}
      ${imported && imported.rows > 0 ? this.renderReplaySettings() : nothing}
      </div>
      <div class="answer" data-section="answer">
        ${this.renderImportStatus()}
        ${imported && imported.rows > 0 ? this.renderReplayOutcome(imported) : nothing}
        ${
          imported
            ? this.renderImported(imported)
            : this.importTask.status === 'initial'
              ? html`<p class="note">Open a log, or the sample, to see here how it reads, its traffic and, once replayed, what the policy does on it.</p>`
              : nothing
        }
      </div>
    </div>`;
  }

  private renderMapping(header: LogHeader) {
    const state = this.form.state;
    const settings = checked(() => readImportSettings(state));
    const ruleProblem = errorRuleProblem(state.errorWhen);
    const select = (field: LogField) => {
      const required = field === 'timestamp' || field === 'latency' || field === 'status';
      return html`<label>
        ${fieldLabels[field]}${required ? '' : ' (optional)'}
        <select name=${`map-${field}`} @change=${(event: Event) => this.setImportSetting({ [field]: (event.target as HTMLSelectElement).value })}>
          <option value="" ?selected=${state[field] === ''}>${required ? '— choose a column —' : '(none)'}</option>
          ${header.columns.map((column) => html`<option value=${column} ?selected=${column === state[field]}>${column}</option>`)}
        </select>
      </label>`;
    };
    return html`
      <fieldset>
        <legend>2. Map the columns</legend>
        <div class="fields">
          ${LOG_FIELDS.map(select)}
          <label>
            Latency unit
            <select name="latencyUnit" @change=${(event: Event) => this.setImportSetting({ latencyUnit: (event.target as HTMLSelectElement).value as ReplayState['latencyUnit'] })}>
              ${LATENCY_UNITS.map((unit) => html`<option value=${unit} ?selected=${unit === state.latencyUnit}>${unit}</option>`)}
            </select>
          </label>
          <label class="wide">
            What counts as an error (blank: HTTP 5xx and words like error, timeout)
            <input
              name="errorWhen"
              type="text"
              autocomplete="off"
              spellcheck="false"
              placeholder="status>=500 or status in (error, timeout)"
              aria-invalid=${ruleProblem ? 'true' : 'false'}
              .value=${state.errorWhen}
              @input=${(event: Event) => this.form.set({ errorWhen: (event.target as HTMLInputElement).value })}
              @change=${() => this.startImport()}
            />
          </label>
        </div>
        ${ruleProblem ? html`<p class="error" role="alert" data-section="error-rule">${ruleProblem}</p>` : nothing}
        ${!settings.ok && !ruleProblem ? html`<p class="error" role="alert" data-section="mapping">${settings.message}</p>` : nothing}
      </fieldset>
    `;
  }

  private renderImportStatus() {
    const task = this.importTask;
    const progress = this.importProgress;
    if (task.status === 'initial') return nothing;
    const counts = progress
      ? html`<span data-field="import-bytes">${formatBytes(progress.bytes)} of ${formatBytes(progress.totalBytes)}</span> ·
          <span data-field="import-rows">${formatCount(progress.rowsRead)} rows</span>${progress.rowsRejected > 0 ? html` (${formatCount(progress.rowsRejected)} rejected)` : nothing}`
      : html`starting…`;
    return html`<div class="progress" data-section="import-progress" data-status=${task.status} data-progress=${task.progress}>
      <label>Import <progress name="import" max="1" .value=${task.progress} aria-label="Import progress"></progress></label>
      <span data-field="import-percent">${(100 * task.progress).toFixed(0)}%</span>
      <span class="note">${counts}</span>
      ${task.running ? html`<button type="button" name="cancelImport" @click=${() => task.abort()}>Cancel</button>` : nothing}
      ${task.status === 'cancelled' ? html`<span class="note" role="status">Import cancelled.</span>` : nothing}
    </div>
    ${
      task.status === 'error' && !isAbort(task.error)
        ? html`<p class="error" role="alert" data-section="import-error">${inAppWords((task.error as Error).message)}</p>`
        : nothing
    }`;
  }

  private renderImported(log: ImportedLog) {
    const report = log.report;
    return html`
      <h3>Parse report</h3>
      <p data-section="parse-report">
        <span data-field="rows-read">${formatCount(report.rowsRead)}</span> rows read,
        <span data-field="rows-accepted">${formatCount(report.rowsAccepted)}</span> accepted,
        <span data-field="rows-rejected">${formatCount(report.rowsRejected)}</span> rejected${report.blankLines > 0 ? `, ${formatCount(report.blankLines)} blank lines skipped` : ''};
        ${report.format.toUpperCase()}, latency in ${report.latencyUnit}, error rule <code>${report.errorRule}</code>;
        read in ${(log.milliseconds / 1000).toFixed(1)} s in a worker.
      </p>
      ${
        report.rowsRejected > 0
          ? html`<table aria-label="Rejected rows by reason" data-section="rejected-reasons">
              <thead><tr><th>Reason</th><th class="number">Rows</th></tr></thead>
              <tbody>
                ${REJECT_REASONS.filter((reason) => report.rejectedByReason[reason] > 0).map(
                  (reason) =>
                    html`<tr data-reason=${reason}><td>${reason}</td><td class="number">${formatCount(report.rejectedByReason[reason])}</td></tr>`,
                )}
              </tbody>
            </table>
            <table aria-label="First rejected rows" data-section="rejected-rows">
              <caption>First ${report.examples.length} rejected rows</caption>
              <thead><tr><th class="number">Line</th><th>Reason</th><th>Raw text</th></tr></thead>
              <tbody>
                ${report.examples.map(
                  (example) => html`<tr data-line=${example.line}>
                    <td class="number">${example.line}</td>
                    <td>${example.reason}<br /><span class="note">${inAppWords(example.message)}</span></td>
                    <td><code class="raw">${example.raw}</code></td>
                  </tr>`,
                )}
              </tbody>
            </table>`
          : nothing
      }
      ${
        report.warnings.length > 0
          ? html`<div class="verdict warn" data-section="warnings"><ul class="warnings">${report.warnings.map((warning) => html`<li>${inAppWords(warning)}</li>`)}</ul></div>`
          : nothing
      }
      ${
        report.statuses.length > 0
          ? html`<p class="note" data-section="statuses">Statuses: ${report.statuses
              .slice(0, 12)
              .map((s) => `${s.status} ×${formatCount(s.count)} (${s.error ? 'error' : 'ok'})`)
              .join(', ')}${report.statuses.length > 12 ? `, and ${report.statuses.length - 12} more` : ''}</p>`
          : nothing
      }
      ${log.rows > 0 ? this.renderSummary(log) : nothing}
    `;
  }

  private renderSummary(log: ImportedLog) {
    const summary = log.summary;
    const quantile = (group: GroupSummaryData, probability: number) =>
      formatMilliseconds(group.latency?.quantiles.find((q) => q.probability === probability)?.value);
    const row = (kind: string, group: GroupSummaryData) => html`<tr data-group=${`${kind}:${group.key}`}>
      <td>${kind === 'all' ? 'All requests' : `${kind} ${group.key || '(blank)'}`}</td>
      <td class="number">${formatCount(group.requests)}</td>
      <td class="number">${formatPercent(group.errorRate, 2)} <span class="note">[${formatPercent(group.errorRateInterval.lower, 2)}, ${formatPercent(group.errorRateInterval.upper, 2)}]</span></td>
      <td class="number">${quantile(group, 0.5)}</td>
      <td class="number">${quantile(group, 0.95)}</td>
      <td class="number">${quantile(group, 0.99)}</td>
    </tr>`;
    return html`
      <h3>Summary</h3>
      ${
        summary.timeSpan
          ? html`<p class="note" data-section="span">
            ${summary.timeSpan.start} → ${summary.timeSpan.end} (${(summary.timeSpan.durationSeconds / 3600).toFixed(1)} h)${summary.requestsPerSecond === null ? '' : `, ${summary.requestsPerSecond.toFixed(3)} requests/s on average`}${summary.users === null ? '' : `, ${formatCount(summary.users)} users`}
          </p>`
          : nothing
      }
      <table aria-label="Per model and segment" data-section="summary">
        <caption>Error rate with its 95% Wilson interval; latency quantiles by linear interpolation (R type 7)</caption>
        <thead><tr><th>Group</th><th class="number">Requests</th><th class="number">Error rate</th><th class="number">p50</th><th class="number">p95</th><th class="number">p99</th></tr></thead>
        <tbody>
          ${row('all', summary.overall)} ${summary.byModel.map((group) => row('model', group))} ${summary.bySegment.map((group) => row('segment', group))}
        </tbody>
      </table>
      <rl-plot .spec=${arrivalsByHourPlot(summary.arrivalsByHour)}></rl-plot>
    `;
  }

  private renderReplaySettings() {
    const state = this.form.state;
    const settings = checked(() => readReplaySettings(state));
    const task = this.replayTask;
    return html`
      <fieldset>
        <legend>3. Replay a policy against this traffic</legend>
        <div class="fields">
          <label class="wide">
            Injected regression (blank: none)
            <input name="inject" type="text" autocomplete="off" spellcheck="false" placeholder="latency*1.3, errors+0.01, leak:latency+2ms/h"
              .value=${state.inject} @input=${(event: Event) => this.form.set({ inject: (event.target as HTMLInputElement).value })} />
          </label>
          ${numberInput('replicates', 'Replicates', state.replicates, (replicates) => this.form.set({ replicates }))}
          ${numberInput('seed', 'Seed', state.seed, (seed) => this.form.set({ seed }))}
          <label class="wide check">
            <input name="allowShorterLog" type="checkbox" .checked=${state.allowShorterLog === 'yes'}
              @change=${(event: Event) => this.form.set({ allowShorterLog: (event.target as HTMLInputElement).checked ? 'yes' : 'no' })} />
            Replay a log shorter than the rollout by reusing its blocks (otherwise it is refused: a short log cannot show a whole rollout)
          </label>
        </div>
        <label>
          Policy JSON (blank: the framework default policy)
          <textarea name="policy" spellcheck="false" placeholder="Paste a policy exported from the policy lab" .value=${state.policy}
            @input=${(event: Event) => this.form.set({ policy: (event.target as HTMLTextAreaElement).value })}></textarea>
        </label>
        <div class="actions">
          <button type="button" name="labPolicy" @click=${() => this.useLabPolicy()}>Use the policy lab's policy</button>
          <button type="button" name="defaultPolicy" ?disabled=${state.policy === ''} @click=${() => this.form.set({ policy: '' })}>Use the framework default</button>
          <span class="note" data-field="policy-name">Policy: ${settings.ok ? `'${settings.value.policy.name}'` : '—'}</span>
        </div>
        ${this.policyNote ? html`<p class="error" role="alert">${this.policyNote}</p>` : nothing}
        ${settings.ok ? nothing : html`<p class="error" role="alert" data-section="replay-settings">${settings.message}</p>`}
        <div class="actions">
          <button type="button" class="primary" name="runReplay" ?disabled=${!settings.ok || task.running} @click=${() => void this.runReplay()}>Run the replay</button>
          ${this.replayQueued ? html`<span class="note" role="status" data-section="replay-queued">Reading the log with the new settings; the replay starts when it is done.</span>` : nothing}
          ${
            task.running
              ? html`<label>Replay <progress name="replay" max="1" .value=${task.progress} aria-label="Replay progress"></progress></label>
                <span data-field="replay-percent">${(100 * task.progress).toFixed(0)}%</span>
                <button type="button" name="cancelReplay" @click=${() => task.abort()}>Cancel</button>`
              : nothing
          }
          ${task.status === 'cancelled' ? html`<span class="note" role="status" data-section="replay-cancelled">Replay cancelled.</span>` : nothing}
        </div>
      </fieldset>
    `;
  }

  /** The replay's answer (or its error), at the top of the answer panel. */
  private renderReplayOutcome(log: ImportedLog) {
    const task = this.replayTask;
    return html`
      ${task.status === 'error' && !isAbort(task.error) ? html`<p class="error" role="alert" data-section="replay-error">${inAppWords((task.error as Error).message)}</p>` : nothing}
      ${task.status === 'complete' && task.value && this.replayedWith ? this.renderResults(log, task.value, this.replayedWith) : nothing}
    `;
  }

  private renderResults(log: ImportedLog, result: RequestReplayResult, replayed: { settings: ReplaySettings; state: ReplayState }) {
    const { settings, state } = replayed;
    const verdict = requestReplayVerdict(result);
    const own = result.ownWindows;
    const detection = result.detection;
    const counted = failingChecksLabel(settings.policy);
    const regression = result.regression;
    const cell = (
      rate: RateEstimate,
      field: string,
    ) => html`<td class="number" data-field=${field} data-count=${rate.count} data-total=${rate.total}>
      ${formatRateEstimate(rate)}<br /><span class="note">${formatCount(rate.count)} / ${formatCount(rate.total)}</span></td>`;
    const definition = result.errorDefinition;
    const argv = replayCommandArguments(state, log.fileName, true);
    return html`
      <div class="verdict ${verdict.tone}" role="status" data-section="verdict">${verdict.text}</div>
      ${
        result.shorterThanRollout
          ? html`<p class="verdict warn" data-section="shorter-than-rollout">The log (${formatHours(result.log.spanSeconds)}) is shorter than one rollout (${formatHours(result.rolloutSeconds)}): its blocks were reused, and the log's own windows hold no complete run.</p>`
          : nothing
      }
      <table aria-label="False rollbacks" data-section="false-rollbacks">
        <caption>
          A healthy candidate — identical to control, so every rollback is false. Policy '${settings.policy.name}' (a rollout takes up to ${formatHours(result.rolloutSeconds)}),
          ${formatCount(result.replicates)} replicates, seed ${String(result.seed)}; rates with 95% Wilson intervals.
        </caption>
        <thead><tr><th>Estimate</th><th class="number">False-rollback rate</th><th class="number">Promoted</th><th class="number">Undecided</th></tr></thead>
        <tbody>
          <tr data-run="replay">
            <td>Replay: the log's requests resampled in blocks of ${result.blockLength.minutes} min</td>
            ${cell(result.falseRollbackRate, 'false-rollback')} ${cell(result.healthy.promoteRate, 'promoted')} ${cell(result.healthy.undecidedRate, 'undecided')}
          </tr>
          <tr data-run="own-windows">
            <td>The log's own consecutive windows, no resampling${
              own.runs === 0
                ? html`<br /><span class="note">no run: the log is shorter than one rollout</span>`
                : html`<br /><span class="note">${formatCount(own.runs)} runs started every ${formatDuration(own.startEverySeconds)}; they overlap (${formatCount(own.nonOverlappingRuns)} would not), so this interval is optimistic</span>`
            }</td>
            ${cell(own.falseRollbackRate, 'own-windows-false-rollback')} ${cell(own.summary.promoteRate, 'own-windows-promoted')} ${cell(own.summary.undecidedRate, 'own-windows-undecided')}
          </tr>
        </tbody>
      </table>
      ${
        detection !== null && regression !== null
          ? html`
            <h4>Detection, net of noise</h4>
            <p class="note" data-section="regression">The regressed candidate: ${regression.description}, ${regression.onset}. Each regressed replay runs on the same resampled traffic as its healthy twin.</p>
            <table aria-label="Detection net of noise" data-section="detection">
              <thead><tr><th>Paired outcome</th><th class="number">Share of replays</th></tr></thead>
              <tbody>
                <tr><td>Rolled back only because of the regression</td>${cell(detection.onlyBecauseOfRegression, 'only-because-of-regression')}</tr>
                <tr><td>Rolled back in both worlds (the noise alone would have done it)</td>${cell(detection.inBoth, 'in-both')}</tr>
                <tr><td>Rolled back only without the regression</td>${cell(detection.onlyWithoutRegression, 'only-without-regression')}</tr>
                <tr><td>Missed: the regressed candidate was promoted</td>${cell(detection.missed, 'missed')}</tr>
                <tr><td>Undecided with the regression</td>${cell(detection.regressed.undecidedRate, 'regressed-undecided')}</tr>
                <tr>
                  <td>Detection time from the regression's onset (median, p90)</td>
                  <td class="number" data-field="median-detection-time" data-seconds=${String(detection.detectionTime.median)}>
                    ${
                      detection.detectionTime.count === 0
                        ? '—'
                        : `${formatDetectionTime(detection.detectionTime.median)}, ${formatDetectionTime(detection.detectionTime.p90)}`
                    }<br /><span class="note">over ${formatCount(detection.detectionTime.count)} replays caught only because of it</span>
                  </td>
                </tr>
              </tbody>
            </table>
            <p class="note" data-section="missed-meaning">What a miss means: ${regression.missedMeaning}.</p>
          `
          : html`<p class="note" data-section="no-regression">No regression injected: only false rollbacks are measured. Describe one in "Injected regression" to measure detection.</p>`
      }
      <h4>Why it rolled back</h4>
      <div class="worlds">
        ${this.renderWorld('healthy', `Healthy candidate, replay (${formatCount(result.healthy.runs)} runs)`, result.healthy, counted)}
        ${own.runs > 0 ? this.renderWorld('own-windows', `Healthy candidate, the log's own windows (${formatCount(own.runs)} runs)`, own.summary, counted) : nothing}
        ${detection !== null ? this.renderWorld('regressed', `Regressed candidate, replay (${formatCount(detection.regressed.runs)} runs)`, detection.regressed, counted) : nothing}
      </div>
      <h4>What the replay used</h4>
      <ul class="used">
        <li data-section="error-definition">
          What counts as an error: ${definition.rule === 'default' ? inAppWords(definition.description) : `your rule ${definition.description.replace(/^--error-when /, '')}`} —
          <span data-field="error-rate">${formatCount(definition.errors)} errors in ${formatCount(definition.requests)} requests (${formatPercent(definition.errorRate, 2)})</span>.
          <table aria-label="Status values" data-section="status-values">
            <thead><tr><th>Status</th><th class="number">Requests</th><th>Counted as</th></tr></thead>
            <tbody>
              ${definition.statuses.map((s) => html`<tr data-status=${s.status}><td><code>${s.status}</code></td><td class="number">${formatCount(s.count)}</td><td>${s.error ? 'error' : 'success'}</td></tr>`)}
              ${definition.rejectedStatuses.map((s) => html`<tr data-status=${s.status}><td><code>${s.status}</code></td><td class="number">${formatCount(s.count)}</td><td>rejected: not a status the rule knows</td></tr>`)}
            </tbody>
          </table>
        </li>
        <li data-section="block-length" data-minutes=${result.blockLength.minutes}>Blocks: ${inAppWords(result.blockLength.explanation)}</li>
        <li data-section="routing">Routing: ${
          result.routing.by === 'user'
            ? `sticky by the user column '${result.routing.column}', as in production (a user's requests all go to one arm)`
            : 'each request by its own hash (the mapping names no user column)'
        }; flag group '${result.routing.group}'.</li>
        <li data-section="log">The log: ${formatCount(result.log.requests)} requests over ${formatHours(result.log.spanSeconds)}${result.log.users === null ? '' : `, ${formatCount(result.log.users)} users`}.</li>
      </ul>
      <p class="note">The same numbers from the command line:</p>
      <pre class="command" data-section="command" data-argv=${JSON.stringify(argv)}>${replayCommandLine(state, log.fileName, true)}</pre>
    `;
  }

  /** One world's outcomes: rollbacks by reason, by failing checks counted (`counted`: the policy's mode, `failingChecksLabel`), and the stages that starved. */
  private renderWorld(name: string, title: string, world: WorldSummary, counted: string) {
    return html`<section class="world" data-world=${name}>
      <h5>${title}</h5>
      ${
        world.reasons.length === 0
          ? html`<p class="note">No rollback.</p>`
          : html`<table aria-label=${`Rollbacks by reason: ${title}`} data-section="reasons">
            <thead><tr><th>Rule that fired (stage · rule)</th><th class="number">Runs</th></tr></thead>
            <tbody>
              ${world.reasons.map((r) => html`<tr data-reason=${r.reason}><td>${r.reason}</td><td class="number" data-count=${r.count}>${formatCount(r.count)}</td></tr>`)}
            </tbody>
          </table>`
      }
      ${
        world.failingChecks.length > 0
          ? html`<p class="note" data-section="failing-checks">${counted[0].toUpperCase()}${counted.slice(1)} at the rollback: ${world.failingChecks.map((f) => `${f.checks} (${formatCount(f.count)} runs)`).join(', ')}.</p>`
          : nothing
      }
      ${
        world.starved.length > 0
          ? html`<ul class="warnings" data-section="starved">${world.starved.map((s) => html`<li data-stage=${s.stage} data-runs=${s.runs}>${s.message}</li>`)}</ul>`
          : nothing
      }
    </section>`;
  }
}

customElements.define('rl-replay-view', ReplayView);

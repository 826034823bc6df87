import { css, html, LitElement, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { type AuditRequest, type AuditTuning, auditInWorker, auditTuneInWorker } from '../../../workers/auditInWorker.ts';
import type { ImportInput, ImportResult } from '../../engine/import/importTypes.ts';
import { importRollout } from '../../engine/import/index.ts';
import { readYamlDocuments } from '../../engine/import/yamlDocuments.ts';
import type { HealthMetric, Policy } from '../../engine/policy/policy.ts';
import type { RolloutAudit } from '../../sim/audit/auditRollout.ts';
import { type AuditWorlds, auditScenario } from '../../sim/audit/auditScenario.ts';
import {
  formatAuditInputs,
  inputNames,
  pastedInputName,
  readAuditInputs,
  withFiles,
  withoutInput,
  withText,
} from '../audit/auditInputs.ts';
import { labStateFromImport, labStateFromWorlds } from '../audit/auditLabState.ts';
import { customMetricNames, formatMetricMap, mappableMetrics, readMetricMap, withMapping } from '../audit/auditMetrics.ts';
import { type AuditRunSettings, type AuditState, auditSchema, readAuditImport, readAuditRun, readAuditWorld } from '../audit/auditState.ts';
import { auditComparison, auditOverall, auditStageRows, diffLines, importReportRows, tunedFileName } from '../audit/auditTables.ts';
import { LabSettingsController } from '../controllers/labSettingsController.ts';
import { settle } from '../controllers/settle.ts';
import { TaskController } from '../controllers/taskController.ts';
import { ViewStateController } from '../controllers/viewStateController.ts';
import { downloadFile } from '../elements/downloadFile.ts';
import { fileDropZone } from '../elements/fileDropZone.ts';
import { choiceInput, numberInput } from '../elements/formFields.ts';
import { importedStageNames, importSourceLabels } from '../lab/labImportedPolicy.ts';
import { type Checked, checked } from '../sizer/sizerModel.ts';
import { formatRoute } from '../state/route.ts';
import { theme } from '../styles/theme.ts';

/** The import as the view holds it: nothing to read yet, the result, or the importer's one-line message. */
type ImportOutcome =
  | { status: 'empty' }
  | { status: 'ok'; inputs: ImportInput[]; result: ImportResult }
  | { status: 'error'; message: string };

/** Reads the files of the form; the importer's error (an `ImportError`, one line naming file, document and field) as a message. */
function importOutcome(state: AuditState): ImportOutcome {
  let inputs: ImportInput[];
  try {
    const read = readAuditImport(state);
    inputs = read.inputs;
    if (inputs.length === 0) return { status: 'empty' };
    return { status: 'ok', inputs, result: importRollout(inputs, read.options) };
  } catch (error) {
    // Never a stack trace: the first line of the message (the importer's messages are one line).
    return { status: 'error', message: (error instanceof Error ? error.message : String(error)).split('\n')[0] };
  }
}

/** The names of the user's own metrics in readable files, for the map's selects; none while the files do not read. */
function metricNamesOf(state: AuditState): string[] {
  try {
    return customMetricNames(readYamlDocuments(readAuditImport(state).inputs));
  } catch {
    return [];
  }
}

/**
 * `<rl-audit-view>`: "Audit my rollout" (issue 14). The user pastes, drops or opens the Argo
 * Rollouts or Flagger files they run today and says what their traffic looks like; the view shows
 * the import report, the original's operating characteristics stage by stage (the audit library,
 * in a Web Worker: exact when the evaluator covers the policy), and the tuned replacement as a diff
 * of their own files, with the tuned YAML to download. "Open in Policy lab" hands the imported
 * policy and the audit's worlds to the lab. Every change reruns in the background (the stale run's
 * worker is terminated); the files and settings are autosaved, so a reload keeps them.
 */
export class AuditView extends LitElement {
  static override styles = [
    theme,
    css`
      .files { display: grid; gap: 0.75rem; }
      .file-head { display: flex; justify-content: space-between; align-items: baseline; gap: 0.5rem; }
      textarea { width: 100%; box-sizing: border-box; min-height: 14rem; resize: vertical; }
      .drop { border: 2px dashed #b9c0cf; border-radius: 8px; padding: 0.75rem 1rem; color: #4a5468; display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; }
      .drop.over { border-color: #2456c7; background: #eef3fd; }
      .row { display: flex; gap: 0.75rem; align-items: center; flex-wrap: wrap; margin-top: 0.5rem; }
      .imported { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; align-items: center; padding: 0.5rem 0.9rem; background: #eef3fd; border: 1px solid #c5d4f3; border-radius: 6px; }
      ul.report { margin: 0.25rem 0 0.5rem; padding-left: 1.25rem; }
      ul.report li { margin: 0.2rem 0; }
      code.where { font-size: 0.8rem; color: #2b3550; overflow-wrap: anywhere; }
      details > summary { cursor: pointer; margin: 0.5rem 0; }
      .scroll { overflow-x: auto; }
      h4 { font-size: 0.95rem; margin: 0.9rem 0 0.2rem; }
      table.stages th.group { text-align: center; border-bottom: none; }
      table.stages td.stage { white-space: nowrap; }
      table.stages th.number { white-space: normal; vertical-align: bottom; }
      pre.diff { font: 0.8rem/1.45 ui-monospace, 'SFMono-Regular', Menlo, monospace; background: #f6f7fa; border: 1px solid #e1e5ee; border-radius: 6px; padding: 0.5rem 0; overflow-x: auto; margin: 0.5rem 0; }
      pre.diff span { display: block; padding: 0 0.75rem; white-space: pre; }
      pre.diff .add { background: #e6f4ea; color: #135c24; }
      pre.diff .remove { background: #fdecea; color: #8a1c12; }
      pre.diff .hunk { color: #5b4db0; }
      pre.diff .file { font-weight: 600; }
      progress { width: 14rem; height: 1rem; }
    `,
  ];

  /** The form, in `#/audit?…` and autosaved (so a reload keeps the pasted YAML). */
  private readonly form = new ViewStateController<AuditState>(this, 'audit', auditSchema);
  /** The lab's saved settings, which "Open in Policy lab" hands the imported policy to. */
  private readonly lab = new LabSettingsController(this);
  /** The original's audit, stage by stage, in a worker a newer edit terminates. */
  private readonly audit = new TaskController<[AuditRequest], RolloutAudit>(this, async ({ signal, reportProgress }, request) => {
    await settle(300, signal);
    return auditInWorker(request, { signal, reportProgress });
  });
  /** The tuned replacement written back into the user's files, in its own worker. */
  private readonly tuning = new TaskController<[AuditRequest], AuditTuning>(this, async ({ signal, reportProgress }, request) => {
    await settle(300, signal);
    return auditTuneInWorker(request, { signal, reportProgress });
  });

  @state() private dragOver = false;
  @state() private openError = '';

  /** Derived once per form state (`willUpdate`). */
  private checkedState: AuditState | undefined;
  private imported: ImportOutcome = { status: 'empty' };
  private metricNames: string[] = [];
  private worlds: Checked<AuditWorlds> = { ok: false, message: '' };
  private run: Checked<AuditRunSettings> = { ok: false, message: '' };
  /** The request the tasks last ran with (JSON): an edit that changes nothing they read does not rerun them. */
  private requestKey = '';

  override willUpdate(): void {
    const state = this.form.state;
    if (state === this.checkedState) return;
    this.checkedState = state;
    this.imported = importOutcome(state);
    this.metricNames = metricNamesOf(state);
    const world = checked(() => readAuditWorld(state));
    this.worlds = world.ok ? checked(() => auditScenario(world.value)) : world;
    this.run = checked(() => readAuditRun(state));
    if (this.imported.status !== 'ok' || !world.ok || !this.worlds.ok || !this.run.ok) {
      this.requestKey = '';
      this.audit.abort();
      this.tuning.abort();
      return;
    }
    const { maxFalseRollbackRate, minDetectionRate, detectWithin, replicates, seed, candidates } = this.run.value;
    const request: AuditRequest = {
      inputs: this.imported.inputs,
      importOptions: readAuditImport(state).options,
      world: world.value,
      targets: { maxFalseRollbackRate, minDetectionRate, detectWithin },
      replicates,
      seed,
      candidates,
    };
    const key = JSON.stringify(request);
    if (key === this.requestKey) return;
    this.requestKey = key;
    void this.audit.run(request);
    void this.tuning.run(request);
  }

  private set(field: keyof AuditState) {
    return (value: string) => this.form.set({ [field]: value } as Partial<AuditState>);
  }

  private get inputs(): ImportInput[] {
    const read = checked(() => readAuditInputs(this.form.state.files));
    return read.ok ? read.value : [{ name: pastedInputName, text: '' }];
  }

  private setInputs(inputs: ImportInput[]): void {
    this.form.set({ files: formatAuditInputs(inputs) });
  }

  /** Reads opened or dropped files with the File API and adds them (a file of the same name replaces its box). */
  private async addFiles(list: FileList | null | undefined): Promise<void> {
    const files = [...(list ?? [])];
    if (files.length === 0) return;
    this.openError = '';
    try {
      const read = await Promise.all(files.map(async (file) => ({ name: file.name, text: await file.text() })));
      this.setInputs(withFiles(this.inputs, read));
    } catch (error) {
      this.openError = `could not read the file: ${(error as Error).message}`;
    }
  }

  private setMapping(name: string, metric: HealthMetric | ''): void {
    const map = checked(() => readMetricMap(this.form.state.map));
    this.form.set({ map: formatMetricMap(withMapping(map.ok ? map.value : {}, name, metric)) });
  }

  /**
   * "Open in Policy lab": the imported policy (or the tuned one) as the lab's base, the audit's
   * worlds as its scenario; then the lab.
   */
  private openInLab(tuned?: Policy): void {
    if (this.imported.status !== 'ok') return;
    const { inputs, result } = this.imported;
    const file = tuned ? `${inputNames(inputs)}, tuned` : inputNames(inputs);
    const lab = labStateFromImport({ file, source: result.report.source, policy: tuned ?? result.policy });
    this.lab.handOver({ ...lab, ...(this.worlds.ok ? labStateFromWorlds(this.worlds.value).patch : {}) });
    window.location.hash = formatRoute('lab');
  }

  override render() {
    return html`<div class="workbench">
      <div class="head">
        <h2>Audit my rollout</h2>
        <p class="lede">
          Paste or open the Argo Rollouts or Flagger files you run today and say what your traffic looks like: see how often those
          rules roll back a healthy release or let a regression through, stage by stage, and get a tuned version as an edit of your
          own files. Everything runs in your browser.
        </p>
      </div>
      <div class="controls">
        ${this.renderFiles()}
        ${this.imported.status === 'ok' ? this.renderReport(this.imported.result) : nothing}
        ${this.renderWorld()}
        ${this.renderRun()}
      </div>
      <aside class="answer" aria-label="What your rollout does" data-section="answer">${this.renderAnswer()}</aside>
    </div>`;
  }

  private renderFiles() {
    const state = this.form.state;
    const inputs = this.inputs;
    const map = checked(() => readMetricMap(state.map));
    return html`<fieldset data-section="files">
      <legend>1. Your rollout files</legend>
      <div class="files">
        ${inputs.map(
          (input, index) => html`<div class="file" data-file=${input.name}>
            <div class="file-head">
              <label for=${`file-${index}`}>${input.name === pastedInputName ? 'Paste your YAML (a Rollout and its AnalysisTemplates, or a Canary and its MetricTemplates; documents separated by ---)' : input.name}</label>
              ${
                inputs.length > 1 || input.name !== pastedInputName
                  ? html`<button type="button" name=${`remove-file-${index}`} @click=${() => this.setInputs(withoutInput(inputs, index))}>Remove</button>`
                  : nothing
              }
            </div>
            <textarea id=${`file-${index}`} name=${input.name === pastedInputName ? 'yaml' : `file-${index}`} spellcheck="false" autocomplete="off"
              aria-invalid=${this.imported.status === 'error' ? 'true' : 'false'}
              .value=${input.text} @input=${(event: Event) => this.setInputs(withText(inputs, index, (event.target as HTMLTextAreaElement).value))}></textarea>
          </div>`,
        )}
      </div>
      ${this.imported.status === 'error' ? html`<p class="error" role="alert" data-section="import-error">${this.imported.message}</p>` : nothing}
      ${fileDropZone({
        over: this.dragOver,
        setOver: (over) => {
          this.dragOver = over;
        },
        onFiles: (files) => void this.addFiles(files),
        label: 'Drop YAML files here, or open them',
        name: 'yamlFiles',
        accept: '.yaml,.yml,application/yaml,text/yaml,text/plain',
        multiple: true,
      })}
      ${this.openError ? html`<p class="error" role="alert">${this.openError}</p>` : nothing}
      <div class="fields" style="margin-top:0.75rem">
        ${choiceInput(
          'from',
          this.imported.status === 'ok' && state.from === 'auto'
            ? `Format (detected: ${importSourceLabels[this.imported.result.report.source]})`
            : 'Format',
          state.from,
          [
            { value: 'auto', label: 'auto-detect' },
            { value: 'argo', label: 'Argo Rollouts' },
            { value: 'flagger', label: 'Flagger' },
          ],
          this.set('from'),
        )}
        ${this.metricNames.map((name) =>
          choiceInput<HealthMetric | ''>(
            `map-${name}`,
            `Metric ${name} is`,
            map.ok ? (map.value[name] ?? '') : '',
            [{ value: '', label: 'as imported' }, ...mappableMetrics.map((metric) => ({ value: metric, label: metric }))],
            (value) => this.setMapping(name, value),
          ),
        )}
      </div>
      ${map.ok ? nothing : html`<p class="error" role="alert">${map.message}</p>`}
    </fieldset>`;
  }

  private renderReport(result: ImportResult) {
    const rows = importReportRows(result.report);
    return html`<fieldset data-section="report">
      <legend>Import report</legend>
      <p data-section="report-summary">${rows.summary}</p>
      <p><strong>At zero traffic:</strong> <span data-section="zero-traffic">${rows.zeroTraffic}</span></p>
      ${
        rows.unrepresented.length > 0
          ? html`<h3>Not represented (the audit's numbers leave these out)</h3>
            <ul class="report" data-section="unrepresented">${rows.unrepresented.map((row) => html`<li><code class="where">${row.location}</code> — ${row.reason}</li>`)}</ul>`
          : nothing
      }
      ${
        rows.assumptions.length > 0
          ? html`<h3>Assumptions</h3>
            <ul class="report" data-section="assumptions">${rows.assumptions.map((row) => html`<li>${row.location ? html`<code class="where">${row.location}</code> — ` : nothing}${row.text}</li>`)}</ul>`
          : nothing
      }
      <details data-section="mapped">
        <summary>Mapped fields (${rows.mapped.length})</summary>
        <div class="scroll"><table aria-label="Mapped fields">
          <thead><tr><th>In your file</th><th>Value</th><th>Policy field</th><th>Policy value</th></tr></thead>
          <tbody>${rows.mapped.map(
            (row) =>
              html`<tr><td><code class="where">${row.location}</code></td><td>${row.sourceValue}</td><td><code>${row.policyPath}</code></td><td>${row.policyValue}${row.note ? html`<div class="note">${row.note}</div>` : nothing}</td></tr>`,
          )}</tbody>
        </table></div>
      </details>
    </fieldset>`;
  }

  private renderWorld() {
    const state = this.form.state;
    return html`<fieldset data-section="world">
      <legend>2. Your traffic and the regression to catch</legend>
      <div class="fields">
        ${numberInput('traffic', 'Requests per second', state.traffic, this.set('traffic'), { hint: '40rps, 2400rpm, 144000rph' })}
        ${numberInput('errorRate', 'Error rate today', state.errorRate, this.set('errorRate'), { hint: '0.002 or 0.2%' })}
        ${numberInput('p95', 'p95 latency today', state.p95, this.set('p95'), { hint: '350ms or 0.35s' })}
        ${numberInput('timeoutRate', 'Timeout rate today (empty: none)', state.timeoutRate, this.set('timeoutRate'))}
        ${numberInput('regression', 'Regression to catch', state.regression, this.set('regression'), { hint: 'errors*3, p95*1.5, errors+0.01, timeouts*2; several with commas' })}
      </div>
      ${this.worlds.ok ? nothing : html`<p class="error" role="alert" data-section="world-error">${this.worlds.message}</p>`}
    </fieldset>`;
  }

  private renderRun() {
    const state = this.form.state;
    return html`<fieldset data-section="run">
      <legend>3. Tuning targets and run</legend>
      <div class="fields">
        ${numberInput('maxFalseRollback', 'Largest false-rollback rate (%)', state.maxFalseRollback, this.set('maxFalseRollback'))}
        ${numberInput('minDetection', 'Regression caught in at least (%)', state.minDetection, this.set('minDetection'))}
        ${numberInput('withinMinutes', '… within (minutes of first serving)', state.withinMinutes, this.set('withinMinutes'))}
        ${numberInput('replicates', 'Replicates per world (simulation)', state.replicates, this.set('replicates'))}
        ${numberInput('candidates', 'Tuning candidates to try', state.candidates, this.set('candidates'))}
        ${numberInput('seed', 'Seed', state.seed, this.set('seed'))}
      </div>
      <p class="note">
        The original is measured exactly when the exact evaluator covers it, else by simulation with the replicates above. The tuner
        searches only what your files can express (thresholds, check interval, failure limit, …) and judges candidates on the 95%
        Wilson bounds of fresh replicates.
      </p>
      ${this.run.ok ? nothing : html`<p class="error" role="alert" data-section="run-error">${this.run.message}</p>`}
    </fieldset>`;
  }

  private renderAnswer() {
    const imported = this.imported;
    if (imported.status === 'empty') {
      return html`<p class="note" data-section="empty">Paste or open your rollout's YAML (under 1.) to audit it.</p>`;
    }
    if (imported.status === 'error') {
      return html`<p class="note" data-section="fix-files">The files cannot be imported: the message under them says where.</p>`;
    }
    const { result, inputs } = imported;
    const labNotes = this.worlds.ok ? labStateFromWorlds(this.worlds.value).notes : [];
    return html`
      <div class="imported" data-section="imported">
        <span><strong>${result.policy.name ?? 'Your rollout'}</strong> from ${inputNames(inputs)} (${importSourceLabels[result.report.source]}):
          ${importedStageNames(result.policy).join(' → ')}</span>
        <button type="button" class="primary" name="open-in-lab" @click=${() => this.openInLab()}>Open in Policy lab</button>
      </div>
      ${labNotes.length > 0 ? html`<p class="note">The lab cannot carry over ${labNotes.join('; ')}.</p>` : nothing}
      ${
        !this.worlds.ok
          ? html`<p class="error" role="alert">Your traffic: ${this.worlds.message}</p>`
          : !this.run.ok
            ? html`<p class="error" role="alert">${this.run.message}</p>`
            : html`${this.renderOriginal(this.worlds.value)}${this.renderTuning(inputs)}`
      }
    `;
  }

  /** The original's rates beside the tuned policy's, then the original stage by stage. */
  private renderOriginal(worlds: AuditWorlds) {
    const task = this.audit;
    const heading = html`<h3>What your rollout does, against ${worlds.regression}</h3>`;
    if (task.running) return html`${heading}<p class="note" role="status" data-section="audit-running">Auditing your rollout…</p>`;
    if (task.status === 'error')
      return html`${heading}<p class="error" role="alert" data-section="audit-error">${(task.error as Error).message}</p>`;
    const original = task.value;
    if (task.status !== 'complete' || !original) return heading;
    const tuned = this.tuning.status === 'complete' ? this.tuning.value?.audit : undefined;
    const rows = auditComparison(original, tuned);
    return html`${heading}
      <div data-section="original">
        <table aria-label="Your rollout and the tuned one, overall" data-section="overall">
          <thead><tr><th></th><th class="number">Your rollout</th><th class="number">Tuned</th></tr></thead>
          <tbody>${rows.map(
            (row) =>
              html`<tr data-rate=${row.key}><td>${row.label}</td><td class="number" data-column="original">${row.original}</td><td class="number" data-column="tuned">${row.tuned ?? (this.tuning.running ? 'tuning…' : '—')}</td></tr>`,
          )}</tbody>
        </table>
        <h4>Your rollout, stage by stage</h4>
        ${this.renderStages(original, 'Your rollout')}
      </div>
      ${
        worlds.assumptions.length > 0
          ? html`<details><summary>How your traffic was modelled</summary><ul class="report">${worlds.assumptions.map((text) => html`<li>${text}</li>`)}</ul></details>`
          : nothing
      }`;
  }

  /** An audited policy stage by stage, and how its numbers were obtained. */
  private renderStages(audit: RolloutAudit, label: string) {
    const rows = auditStageRows(audit);
    return html`
      <div class="scroll"><table class="stages" aria-label=${`${label}: stage by stage`} data-section="stage-table">
        <thead>
          <tr><th rowspan="2">Stage</th><th colspan="2" class="group">Healthy release</th><th colspan="4" class="group">Regressed release</th></tr>
          <tr><th class="number">reaches it</th><th class="number">rolled back here</th><th class="number">reaches it</th><th class="number">caught here</th><th class="number">median time to catch</th><th class="number">requests served (mean)</th></tr>
        </thead>
        <tbody>${rows.map(
          (row) =>
            html`<tr data-stage=${row.name}><td class="stage">${row.name}</td><td class="number">${row.reachedHealthy}</td><td class="number">${row.falseRollback}</td><td class="number">${row.reachedRegressed}</td><td class="number">${row.caught}</td><td class="number">${row.medianDetection}</td><td class="number">${row.servedWhileWorse}</td></tr>`,
        )}</tbody>
      </table></div>
      <p class="note" data-section="method">${auditOverall(audit).method}</p>
    `;
  }

  private renderTuning(inputs: ImportInput[]) {
    const task = this.tuning;
    const heading = html`<h3>Tuned for your targets</h3>`;
    if (task.running) {
      return html`${heading}<div class="row" data-section="tuning-running">
        <label>Tuning <progress max="1" .value=${task.progress} aria-label="Tuning progress"></progress></label>
        <button type="button" name="cancel-tune" @click=${() => task.abort()}>Cancel tuning</button>
      </div>`;
    }
    if (task.status === 'cancelled') {
      return html`${heading}<p class="note" data-section="tuning-cancelled">Tuning cancelled.
        <button type="button" name="retune" @click=${() => {
          this.requestKey = '';
          this.checkedState = undefined;
          this.requestUpdate();
        }}>Tune again</button></p>`;
    }
    if (task.status === 'error')
      return html`${heading}<p class="error" role="alert" data-section="tuning-error">${(task.error as Error).message}</p>`;
    const tuning = task.value;
    if (task.status !== 'complete' || !tuning) return heading;
    const changedFiles = tuning.files.filter((file, index) => file.text !== inputs[index]?.text);
    return html`${heading}
      <p class="verdict ${tuning.meetsTargets ? 'good' : 'bad'}" role="status" data-section="tuning-message">${tuning.message}</p>
      ${
        tuning.diff === ''
          ? tuning.policy
            ? html`<p class="note" data-section="no-diff">Your files already say this: nothing to change.</p>`
            : nothing
          : html`<h4>${tuning.meetsTargets ? 'What to change in your files' : 'The closest policy, as a change to your files (it misses the targets)'}</h4>
            <pre class="diff" data-section="diff" aria-label="Changes to your files, as a unified diff">${diffLines(tuning.diff).map((line) => html`<span class=${line.kind}>${line.text}</span>`)}</pre>
            <div class="row" data-section="downloads">${tuning.policy ? html`<button type="button" name="open-tuned-in-lab" @click=${() => this.openInLab(tuning.policy as Policy)}>Open the tuned one in Policy lab</button>` : nothing}${changedFiles.map(
              (file) =>
                html`<button type="button" class="primary" name=${`download-${file.name}`} @click=${() => downloadFile(tunedFileName(file.name, pastedInputName), file.text, 'application/yaml')}>Download tuned ${tunedFileName(file.name, pastedInputName)}</button>`,
            )}</div>`
      }
      ${
        tuning.unrepresentable.length > 0
          ? html`<p class="note" data-section="unrepresentable">Your files cannot say: ${tuning.unrepresentable.join('; ')}.</p>`
          : nothing
      }
      ${tuning.audit ? html`<details data-section="tuned"><summary>Tuned, stage by stage</summary>${this.renderStages(tuning.audit, 'Tuned')}</details>` : nothing}
      ${
        tuning.excluded.length > 0
          ? html`<details data-section="excluded"><summary>Left out of the search</summary><ul class="report">${tuning.excluded.map(
              (excluded) => html`<li><code>${excluded.coordinate}</code> ${excluded.values.join(', ')}: ${excluded.reason}</li>`,
            )}</ul></details>`
          : nothing
      }`;
  }
}

customElements.define('rl-audit-view', AuditView);

import { css, html, LitElement } from 'lit';
import { state } from 'lit/decorators.js';
import { browserSimulationRunner } from '../../../workers/browserSimulationRunner.ts';
import type { FlaggerMode } from '../../engine/export/flagger.ts';
import { LabSettingsController } from '../controllers/labSettingsController.ts';
import { TaskController } from '../controllers/taskController.ts';
import { ViewStateController } from '../controllers/viewStateController.ts';
import { downloadFile } from '../elements/downloadFile.ts';
import {
  deploymentExport,
  deploymentExportCommand,
  deploymentOptionFields,
  type ExportFormat,
  exportFormats,
  flaggerModes,
} from '../export/deploymentExport.ts';
import { type ExportState, exportSchema } from '../export/exportState.ts';
import { buildPolicyExport, type PolicyExport, readPolicyImport } from '../export/policyExport.ts';
import { formatCount } from '../format.ts';
import { formatHours, formatRate } from '../lab/labModel.ts';
import type { LabSettings } from '../lab/labSettings.ts';
import { theme } from '../styles/theme.ts';

/** An argument as a POSIX shell word: bare when safe, else single-quoted. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const formatLabels: Record<ExportFormat, string> = {
  json: 'Policy JSON with evidence',
  argo: 'Argo Rollouts YAML',
  flagger: 'Flagger YAML',
};

const flaggerModeLabels: Record<FlaggerMode, string> = {
  progressive: 'progressive (canary steps)',
  shadow: 'shadow (mirrored traffic)',
  ab: 'A/B (header match)',
};

/** What each YAML target holds, and what it cannot express (README, docs/production.md). */
const formatNotes: Record<'argo' | 'flagger', string> = {
  argo:
    "A Rollout whose canary steps walk the policy's stages (setWeight, pause, analysis; a mirror route for shadow) and one AnalysisTemplate per checked stage: " +
    'each ratio rule is a candidate-to-stable Prometheus query. Statistical rules, the shadow agreement gate and the A/B test cannot be written in PromQL: ' +
    'they become web metrics that ask the decision service (rollout-lab serve).',
  flagger:
    'A Canary and its MetricTemplates, each ratio rule a canary-to-primary Prometheus query. A Flagger Canary runs one analysis mode, so choose the phase to export; ' +
    "one interval and, per metric, the strictest limit of that phase's stages apply to every step. Statistical rules become a webhook to the decision service (rollout-lab serve).",
};

/**
 * `<rl-export-view>`: the policy of the Policy lab's current settings, in the format chosen —
 * schema-valid JSON with its validation evidence (simulated in the worker pool), or Argo Rollouts
 * / Flagger YAML with the user's metric names and addresses (the same text as
 * `rollout-lab policy export`) — previewed, to download or copy; and the import of a policy JSON,
 * with every problem listed by path. The format and options live in the URL and are autosaved.
 */
export class ExportView extends LitElement {
  static override styles = [
    theme,
    css`
      pre { background: #f6f7fa; border: 1px solid #e1e5ee; border-radius: 4px; padding: 0.75rem; max-height: 22rem; overflow: auto; font-size: 0.8rem; }
      .buttons { display: flex; gap: 0.6rem; flex-wrap: wrap; margin: 0.75rem 0; }
      textarea { width: 100%; box-sizing: border-box; min-height: 8rem; }
      ul.errors { margin: 0.25rem 0 0; padding-left: 1.25rem; }
      progress { width: 16rem; height: 1rem; }
      .choices { display: flex; gap: 1rem; flex-wrap: wrap; }
      .choices select { min-width: 15rem; }
      pre[data-section='export-yaml'] { max-height: 30rem; }
    `,
  ];

  private readonly form = new ViewStateController<ExportState>(this, 'export', exportSchema);
  private readonly evidence = new TaskController<[LabSettings], PolicyExport>(this, ({ signal, reportProgress }, settings) =>
    buildPolicyExport(settings, browserSimulationRunner, reportProgress, signal),
  );
  /** The policy is the lab's: its autosaved settings, read each time the view opens. */
  private readonly lab = new LabSettingsController(this);
  /** What happened to the last copy to the clipboard. */
  @state() private copied = '';

  override connectedCallback(): void {
    super.connectedCallback();
    // The controllers have just read the lab's settings (super.connectedCallback connects them).
    const settings = this.lab.settings;
    if (settings.ok) void this.evidence.run(settings.value);
  }

  private async upload(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (file) this.form.set({ importText: await file.text() });
    input.value = '';
  }

  private async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.copied = 'Copied to the clipboard.';
    } catch {
      this.copied = 'The browser refused the clipboard: use Download instead.';
    }
  }

  override render() {
    return html`
      <h2>Export and import</h2>
      <p class="lede">
        The policy tuned in the <a href="#/lab">Policy lab</a>, as a JSON document the engine and the CLI accept
        (<code>rollout-lab policy validate</code>), with the evidence of its validation: the scenarios, seed, replicates,
        engine version and the measured rates with their 95% intervals; or as the resources of Argo Rollouts or Flagger,
        with your metric names, ready to apply.
      </p>
      ${this.renderFormat()}
      ${
        !this.lab.settings.ok
          ? html`<p class="error" role="alert" data-section="export">The Policy lab's settings are invalid: ${this.lab.settings.message}</p>`
          : this.form.state.format === 'json'
            ? this.renderExport()
            : this.renderDeployment(this.form.state.format)
      }
      ${this.renderImport()}
    `;
  }

  private renderFormat() {
    const state = this.form.state;
    return html`<fieldset>
      <legend>Format</legend>
      <div class="choices">
        <label>Export as
          <select name="format" @change=${(event: Event) => this.setChoice({ format: (event.target as HTMLSelectElement).value as ExportFormat })}>
            ${exportFormats.map((format) => html`<option value=${format} ?selected=${state.format === format}>${formatLabels[format]}</option>`)}
          </select>
        </label>
        ${
          state.format === 'flagger'
            ? html`<label>Flagger mode
              <select name="flaggerMode" @change=${(event: Event) => this.setChoice({ flaggerMode: (event.target as HTMLSelectElement).value as FlaggerMode })}>
                ${flaggerModes.map((mode) => html`<option value=${mode} ?selected=${state.flaggerMode === mode}>${flaggerModeLabels[mode]}</option>`)}
              </select>
            </label>`
            : null
        }
      </div>
      ${state.format === 'json' ? null : html`<p class="note" data-section="format-note">${formatNotes[state.format]}</p>`}
    </fieldset>`;
  }

  private setChoice(patch: { format?: ExportFormat; flaggerMode?: FlaggerMode }): void {
    this.copied = '';
    this.form.set(patch);
  }

  private renderDeployment(format: 'argo' | 'flagger') {
    const state = this.form.state;
    const options = html`<fieldset>
      <legend>Your cluster (blank: the default shown)</legend>
      <div class="fields">
        ${deploymentOptionFields.map(
          ({ key, label, placeholder }) => html`<label>${label}
            <input name=${key} type="text" spellcheck="false" autocomplete="off" placeholder=${placeholder} .value=${state[key]}
              @input=${(event: Event) => {
                this.copied = '';
                this.form.set({ [key]: (event.target as HTMLInputElement).value });
              }} />
          </label>`,
        )}
      </div>
    </fieldset>`;
    if (!this.lab.policy.ok)
      return html`${options}<p class="error" role="alert" data-section="export-yaml-error">The policy cannot be exported: ${this.lab.policy.message}</p>`;
    const exported = deploymentExport(this.lab.policy.value, format, state.flaggerMode, state);
    const command = ['rollout-lab', ...deploymentExportCommand('policy.json', format, state.flaggerMode, state)].map(shellWord).join(' ');
    if (!exported.ok) {
      return html`${options}<p class="error" role="alert" data-section="export-yaml-error">The ${format === 'argo' ? 'Argo Rollouts' : 'Flagger'} export failed: ${exported.message}</p>`;
    }
    return html`
      ${options}
      <p class="note">The same text as <code data-section="export-command">${command}</code> on the lab's <code>policy.json</code>.</p>
      <div class="buttons">
        <button type="button" class="primary" name="downloadYaml" @click=${() => downloadFile(exported.fileName, exported.text, exported.mimeType)}>Download ${exported.fileName}</button>
        <button type="button" name="copy" @click=${() => this.copy(exported.text)}>Copy</button>
        <span class="note" role="status">${this.copied}</span>
      </div>
      <pre data-section="export-yaml" aria-label="Exported ${format === 'argo' ? 'Argo Rollouts' : 'Flagger'} YAML">${exported.text}</pre>
    `;
  }

  private renderExport() {
    const task = this.evidence;
    if (task.running) {
      return html`<div class="buttons">
        <label>Simulating the evidence <progress max="1" .value=${task.progress} aria-label="Evidence progress"></progress></label>
        <button type="button" name="cancel" @click=${() => task.abort()}>Cancel</button>
      </div>`;
    }
    if (task.status === 'error') return html`<p class="error" role="alert" data-section="export">${(task.error as Error).message}</p>`;
    if (task.status === 'cancelled' || !task.value) {
      return html`<p class="note" data-section="export-cancelled">Cancelled: no evidence yet.
        <button type="button" name="rerun" @click=${() => this.lab.settings.ok && task.run(this.lab.settings.value)}>Simulate again</button></p>`;
    }
    const exported = task.value;
    const policyText = `${JSON.stringify(exported.policy, null, 2)}\n`;
    const bundleText = `${JSON.stringify(exported, null, 2)}\n`;
    const [healthy, regressed] = exported.evidence.results;
    const completed = exported.evidence.results.map((result) => result.replicatesCompleted);
    return html`
      ${
        exported.evidence.complete
          ? null
          : html`<p class="error" role="alert" data-section="export-partial">
            A worker failed: the evidence rests on ${completed.map(formatCount).join(' and ')} of ${formatCount(exported.evidence.replicates)} replicates
            (healthy and regressed candidate). Simulate again before relying on it.
            <button type="button" name="rerun" @click=${() => this.lab.settings.ok && this.evidence.run(this.lab.settings.value)}>Simulate again</button>
          </p>`
      }
      <table aria-label="Validation evidence">
        <caption>Evidence: ${formatCount(exported.evidence.replicates)} replicates per scenario, seed ${exported.evidence.seed}, ${exported.evidence.mode} mode, ${exported.evidence.engineVersion}</caption>
        <tbody>
          <tr data-evidence="falseRollback"><td>False rollbacks (${String(healthy.scenario.name)})</td><td class="number">${formatRate(healthy.falseRollbackRate)}</td></tr>
          <tr data-evidence="missedRegression"><td>Missed regressions (${String(regressed.scenario.name)})</td><td class="number">${formatRate(regressed.missedRegressionRate)}</td></tr>
          <tr><td>Median time to catch the regression</td><td class="number">${regressed.medianDetectionSeconds === null ? '—' : formatHours(regressed.medianDetectionSeconds)}</td></tr>
        </tbody>
      </table>
      <div class="buttons">
        <button type="button" class="primary" name="downloadPolicy" @click=${() => downloadFile('policy.json', policyText)}>Download policy.json</button>
        <button type="button" name="downloadBundle" @click=${() => downloadFile('policy-with-evidence.json', bundleText)}>Download with evidence</button>
        <button type="button" name="copy" @click=${() => this.copy(bundleText)}>Copy</button>
        <span class="note" role="status">${this.copied}</span>
      </div>
      <pre data-section="export-json" aria-label="Exported policy with evidence">${bundleText}</pre>
    `;
  }

  private renderImport() {
    const text = this.form.state.importText;
    const imported = text.trim() === '' ? null : readPolicyImport(text);
    return html`
      <h3>Import a policy</h3>
      <fieldset>
        <legend>Policy JSON (a policy, or an export with evidence)</legend>
        <label>Paste the JSON
          <textarea name="importText" spellcheck="false" .value=${text}
            @input=${(event: Event) => this.form.set({ importText: (event.target as HTMLTextAreaElement).value })}></textarea>
        </label>
        <div class="buttons">
          <label>or upload a file <input name="importFile" type="file" accept=".json,application/json" @change=${(event: Event) => this.upload(event)} /></label>
        </div>
      </fieldset>
      ${
        imported === null
          ? null
          : imported.ok
            ? html`<p class="verdict good" data-section="import">
              <strong>Valid policy${imported.policy.name ? ` '${imported.policy.name}'` : ''}:</strong>
              ${imported.policy.stages.map((stage) => stage.name ?? stage.kind).join(' → ')}.
              ${imported.evidence ? 'It carries validation evidence.' : 'It carries no validation evidence.'}
            </p>`
            : html`<div class="error" role="alert" data-section="import">
              <strong>This policy cannot be used: ${imported.errors.length} problem${imported.errors.length === 1 ? '' : 's'}.</strong>
              <ul class="errors">${imported.errors.map((error) => html`<li>${error}</li>`)}</ul>
            </div>`
      }
    `;
  }
}

customElements.define('rl-export-view', ExportView);

import { css, html, LitElement, type PropertyValues } from 'lit';
import { state } from 'lit/decorators.js';
import { LabSettingsController } from '../controllers/labSettingsController.ts';
import { settle } from '../controllers/settle.ts';
import { TaskController } from '../controllers/taskController.ts';
import '../elements/plotFigure.ts';
import { browserSimulationBatchRunner } from '../../../workers/browserSimulationRunner.ts';
import { labExactInWorker } from '../../../workers/labExactInWorker.ts';
import { rollbackRulesInWorker } from '../../../workers/rollbackRulesInWorker.ts';
import { tuneInWorker } from '../../../workers/tuneInWorker.ts';
import type { RollbackRuleCounts } from '../../sim/firstRollbackRules.ts';
import type { TunedCandidate, TuneResult } from '../../sim/tune.ts';
import { choiceInput, numberInput } from '../elements/formFields.ts';
import { formatCount } from '../format.ts';
import { type LabExactAnswer, runLabExact } from '../lab/labExact.ts';
import { labExactPanel, showsExactAnswer } from '../lab/labExactPanel.ts';
import { importedBanner, importedStageRows, readLabImport, uncarriedKnobs } from '../lab/labImportedPolicy.ts';
import { checkRunSettings, formatHours, formatRate, type LabResult, labVerdict, runLab } from '../lab/labModel.ts';
import { labPolicy, labPolicyProblems, labStageNames } from '../lab/labPolicy.ts';
import { type LabSettings, labKnobs } from '../lab/labSettings.ts';
import { type CanaryRow, formatCanaryRows, type LabState, labKnobFields, labSchema, parseCanaryRows } from '../lab/labState.ts';
import { labStateFromScenario } from '../lab/labStateFromScenario.ts';
import {
  defaultLabTuneForm,
  type LabTuneForm,
  type LabTuneTargets,
  labStateFromTuning,
  labTuneRequest,
  readLabTuneTargets,
  tunePlotPoints,
} from '../lab/labTuning.ts';
import { labScenarioProblems, labScenarios } from '../lab/labWorlds.ts';
import { libraryIds, libraryScenario } from '../playback/scenarioLibrary.ts';
import { detectionTimeBins, detectionTimePlot } from '../plots/detectionTimePlot.ts';
import { operatingCharacteristicPlot } from '../plots/operatingCharacteristicPlot.ts';
import { paretoFrontPlot } from '../plots/paretoFrontPlot.ts';
import { rollbackRuleBars, rollbackRulesPlot } from '../plots/rollbackRulesPlot.ts';
import { type Checked, checked } from '../sizer/sizerModel.ts';
import { initialState } from '../state/viewState.ts';
import { theme } from '../styles/theme.ts';

/**
 * `<rl-policy-lab-view>`: tune the policy's thresholds and guards against a healthy and a
 * regressed candidate. Every change reruns the simulations in the worker pool in the background
 * (the stale run is cancelled); results stream in: the current setting first, then the sweep.
 */
export class PolicyLabView extends LitElement {
  static override styles = [
    theme,
    css`
      .run { display: flex; align-items: center; gap: 0.5rem 1rem; flex-wrap: wrap; margin: 0 0 0.25rem; min-height: 2rem; }
      progress { width: 16rem; height: 1rem; }
      .tune-actions { display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; margin-top: 0.5rem; }
      fieldset fieldset { margin: 0.75rem 0 0; }
      .stages-scroll { overflow-x: auto; }
      table.stages input { width: 100%; min-width: 3.5rem; box-sizing: border-box; }
      table.stages th { font-size: 0.8rem; vertical-align: bottom; }
      table.stages td, table.stages th { padding: 0.2rem 0.4rem; }
      .problems { margin: 0.5rem 0; padding: 0.5rem 0.9rem 0.5rem 2rem; background: #fdf0ee; border: 1px solid #f0c4bd; border-radius: 6px; }
      .problems code { font-weight: 600; margin-right: 0.4rem; }
      .row { display: flex; gap: 0.75rem; align-items: end; flex-wrap: wrap; margin-top: 0.5rem; }
      .imported-banner { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; align-items: center; margin: 0 0 0.5rem; padding: 0.5rem 0.9rem; background: #eef3fd; border: 1px solid #c5d4f3; border-radius: 6px; }
    `,
  ];

  /** The lab's settings, edited here: in the URL (`#/lab?…`) and autosaved. */
  private readonly form = new LabSettingsController(this, { editable: true });
  private readonly simulation = new TaskController<[LabSettings], LabResult>(
    this,
    async ({ signal, reportProgress, reportPartial }, settings) => {
      await settle(300, signal);
      return runLab(settings, browserSimulationBatchRunner, reportPartial, reportProgress, signal);
    },
  );
  /**
   * The exact answer (issue 16), in a Web Worker on every edit: the current setting first, then
   * the curve; a newer edit aborts it (the worker is terminated). The simulation above confirms it.
   */
  private readonly exact = new TaskController<[LabSettings], LabExactAnswer>(this, ({ signal, reportProgress, reportPartial }, settings) =>
    runLabExact(settings, labExactInWorker, reportPartial, { signal, reportProgress }),
  );
  /** "Tune for me": the auto-tuner, its simulations on a pool of Web Workers; cancelling stops them. */
  private readonly tuning = new TaskController<[LabSettings, LabTuneTargets], TuneResult>(
    this,
    ({ signal, reportProgress }, settings, targets) =>
      tuneInWorker(labTuneRequest(settings, targets), {
        signal,
        onProgress: (progress) => reportProgress(progress.replicatesDone / progress.replicatesPlanned),
      }),
  );
  @state() private tuneForm: LabTuneForm = { ...defaultLabTuneForm };
  private tuneTargets: Checked<LabTuneTargets> = checked(() => readLabTuneTargets(defaultLabTuneForm));
  /** The settings of the form, checked in full (policy, scenario and run), or why they cannot run. */
  private settings: Checked<LabSettings> = { ok: false, message: '' };
  /** The form state `settings` was checked from: the runs start again only when the form changes. */
  private checkedState: LabState | undefined;

  /** "Which rule fired": the healthy candidate's rollbacks counted by rule, in a Web Worker. */
  private readonly rollbackRules = new TaskController<[LabSettings], RollbackRuleCounts>(
    this,
    async ({ signal, reportProgress }, settings) => {
      await settle(300, signal);
      return rollbackRulesInWorker(
        { scenario: labScenarios(settings).healthy, policy: labPolicy(settings), seed: settings.seed, replicates: settings.replicates },
        { signal, onProgress: reportProgress },
      );
    },
  );
  private policyProblems: { path: string; message: string }[] = [];
  private stageNames: string[] = [];
  private scenarioProblems: { path: string; message: string }[] = [];
  @state() private libraryChoice = libraryIds()[0];

  override willUpdate(changed: PropertyValues): void {
    if (changed.has('tuneForm')) this.tuneTargets = checked(() => readLabTuneTargets(this.tuneForm));
    const state = this.form.state;
    if (state === this.checkedState) return;
    this.checkedState = state;
    this.policyProblems = [];
    this.scenarioProblems = [];
    const read = this.form.settings;
    this.settings = checked(() => {
      if (!read.ok) throw new RangeError(read.message);
      const settings = read.value;
      // Every problem of the policy and of the scenario, by path, before any run.
      this.policyProblems = labPolicyProblems(settings);
      this.stageNames = labStageNames(settings);
      try {
        this.scenarioProblems = labScenarioProblems(settings);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        this.scenarioProblems = [{ path: 'faults', message: error.message }];
      }
      if (this.policyProblems.length > 0) throw new RangeError('the policy is invalid: see the problems listed under Policy');
      if (this.scenarioProblems.length > 0) throw new RangeError('the scenario is invalid: see the problems listed under Scenario');
      checkRunSettings(settings);
      return settings;
    });
    if (this.settings.ok) {
      void this.exact.run(this.settings.value);
      void this.simulation.run(this.settings.value);
      void this.rollbackRules.run(this.settings.value);
    } else {
      this.exact.abort();
      this.simulation.abort();
      this.rollbackRules.abort();
    }
  }

  private setCanaries(rows: CanaryRow[]): void {
    this.form.set({ canaries: formatCanaryRows(rows) });
  }

  private setCanaryCell(index: number, cell: number) {
    return (value: string) => {
      const rows = parseCanaryRows(this.form.state.canaries);
      rows[index][cell] = value;
      this.setCanaries(rows);
    };
  }

  private addCanary(): void {
    const rows = parseCanaryRows(this.form.state.canaries);
    const last = rows.at(-1);
    const share = last ? Math.min(90, Number(last[0]) * 2 || 50) : 5;
    this.setCanaries([...rows, [String(share), '2h', '4h', '']]);
  }

  private removeCanary(index: number): void {
    this.setCanaries(parseCanaryRows(this.form.state.canaries).filter((_, i) => i !== index));
  }

  /** Puts every policy control back to the framework default (the scenario and run controls stay). */
  private resetPolicy(): void {
    const initial = initialState(labSchema);
    const policyFields: (keyof LabState)[] = [
      'errorRatio',
      'p95Ratio',
      'p50Ratio',
      'timeoutRatio',
      'checkMinutes',
      'minRequests',
      'failureLimit',
      'failureCounting',
      'failureWindow',
      'baselineMode',
      'shadow',
      'canaries',
      'ab',
      'abTraffic',
      'abAlpha',
      'abPower',
      'abEffect',
      'abDesign',
      'full',
      'absError',
      'absP95',
      'absStages',
      'statEffect',
      'statMethod',
      'statStages',
      'imported',
    ];
    this.form.set(Object.fromEntries(policyFields.map((field) => [field, initial[field]])) as Partial<LabState>);
  }

  private startFromLibrary(): void {
    this.form.set(labStateFromScenario(libraryScenario(this.libraryChoice)));
  }

  private setTune(field: keyof LabTuneForm) {
    return (value: string) => {
      this.tuneForm = { ...this.tuneForm, [field]: value };
    };
  }

  private startTuning(): void {
    if (this.settings.ok && this.tuneTargets.ok) void this.tuning.run(this.settings.value, this.tuneTargets.value);
  }

  private useTuned(candidate: TunedCandidate): void {
    this.form.set(labStateFromTuning(candidate.setting));
  }

  private set(field: keyof LabState) {
    return (value: string) => this.form.set({ [field]: value } as Partial<LabState>);
  }

  override render() {
    const state = this.form.state;
    return html`
      <div class="workbench">
        <div class="head">
          <h2>Policy lab</h2>
          <p class="lede">
            Tune the rollout policy (the framework default: baseline 24 h → shadow 24 h → canary 5% → 25% → A/B 50% → full) and
            see how often it rolls back a healthy candidate and how often it lets a regressed one through — computed exactly
            where the evaluator can, and confirmed by Monte-Carlo simulation in Web Workers. Every change reruns in the background.
          </p>
        </div>
        <div class="controls">
          ${this.renderPolicy(state)}
          ${this.renderScenario(state)}
          ${this.renderTuning()}
        </div>
        <aside class="answer" aria-label="What this policy does" data-section="answer">
          ${this.settings.ok ? this.renderRun() : html`<p class="error" role="alert" data-section="lab">${this.settings.message}</p>`}
          ${this.settings.ok && !showsExactAnswer(this.exact) ? this.renderResult(this.settings.value) : null}
          ${this.settings.ok ? this.renderExact(this.settings.value) : null}
          ${this.settings.ok ? this.renderRollbackRules() : null}
        </aside>
      </div>
    `;
  }

  private renderProblems(section: string, problems: readonly { path: string; message: string }[], stageNames: readonly string[] = []) {
    if (problems.length === 0) return null;
    const stageOf = (path: string) => {
      const index = /^stages\[(\d+)\]/.exec(path)?.[1];
      const name = index === undefined ? undefined : stageNames[Number(index)];
      return name ? html` <span class="note">(${name})</span> ` : ' ';
    };
    return html`<ul class="problems" role="alert" data-section=${section}>
      ${problems.map((problem) => html`<li data-path=${problem.path}><code>${problem.path || '(root)'}</code>${stageOf(problem.path)}${problem.message}</li>`)}
    </ul>`;
  }

  private renderPolicy(state: LabState) {
    const rows = parseCanaryRows(state.canaries);
    const onOff = (name: keyof LabState, label: string) =>
      choiceInput(
        name,
        label,
        state[name] as 'on' | 'off',
        [
          { value: 'on', label: 'on' },
          { value: 'off', label: 'off' },
        ],
        this.set(name) as (value: 'on' | 'off') => void,
      );
    const ruleStages = [
      { value: 'canary' as const, label: 'canary stages' },
      { value: 'canary+full' as const, label: 'canary and full stages' },
      { value: 'all' as const, label: 'canary, A/B guardrails and full' },
    ];
    return html`<fieldset data-section="policy">
      <legend>Policy</legend>
      ${
        state.imported.trim() !== ''
          ? this.renderImportedStages(state)
          : html`<fieldset>
        <legend>Stages: baseline 24 h → shadow → canaries → A/B → full → promote</legend>
        <div class="fields">${onOff('shadow', 'Shadow stage (24 h, mirrored traffic)')}</div>
        <div class="stages-scroll"><table class="stages" aria-label="Canary stages">
          <thead><tr><th>Canary</th><th>Traffic share (%)</th><th>Min duration</th><th>Max duration (empty: none)</th><th>Check interval (empty: policy's)</th><th></th></tr></thead>
          <tbody>
            ${rows.map(
              (row, index) => html`<tr data-canary=${index}>
              <td>${index + 1}</td>
              ${row.map((cell, column) => {
                const names = ['traffic', 'min', 'max', 'check'];
                const labels = ['traffic share (%)', 'minimum duration', 'maximum duration', 'check interval'];
                return html`<td><input name=${`canary-${index}-${names[column]}`} aria-label=${`Canary ${index + 1} ${labels[column]}`} type="text" autocomplete="off" spellcheck="false"
                  .value=${cell} @input=${(event: Event) => this.setCanaryCell(index, column)((event.target as HTMLInputElement).value)} /></td>`;
              })}
              <td><button type="button" name=${`remove-canary-${index}`} @click=${() => this.removeCanary(index)}>Remove</button></td>
            </tr>`,
            )}
          </tbody>
        </table></div>
        <div class="row"><button type="button" name="add-canary" @click=${() => this.addCanary()}>Add a canary stage</button>
          <span class="note">Durations like 90s, 30m, 2h, 1h30m.</span></div>
        <div class="fields" style="margin-top:0.75rem">
          ${onOff('ab', 'A/B test stage')}
          ${
            state.ab === 'on'
              ? html`${numberInput('abTraffic', 'A/B traffic share (%)', state.abTraffic, this.set('abTraffic'))}
                ${numberInput('abAlpha', 'A/B significance level α', state.abAlpha, this.set('abAlpha'))}
                ${numberInput('abPower', 'A/B power', state.abPower, this.set('abPower'))}
                ${numberInput('abEffect', 'A/B minimum effect (absolute)', state.abEffect, this.set('abEffect'))}
                ${choiceInput(
                  'abDesign',
                  'A/B design',
                  state.abDesign,
                  [
                    { value: 'fixed', label: 'fixed sample (one look)' },
                    { value: 'groupSequential', label: "group-sequential (5 looks, O'Brien–Fleming)" },
                    { value: 'alwaysValid', label: 'always-valid (look any time)' },
                  ],
                  this.set('abDesign'),
                )}`
              : null
          }
          ${onOff('full', 'Full stage (100%, 1 h)')}
        </div>
      </fieldset>`
      }
      <fieldset>
        <legend>Rules (every canary, A/B guardrail and full stage)</legend>
        ${this.renderUncarriedKnobs(state)}
        <div class="fields">
          ${numberInput('errorRatio', 'Error-rate threshold (× reference)', state.errorRatio, this.set('errorRatio'))}
          ${numberInput('timeoutRatio', 'Timeout-rate threshold (× reference)', state.timeoutRatio, this.set('timeoutRatio'))}
          ${numberInput('p95Ratio', 'p95 latency threshold (× reference)', state.p95Ratio, this.set('p95Ratio'))}
          ${numberInput('p50Ratio', 'p50 latency threshold (× reference)', state.p50Ratio, this.set('p50Ratio'))}
        </div>
        <div class="fields" style="margin-top:0.75rem">
          ${numberInput('absError', 'Absolute error-rate limit (0–1, empty: none)', state.absError, this.set('absError'))}
          ${numberInput('absP95', 'Absolute p95 limit, ms (empty: none)', state.absP95, this.set('absP95'))}
          ${choiceInput('absStages', 'Absolute limits apply to', state.absStages, ruleStages, this.set('absStages'))}
        </div>
        <div class="fields" style="margin-top:0.75rem">
          ${numberInput('statEffect', 'Statistical test on errors: minimum effect (empty: none)', state.statEffect, this.set('statEffect'))}
          ${choiceInput(
            'statMethod',
            'Statistical test: looks corrected by',
            state.statMethod,
            [
              { value: 'alphaSpending', label: 'alpha spending (planned looks)' },
              { value: 'alwaysValid', label: 'always-valid p-value' },
            ],
            this.set('statMethod'),
          )}
          ${choiceInput('statStages', 'Statistical test applies to', state.statStages, ruleStages, this.set('statStages'))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Guards and baseline</legend>
        <div class="fields">
          ${numberInput('checkMinutes', 'Check interval (minutes)', state.checkMinutes, this.set('checkMinutes'))}
          ${numberInput('minRequests', 'Minimum requests per window', state.minRequests, this.set('minRequests'))}
          ${numberInput('failureLimit', 'Failing checks to roll back', state.failureLimit, this.set('failureLimit'))}
          ${choiceInput(
            'failureCounting',
            'Failing checks counted',
            state.failureCounting,
            [
              { value: 'consecutive', label: 'in a row (a pass resets)' },
              { value: 'total', label: 'in total (Argo failureLimit, Flagger threshold)' },
              { value: 'mOfN', label: 'among the last N checks' },
            ],
            this.set('failureCounting'),
          )}
          ${state.failureCounting === 'mOfN' ? numberInput('failureWindow', 'N: the last checks looked at', state.failureWindow, this.set('failureWindow')) : ''}
          ${choiceInput(
            'baselineMode',
            'Baseline',
            state.baselineMode,
            [
              { value: 'historical', label: 'historical (before the rollout)' },
              { value: 'concurrent', label: 'concurrent (control arm)' },
            ],
            this.set('baselineMode'),
          )}
        </div>
      </fieldset>
      <div class="row"><button type="button" name="reset-policy" @click=${() => this.resetPolicy()}>Reset the policy to the framework default</button></div>
      ${this.renderProblems('policy-problems', this.policyProblems, this.stageNames)}
    </fieldset>`;
  }

  /** With an imported base policy, the knobs it has no rule or field for: shown, but they change nothing. */
  private renderUncarriedKnobs(state: LabState) {
    const imported = checked(() => readLabImport(state.imported));
    if (!imported.ok || imported.value === undefined) return null;
    const idle = uncarriedKnobs(imported.value.policy, labKnobs);
    if (idle.length === 0) return null;
    return html`<p class="note" data-section="uncarried-knobs">The imported policy has no rule for the ${idle.map((knob) => labKnobFields[knob].label).join(', ')}: moving ${idle.length === 1 ? 'it changes' : 'them changes'} nothing.</p>`;
  }

  /** The imported base policy (issue 14): a banner naming its files with the way back, and its stages, which the lab does not edit. */
  private renderImportedStages(state: LabState) {
    const imported = checked(() => readLabImport(state.imported));
    const back = html`<button type="button" name="back-to-default" @click=${() => this.resetPolicy()}>Back to the framework default</button>`;
    if (!imported.ok || imported.value === undefined) {
      return html`<div class="imported-banner" data-section="imported-banner"><span class="error" role="alert">${imported.ok ? '' : imported.message}</span>${back}</div>`;
    }
    const rows = importedStageRows(imported.value.policy);
    return html`<fieldset data-section="imported-policy">
      <legend>Stages (imported)</legend>
      <div class="imported-banner" role="status" data-section="imported-banner">
        <strong>${importedBanner(imported.value)}</strong>
        <span class="note">The stages are the import's; the thresholds and guards below apply on top of it.</span>
        ${back}
      </div>
      <div class="stages-scroll"><table class="stages" aria-label="Imported stages" data-section="imported-stages">
        <thead><tr><th>Stage</th><th>Traffic</th><th>Duration</th><th>Check interval</th><th>Rules</th></tr></thead>
        <tbody>${rows.map(
          (row, index) =>
            html`<tr data-stage=${index} data-kind=${row.kind}><td>${row.name}</td><td>${row.traffic}</td><td>${row.duration}</td><td>${row.checkInterval}</td><td>${row.rules.join('; ') || '—'}</td></tr>`,
        )}</tbody>
      </table></div>
    </fieldset>`;
  }

  private renderModel(state: LabState, model: 'control' | 'candidate') {
    const kind = state[`${model}Latency`];
    const title = model === 'control' ? 'Control' : 'Candidate (healthy)';
    return html`<fieldset data-model=${model}>
      <legend>${title}</legend>
      <div class="fields">
        ${choiceInput(
          `${model}Latency`,
          `${title}: latency law`,
          kind,
          [
            { value: 'lognormal', label: 'lognormal (median, p95)' },
            { value: 'gamma', label: 'gamma (shape, mean)' },
            { value: 'exponential', label: 'exponential (mean)' },
          ],
          this.set(`${model}Latency`),
        )}
        ${
          kind === 'lognormal'
            ? html`${numberInput(`${model}Median`, `${title}: median latency (ms)`, state[`${model}Median`], this.set(`${model}Median`))}
              ${numberInput(`${model}P95`, `${title}: p95 latency (ms)`, state[`${model}P95`], this.set(`${model}P95`))}`
            : kind === 'gamma'
              ? html`${numberInput(`${model}Shape`, `${title}: latency shape`, state[`${model}Shape`], this.set(`${model}Shape`))}
                ${numberInput(`${model}Mean`, `${title}: mean latency (ms)`, state[`${model}Mean`], this.set(`${model}Mean`))}`
              : numberInput(`${model}Mean`, `${title}: mean latency (ms)`, state[`${model}Mean`], this.set(`${model}Mean`))
        }
        ${numberInput(`${model}ErrorRate`, `${title}: error rate`, state[`${model}ErrorRate`], this.set(`${model}ErrorRate`))}
        ${numberInput(`${model}Timeout`, `${title}: timeout (ms, empty: none)`, state[`${model}Timeout`], this.set(`${model}Timeout`))}
      </div>
    </fieldset>`;
  }

  private renderScenario(state: LabState) {
    const kind = state.faultKind;
    return html`<fieldset data-section="scenario">
      <legend>Scenario and run</legend>
      <div class="row">
        ${choiceInput(
          'library',
          'Start from a library scenario',
          this.libraryChoice,
          libraryIds().map((id) => ({ value: id, label: id })),
          (value) => {
            this.libraryChoice = value;
          },
        )}
        <button type="button" name="use-library" @click=${() => this.startFromLibrary()}>Use its traffic, models and faults</button>
      </div>
      <fieldset>
        <legend>Traffic</legend>
        <div class="fields">
          ${numberInput('requestsPerSecond', 'Requests per second', state.requestsPerSecond, this.set('requestsPerSecond'))}
          ${numberInput('dailyAmplitude', 'Daily-cycle amplitude (0–1)', state.dailyAmplitude, this.set('dailyAmplitude'))}
          ${numberInput('users', 'Users', state.users, this.set('users'))}
        </div>
      </fieldset>
      ${this.renderModel(state, 'control')}
      ${this.renderModel(state, 'candidate')}
      <fieldset>
        <legend>Regressed world: the candidate's fault</legend>
        <div class="fields">
          ${choiceInput(
            'faultKind',
            'Fault',
            kind,
            [
              { value: 'none', label: 'none' },
              { value: 'start', label: 'worse from the start' },
              { value: 'step', label: 'step at a time' },
              { value: 'ramp', label: 'linear ramp' },
              { value: 'leak', label: 'slow leak (per hour served)' },
              { value: 'bursts', label: 'intermittent bursts' },
            ],
            this.set('faultKind'),
          )}
          ${
            kind === 'none'
              ? null
              : html`${numberInput('regressionFactor', kind === 'leak' ? 'Errors × per hour' : 'Errors ×', state.regressionFactor, this.set('regressionFactor'))}
                ${numberInput('faultLatency', kind === 'leak' ? 'Latency × per hour' : 'Latency ×', state.faultLatency, this.set('faultLatency'))}`
          }
          ${
            kind === 'step' || kind === 'ramp' || kind === 'bursts'
              ? numberInput('faultAt', kind === 'step' ? 'At (time since start)' : 'Starting at', state.faultAt, this.set('faultAt'))
              : null
          }
          ${kind === 'ramp' ? numberInput('faultEnd', 'Full strength at', state.faultEnd, this.set('faultEnd')) : null}
          ${
            kind === 'bursts'
              ? html`${numberInput('faultEvery', 'A burst every', state.faultEvery, this.set('faultEvery'))}
                ${numberInput('faultFor', 'Each burst lasting', state.faultFor, this.set('faultFor'))}`
              : null
          }
        </div>
      </fieldset>
      <fieldset>
        <legend>Shared outage (both models, both worlds)</legend>
        <div class="fields">
          ${numberInput('outageStart', 'Outage at (empty: none)', state.outageStart, this.set('outageStart'))}
          ${
            state.outageStart.trim() === ''
              ? null
              : html`${numberInput('outageFor', 'Outage lasting', state.outageFor, this.set('outageFor'))}
                ${numberInput('outageErrors', 'Outage: errors ×', state.outageErrors, this.set('outageErrors'))}`
          }
        </div>
      </fieldset>
      <fieldset>
        <legend>Run</legend>
        <div class="fields">
          ${numberInput('replicates', 'Replicates per simulation', state.replicates, this.set('replicates'))}
          ${numberInput('seed', 'Seed', state.seed, this.set('seed'))}
        </div>
      </fieldset>
      ${this.renderProblems('scenario-problems', this.scenarioProblems)}
    </fieldset>`;
  }

  private renderRollbackRules() {
    const task = this.rollbackRules;
    if (task.running) {
      // Text, not a second progress bar: the simulation's bar is the lab's one progress bar.
      return html`<p class="note" role="status" data-section="rollback-rules-running">Counting the healthy candidate's rollbacks by rule… ${Math.round(task.progress * 100)}%</p>`;
    }
    if (task.status === 'error')
      return html`<p class="error" role="alert" data-section="rollback-rules-error">${(task.error as Error).message}</p>`;
    const counts = task.value;
    if (task.status !== 'complete' || !counts) return null;
    const bars = rollbackRuleBars(counts);
    return html`<section data-section="rollback-rules">
      <h3>Which rule rolls back the healthy candidate</h3>
      ${
        bars.length === 0
          ? html`<p class="note">No false rollback in ${formatCount(counts.replicates)} rollouts.</p>`
          : html`<table aria-label="False rollbacks by rule">
              <thead><tr><th>Rule that fired first</th><th class="number">Rollouts rolled back</th><th class="number">Share of rollouts</th></tr></thead>
              <tbody>${bars.map((bar) => html`<tr data-rule=${bar.rule}><td>${bar.rule}</td><td class="number">${formatCount(bar.count)} of ${formatCount(counts.replicates)}</td><td class="number">${(bar.share * 100).toFixed(1)}%</td></tr>`)}</tbody>
            </table>
            <div class="charts"><rl-plot .spec=${rollbackRulesPlot(bars)}></rl-plot></div>`
      }
    </section>`;
  }

  private renderTuning() {
    const form = this.tuneForm;
    const task = this.tuning;
    const targets = this.tuneTargets;
    return html`
      <fieldset data-section="tune">
        <legend>Tune for me</legend>
        <p class="note">
          Searches the thresholds, check interval and guards above by simulation (a coordinate search on common random numbers,
          the best candidates confirmed on fresh replicates) for your targets, judged on the 95% Wilson bounds. Detection is timed
          from the moment the regressed candidate first serves users.
        </p>
        <div class="fields">
          ${numberInput('maxFalseRollbackPercent', 'Largest false-rollback rate (%)', form.maxFalseRollbackPercent, this.setTune('maxFalseRollbackPercent'))}
          ${numberInput('minDetectionPercent', 'Regression caught in at least (%)', form.minDetectionPercent, this.setTune('minDetectionPercent'))}
          ${numberInput('withinMinutes', '… within (minutes of first serving)', form.withinMinutes, this.setTune('withinMinutes'))}
          ${numberInput('tuneReplicates', 'Tuning replicates per candidate', form.replicates, this.setTune('replicates'))}
          ${numberInput('tuneCandidates', 'Candidates to try', form.candidates, this.setTune('candidates'))}
        </div>
        <div class="tune-actions">
          ${
            task.running
              ? html`<label>Tuning <progress max="1" .value=${task.progress} aria-label="Tuning progress"></progress></label>
                <button type="button" name="cancel-tune" @click=${() => task.abort()}>Cancel tuning</button>`
              : html`<button type="button" name="tune" ?disabled=${!(this.settings.ok && targets.ok)} @click=${() => this.startTuning()}>Tune for me</button>`
          }
          ${task.status === 'cancelled' ? html`<span class="note" data-section="tune-cancelled">Tuning cancelled.</span>` : null}
        </div>
        ${targets.ok ? null : html`<p class="error" role="alert" data-section="tune-targets">${targets.message}</p>`}
        ${task.status === 'error' ? html`<p class="error" role="alert" data-section="tune-error">${(task.error as Error).message}</p>` : null}
        ${task.status === 'complete' && task.value ? this.renderTuneResult(task.value) : null}
      </fieldset>
    `;
  }

  private renderTuneResult(result: TuneResult) {
    const recommended = result.recommended;
    const within = result.targets.detectWithin / 60;
    const rows = [...result.paretoFront.map((id) => result.candidates[id]), ...result.finalists.filter((finalist) => !finalist.pareto)];
    return html`
      <p class="verdict ${recommended ? 'good' : 'bad'}" role="status" data-section="tune-message">${result.message}</p>
      ${
        recommended
          ? html`<p><button type="button" name="use-tuned" @click=${() => this.useTuned(recommended)}>Use this policy</button>
            <span class="note">Puts ${recommended.label} into the controls above.</span></p>`
          : null
      }
      <div class="charts">
        <rl-plot .spec=${paretoFrontPlot(tunePlotPoints(result), { maxFalseRollbackRate: result.targets.maxFalseRollbackRate, minDetectionRate: result.targets.minDetectionRate, withinMinutes: within })}></rl-plot>
      </div>
      <table aria-label="Tuning candidates">
        <thead><tr><th>Candidate</th><th class="number">False rollbacks</th><th class="number">Caught within ${within} min</th><th>Numbers from</th></tr></thead>
        <tbody>
          ${rows.map((candidate) => {
            const numbers = candidate.confirmation ?? candidate.search;
            return html`<tr data-candidate=${candidate.id} data-recommended=${candidate === recommended ? 'true' : 'false'}>
              <td>${candidate === recommended ? '★ ' : ''}${candidate.label}</td>
              <td class="number">${formatRate(numbers.falseRollbackRate)}</td>
              <td class="number">${formatRate(numbers.detectionRate)}</td>
              <td>${candidate.confirmation ? `confirmation (${numbers.replicates} fresh)${candidate.meetsTargets ? ', meets the targets' : ', misses'}` : `search (${numbers.replicates})`}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    `;
  }

  private renderRun() {
    const task = this.simulation;
    const done = task.value?.simulationsDone ?? 0;
    const total = task.value?.simulations;
    return html`<div class="run">
      ${
        task.running
          ? html`<label>Simulating${total ? ` (${done} of ${total} simulations)` : ''}
              <progress max="1" .value=${task.progress} aria-label="Simulation progress"></progress></label>
            <button type="button" name="cancel" @click=${() => {
              task.abort();
              this.rollbackRules.abort();
            }}>Cancel</button>`
          : task.status === 'error'
            ? html`<p class="error" role="alert" data-section="lab-run">${(task.error as Error).message}</p>`
            : task.status === 'cancelled'
              ? html`<span class="note" data-section="cancelled">Cancelled${task.value ? `: showing the ${done} simulations that finished` : ''}.</span>
                <button type="button" name="rerun" @click=${() => {
                  if (!this.settings.ok) return;
                  void task.run(this.settings.value);
                  void this.rollbackRules.run(this.settings.value);
                }}>Run again</button>`
              : task.value
                ? html`<span class="note" role="status" data-section="done">Done: ${task.value.simulations} simulations of ${formatCount(this.settings.ok ? this.settings.value.replicates : 0)} replicates each.</span>`
                : null
      }
    </div>`;
  }

  /** The exact answer with its Monte-Carlo confirmation, or the features that need simulation (`labExactPanel`). */
  private renderExact(settings: LabSettings) {
    return labExactPanel(
      this.exact,
      { running: this.simulation.running, current: this.simulation.value?.current, replicates: settings.replicates },
      settings,
    );
  }

  private renderResult(settings: LabSettings) {
    const result = this.simulation.value;
    const current = result?.current;
    if (!result || !current) return null;
    const verdict = labVerdict(current, settings);
    const points = result.sweep.map((point) => ({
      errorRatio: point.errorRatio,
      current: point.current,
      falseRollbackRate: point.healthy.falseRollbackRate.rate ?? 0,
      missedRegressionRate: point.regressed.missedRegressionRate.rate ?? 0,
    }));
    return html`
      <p class="verdict ${verdict.tone}" data-section="verdict">${verdict.text}</p>
      ${result.partial ? html`<p class="error" role="alert">A worker failed: some rates rest on fewer replicates than asked.</p>` : null}
      <table aria-label="Current setting">
        <thead><tr><th>Current setting (${current.errorRatio}×)</th><th class="number">Rate, 95% Wilson interval</th></tr></thead>
        <tbody>
          <tr data-rate="falseRollback"><td>False rollbacks: healthy candidate rolled back</td><td class="number">${formatRate(current.healthy.falseRollbackRate)}</td></tr>
          <tr data-rate="missedRegression"><td>Missed regressions: bad candidate promoted</td><td class="number">${formatRate(current.regressed.missedRegressionRate)}</td></tr>
          <tr><td>Median time to catch the regression</td><td class="number">${current.regressed.detectionTime.median === null ? '—' : formatHours(current.regressed.detectionTime.median)}</td></tr>
          <tr data-rate="exposure"><td>Served by the bad candidate (mean per rollout)</td><td class="number">${formatCount(Math.round(current.regressed.exposure.usersServedWhileWorse))} users,
            ${formatCount(Math.round(current.regressed.exposure.requestsServedWhileWorse))} requests</td></tr>
        </tbody>
      </table>
      <div class="charts">
        <rl-plot .spec=${operatingCharacteristicPlot(points)}></rl-plot>
        <rl-plot .spec=${detectionTimePlot(detectionTimeBins(current.regressed.detectionTime.histogram))}></rl-plot>
      </div>
    `;
  }
}

customElements.define('rl-policy-lab-view', PolicyLabView);

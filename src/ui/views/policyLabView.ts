import { LitElement, css, html } from 'lit';
import { TaskController } from '../controllers/taskController.ts';
import { ViewStateController } from '../controllers/viewStateController.ts';
import '../elements/plotFigure.ts';
import { choiceInput, numberInput } from '../elements/formFields.ts';
import { formatCount } from '../format.ts';
import { browserSimulationRunner } from '../lab/browserSimulationRunner.ts';
import {
  checkRunSettings,
  formatHours,
  formatRate,
  labPolicy,
  labScenarios,
  labVerdict,
  runLab,
  type LabResult,
  type LabSettings,
} from '../lab/labModel.ts';
import { labSchema, readLabSettings, type LabState } from '../lab/labState.ts';
import {
  defaultLabTuneForm,
  labStateFromTuning,
  labTuneRequest,
  readLabTuneTargets,
  tunePlotPoints,
  type LabTuneForm,
  type LabTuneTargets,
} from '../lab/labTuning.ts';
import { paretoFrontPlot } from '../plots/paretoFrontPlot.ts';
import type { TuneResult, TunedCandidate } from '../../sim/tune.ts';
import { tuneInWorker } from '../../../workers/tuneInWorker.ts';
import { detectionTimeBins, detectionTimePlot } from '../plots/detectionTimePlot.ts';
import { operatingCharacteristicPlot } from '../plots/operatingCharacteristicPlot.ts';
import { checked, type Checked } from '../sizer/sizerModel.ts';
import { theme } from '../styles/theme.ts';

/** Waits `ms`, or rejects at once when `signal` aborts (so a rerun replaces a pending one). */
function settle(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('superseded', 'AbortError'));
    }, { once: true });
  });
}

/**
 * `<rl-policy-lab-view>`: tune the policy's thresholds and guards against a healthy and a
 * regressed candidate. Every change reruns the simulations in the worker pool in the background
 * (the stale run is cancelled); results stream in: the current setting first, then the sweep.
 */
export class PolicyLabView extends LitElement {
  static override styles = [
    theme,
    css`
      .run { display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; margin: 0.5rem 0 0.75rem; min-height: 2.2rem; }
      progress { width: 16rem; height: 1rem; }
      .tune-actions { display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; margin-top: 0.5rem; }
    `,
  ];

  private readonly form = new ViewStateController<LabState>(this, 'lab', labSchema);
  private readonly simulation = new TaskController<[LabSettings], LabResult>(this, async ({ signal, reportProgress, reportPartial }, settings) => {
    await settle(300, signal);
    return runLab(settings, browserSimulationRunner, reportPartial, reportProgress, signal);
  });
  /** "Tune for me": the auto-tuner in a dedicated Web Worker; cancelling terminates it. */
  private readonly tuning = new TaskController<[LabSettings, LabTuneTargets], TuneResult>(this, ({ signal, reportProgress }, settings, targets) =>
    tuneInWorker(labTuneRequest(settings, targets), {
      signal,
      onProgress: (progress) => reportProgress(progress.replicatesDone / progress.replicatesPlanned),
    }),
  );
  private tuneForm: LabTuneForm = { ...defaultLabTuneForm };
  private tuneTargets: Checked<LabTuneTargets> = checked(() => readLabTuneTargets(defaultLabTuneForm));
  private settings: Checked<LabSettings> = { ok: false, message: '' };
  private settingsKey = '';

  override willUpdate(): void {
    this.settings = checked(() => {
      const settings = readLabSettings(this.form.state);
      // Build everything once here, so that a bad value is explained at once, before any run.
      checkRunSettings(settings);
      labPolicy(settings);
      labScenarios(settings);
      return settings;
    });
    const key = this.settings.ok ? JSON.stringify(this.settings.value) : '';
    if (key !== this.settingsKey) {
      this.settingsKey = key;
      if (this.settings.ok) void this.simulation.run(this.settings.value);
      else this.simulation.abort();
    }
  }

  private setTune(field: keyof LabTuneForm) {
    return (value: string) => {
      this.tuneForm = { ...this.tuneForm, [field]: value };
      this.tuneTargets = checked(() => readLabTuneTargets(this.tuneForm));
      this.requestUpdate();
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
      <h2>Policy lab</h2>
      <p class="lede">
        Tune the rollout policy (the framework default: baseline 24 h → shadow 24 h → canary 5% → 25% → A/B 50% → full) and
        see, by Monte-Carlo simulation in Web Workers, how often it rolls back a healthy candidate and how often it lets a
        regressed one through. Every change reruns in the background.
      </p>
      <fieldset>
        <legend>Policy</legend>
        <div class="fields">
          ${numberInput('errorRatio', 'Error-rate threshold (× reference)', state.errorRatio, this.set('errorRatio'))}
          ${numberInput('timeoutRatio', 'Timeout-rate threshold (× reference)', state.timeoutRatio, this.set('timeoutRatio'))}
          ${numberInput('p95Ratio', 'p95 latency threshold (× reference)', state.p95Ratio, this.set('p95Ratio'))}
          ${numberInput('p50Ratio', 'p50 latency threshold (× reference)', state.p50Ratio, this.set('p50Ratio'))}
          ${numberInput('checkMinutes', 'Check interval (minutes)', state.checkMinutes, this.set('checkMinutes'))}
          ${numberInput('minRequests', 'Minimum requests per window', state.minRequests, this.set('minRequests'))}
          ${numberInput('failureLimit', 'Failing checks in a row to roll back', state.failureLimit, this.set('failureLimit'))}
          ${numberInput('canaryHours', 'First canary (5%) duration, hours', state.canaryHours, this.set('canaryHours'))}
          ${choiceInput('baselineMode', 'Baseline', state.baselineMode, [
            { value: 'historical', label: 'historical (before the rollout)' },
            { value: 'concurrent', label: 'concurrent (control arm)' },
          ], this.set('baselineMode'))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Scenario and run</legend>
        <div class="fields">
          ${numberInput('requestsPerSecond', 'Requests per second', state.requestsPerSecond, this.set('requestsPerSecond'))}
          ${numberInput('controlErrorRate', 'Control error rate', state.controlErrorRate, this.set('controlErrorRate'))}
          ${numberInput('regressionFactor', 'Regressed candidate: errors ×', state.regressionFactor, this.set('regressionFactor'))}
          ${numberInput('replicates', 'Replicates per simulation', state.replicates, this.set('replicates'))}
          ${numberInput('seed', 'Seed', state.seed, this.set('seed'))}
        </div>
      </fieldset>
      ${this.settings.ok ? this.renderRun() : html`<p class="error" role="alert" data-section="lab">${this.settings.message}</p>`}
      ${this.settings.ok ? this.renderResult(this.settings.value) : null}
      ${this.renderTuning()}
    `;
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
          ${task.running
            ? html`<label>Tuning <progress max="1" .value=${task.progress} aria-label="Tuning progress"></progress></label>
                <button type="button" name="cancel-tune" @click=${() => task.abort()}>Cancel tuning</button>`
            : html`<button type="button" name="tune" ?disabled=${!(this.settings.ok && targets.ok)} @click=${() => this.startTuning()}>Tune for me</button>`}
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
      ${recommended
        ? html`<p><button type="button" name="use-tuned" @click=${() => this.useTuned(recommended)}>Use this policy</button>
            <span class="note">Puts ${recommended.label} into the controls above.</span></p>`
        : null}
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
      ${task.running
        ? html`<label>Simulating${total ? ` (${done} of ${total} simulations)` : ''}
              <progress max="1" .value=${task.progress} aria-label="Simulation progress"></progress></label>
            <button type="button" name="cancel" @click=${() => task.abort()}>Cancel</button>`
        : task.status === 'error'
          ? html`<p class="error" role="alert" data-section="lab-run">${(task.error as Error).message}</p>`
          : task.status === 'cancelled'
            ? html`<span class="note" data-section="cancelled">Cancelled${task.value ? `: showing the ${done} simulations that finished` : ''}.</span>
                <button type="button" name="rerun" @click=${() => this.settings.ok && task.run(this.settings.value)}>Run again</button>`
            : task.value
              ? html`<span class="note" role="status" data-section="done">Done: ${task.value.simulations} simulations of ${formatCount(this.settings.ok ? this.settings.value.replicates : 0)} replicates each.</span>`
              : null}
    </div>`;
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
          <tr><td>Users served by the bad candidate (mean per rollout)</td><td class="number">${formatCount(Math.round(current.regressed.exposure.usersServedWhileWorse))}</td></tr>
          <tr><td>Requests served by the bad candidate (mean per rollout)</td><td class="number">${formatCount(Math.round(current.regressed.exposure.requestsServedWhileWorse))}</td></tr>
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

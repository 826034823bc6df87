import type { PlotOptions } from '@observablehq/plot';
import { css, html, LitElement } from 'lit';
import type { SampleRatioMismatchResult } from '../../engine/stats/sampleRatioMismatch.ts';
import { TaskController } from '../controllers/taskController.ts';
import { ViewStateController } from '../controllers/viewStateController.ts';
import '../elements/plotFigure.ts';
import { type PeekingRequest, peekingCostInWorker } from '../../../workers/peekingCostInWorker.ts';
import { simulatePeekingInWorkers } from '../../../workers/peekingSimulationInWorkers.ts';
import { type PeekingPoint, peekingDesignNames } from '../../engine/stats/peekingCost.ts';
import type { PeekingSimulationRequest, PeekingSimulationState } from '../../sim/peekingSimulation.ts';
import { choiceInput, numberInput } from '../elements/formFields.ts';
import { formatCount, formatPercent, formatPoints, formatPValue } from '../format.ts';
import { peekingCostPlot } from '../plots/peekingCostPlot.ts';
import { powerCurvePlot } from '../plots/powerCurvePlot.ts';
import { simulatedPeekingPoints } from '../sizer/peekingSimulation.ts';
import {
  type Checked,
  checked,
  checkSampleRatio,
  powerAgainstDuration,
  powerAgainstEffect,
  type Sizing,
  sizeABTest,
} from '../sizer/sizerModel.ts';
import { readPeekingInputs, readSizerInputs, readSrmInputs, type SizerState, sizerSchema } from '../sizer/sizerState.ts';
import { sameRecord } from '../state/sameRecord.ts';
import { theme } from '../styles/theme.ts';

/** Seeded A/A replicates of the peeking Monte-Carlo (standard error ≤ 1.1 points at any rate). */
const peekingReplicates = 2000;

/**
 * `<rl-sizer-view>`: the A/B test sizer — sample size and duration by both methods, power
 * curves, the cost of peeking (computed in a Web Worker) and a sample-ratio-mismatch check.
 * State lives in `#/sizer?…` and is autosaved.
 */
export class SizerView extends LitElement {
  static override styles = [
    theme,
    css`
      .summary { font-size: 1.05rem; margin: 0.75rem 0; }
      progress { width: 12rem; }
    `,
  ];

  private readonly form = new ViewStateController<SizerState>(this, 'sizer', sizerSchema);
  private readonly peeking = new TaskController<[PeekingRequest], PeekingPoint[]>(this, ({ signal }, request) =>
    peekingCostInWorker(request, signal),
  );
  private readonly peekingSimulation = new TaskController<[PeekingSimulationRequest], PeekingSimulationState | null>(
    this,
    ({ signal, reportProgress }, request) => simulatePeekingInWorkers(request, peekingReplicates, reportProgress, signal),
  );
  /** The form state the figures below were derived from. */
  private derivedFrom: SizerState | undefined;
  /** The inputs of the Monte-Carlo check last started (undefined: none). */
  private simulationRun: PeekingSimulationRequest | undefined;
  private sizing: Checked<Sizing> = { ok: false, message: '' };
  private powerPlots: PlotOptions[] = [];
  private srm: Checked<SampleRatioMismatchResult> = { ok: false, message: '' };
  private peekingInputs: Checked<PeekingRequest> = { ok: false, message: '' };
  /** The inputs of the peeking computation last started (undefined: none). */
  private peekingRun: PeekingRequest | undefined;

  override willUpdate(): void {
    // Everything here follows the form: derive it again only when the form changed (not on every
    // progress report of the two running tasks).
    const state = this.form.state;
    if (state === this.derivedFrom) return;
    this.derivedFrom = state;
    this.sizing = checked(() => sizeABTest(readSizerInputs(state)));
    this.powerPlots = [];
    if (this.sizing.ok) {
      const inputs = readSizerInputs(state);
      const sizing = this.sizing.value;
      this.powerPlots = [
        powerCurvePlot(powerAgainstEffect(inputs, sizing), {
          title: 'Power against the true effect',
          xLabel: 'True effect (candidate − control, rate points)',
          xTickFormat: '+.1%',
          targetPower: inputs.power,
          planned: sizing.absoluteEffect,
        }),
        powerCurvePlot(powerAgainstDuration(inputs, sizing), {
          title: 'Power against the duration of the test',
          xLabel: 'Days of traffic',
          xTickFormat: 'd',
          targetPower: inputs.power,
          planned: Math.max(...sizing.methods.map((m) => m.days)),
        }),
      ];
    }
    this.srm = checked(() => {
      const { control, candidate, split } = readSrmInputs(state);
      return checkSampleRatio(control, candidate, split);
    });
    this.peekingInputs = checked(() => {
      const request = readPeekingInputs(state);
      // Checked here too, so that a bad value is reported at once rather than by the worker.
      if (!(request.alpha > 0 && request.alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${request.alpha}`);
      if (!(Number.isInteger(request.maxLooks) && request.maxLooks >= 1 && request.maxLooks <= 20)) {
        throw new RangeError(`number of looks must be a whole number from 1 to 20, got ${request.maxLooks}`);
      }
      return request;
    });
    const peeking = this.peekingInputs.ok ? this.peekingInputs.value : undefined;
    if (!sameRecord(peeking, this.peekingRun)) {
      this.peekingRun = peeking;
      if (peeking) void this.peeking.run(peeking);
      else this.peeking.abort();
    }
    // The Monte-Carlo check: A/A tests at the baseline rate with the planned sample per arm.
    const simulation: PeekingSimulationRequest | undefined =
      this.peekingInputs.ok && this.sizing.ok
        ? {
            ...this.peekingInputs.value,
            rate: readSizerInputs(state).baseline,
            usersPerArm: Math.max(this.sizing.value.methods[0].nControl, 10 * this.peekingInputs.value.maxLooks),
            seed: 1,
          }
        : undefined;
    if (!sameRecord(simulation, this.simulationRun)) {
      this.simulationRun = simulation;
      if (simulation) void this.peekingSimulation.run(simulation);
      else this.peekingSimulation.abort();
    }
  }

  private set(field: keyof SizerState) {
    return (value: string) => this.form.set({ [field]: value } as Partial<SizerState>);
  }

  override render() {
    const state = this.form.state;
    return html`<div class="workbench">
      <div class="head">
        <h2>A/B test sizer</h2>
        <p class="lede">
          How many users each arm needs to detect the smallest change worth shipping, how many days of traffic that takes,
          what looking at the results early costs, and whether the traffic really split as planned.
        </p>
      </div>
      <div class="controls">
      <fieldset>
        <legend>Test design</legend>
        <div class="fields">
          ${numberInput('baseline', 'Control success rate', state.baseline, this.set('baseline'))}
          ${numberInput('effect', 'Minimum detectable effect', state.effect, this.set('effect'), {
            hint: state.effectKind === 'absolute' ? 'rate points, e.g. 0.02 = +2 points' : 'fraction of the baseline, e.g. 0.1 = +10%',
          })}
          ${choiceInput(
            'effectKind',
            'Effect is',
            state.effectKind,
            [
              { value: 'absolute', label: 'absolute (rate points)' },
              { value: 'relative', label: 'relative (lift)' },
            ],
            this.set('effectKind'),
          )}
          ${numberInput('alpha', 'Significance level α', state.alpha, this.set('alpha'))}
          ${numberInput('power', 'Power', state.power, this.set('power'))}
          ${choiceInput(
            'sides',
            'Test',
            state.sides,
            [
              { value: '2', label: 'two-sided' },
              { value: '1', label: 'one-sided' },
            ],
            this.set('sides'),
          )}
          ${numberInput('split', 'Share of traffic to the candidate', state.split, this.set('split'))}
          ${numberInput('trafficPerDay', 'Users per day (both arms)', state.trafficPerDay, this.set('trafficPerDay'))}
        </div>
      </fieldset>
      ${this.renderPeekingControls()}
      ${this.renderSrmControls()}
      </div>
      <div class="answer" data-section="answer">
        ${this.renderSizing()}
        ${this.renderPeeking()}
        ${this.renderSrm()}
      </div>
    </div>`;
  }

  private renderSizing() {
    if (!this.sizing.ok) return html`<p class="error" role="alert" data-section="sizing">${this.sizing.message}</p>`;
    const sizing = this.sizing.value;
    const baseline = Number(this.form.state.baseline);
    const [pooled, arcsine] = sizing.methods;
    return html`
      <p class="summary">
        To detect ${formatPercent(baseline)} → ${formatPercent(sizing.target, 2)}
        (${formatPoints(sizing.absoluteEffect, 2)}, ${formatPercent(sizing.relativeEffect)} relative), you need
        <strong>${formatCount(pooled.nTotal)}</strong> users: <strong>${formatCount(pooled.days)} days</strong> of traffic
        (pooled-variance method; the arcsine method says ${formatCount(arcsine.nTotal)}, ${formatCount(arcsine.days)} days).
      </p>
      <table aria-label="Sample size per arm">
        <thead>
          <tr><th>Method</th><th class="number">Control</th><th class="number">Candidate</th><th class="number">Total</th><th class="number">Days</th></tr>
        </thead>
        <tbody>
          ${sizing.methods.map(
            (m) => html`<tr data-method=${m.method}>
              <td>${m.label}</td>
              <td class="number" data-field="control">${formatCount(m.nControl)}</td>
              <td class="number" data-field="candidate">${formatCount(m.nCandidate)}</td>
              <td class="number" data-field="total">${formatCount(m.nTotal)}</td>
              <td class="number" data-field="days">${formatCount(m.days)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <h3>Power curves</h3>
      <p class="note">Each method at its own planned sample size. Dashed lines: the target power and the planned effect or duration.</p>
      <div class="charts">${this.powerPlots.map((spec) => html`<rl-plot .spec=${spec}></rl-plot>`)}</div>
    `;
  }

  private renderPeekingControls() {
    const state = this.form.state;
    return html`<fieldset>
      <legend>Looks at the data</legend>
      <div class="fields">
        ${numberInput('looks', 'Number of looks (1–20)', state.looks, this.set('looks'))}
        ${choiceInput(
          'spending',
          'Group-sequential spending',
          state.spending,
          [
            { value: 'obrienFleming', label: "O'Brien–Fleming" },
            { value: 'pocock', label: 'Pocock' },
          ],
          this.set('spending'),
        )}
      </div>
    </fieldset>`;
  }

  private renderPeeking() {
    const points = this.peeking.value;
    let verdict = null;
    if (points && this.peekingInputs.ok && this.peeking.status === 'complete') {
      const { alpha, maxLooks, spending } = this.peekingInputs.value;
      const naive = points.find((p) => p.looks === maxLooks && p.design === peekingDesignNames.naive);
      const sequential = points.find((p) => p.looks === maxLooks && p.design === peekingDesignNames[spending]);
      if (naive && sequential) {
        verdict = html`<p class="verdict warn" data-section="peeking-verdict">
          Checking an A/A test ${maxLooks} times and stopping at the first p &lt; ${alpha} declares a false winner
          <strong>${formatPercent(naive.falsePositiveRate)}</strong> of the time, not ${formatPercent(alpha)}.
          The group-sequential design keeps it at ${formatPercent(sequential.falsePositiveRate)}.
        </p>`;
      }
    }
    return html`
      <h3>The cost of peeking</h3>
      ${
        !this.peekingInputs.ok
          ? html`<p class="error" role="alert" data-section="peeking">${this.peekingInputs.message}</p>`
          : this.peeking.status === 'error'
            ? html`<p class="error" role="alert" data-section="peeking">${String((this.peeking.error as Error)?.message ?? this.peeking.error)}</p>`
            : null
      }
      ${this.peeking.running ? html`<p class="note" role="status">Computing in a Web Worker…</p>` : null}
      ${verdict}
      ${this.renderPeekingSimulation()}
      ${
        points && this.peekingInputs.ok
          ? html`<rl-plot .spec=${peekingCostPlot([...points, ...this.simulatedPoints()], this.peekingInputs.value.alpha)}></rl-plot>`
          : null
      }
    `;
  }

  /** The Monte-Carlo points, once the simulation for the current inputs is complete. */
  private simulatedPoints(): PeekingPoint[] {
    const state = this.peekingSimulation.value;
    if (this.peekingSimulation.status !== 'complete' || !state || !this.peekingInputs.ok) return [];
    return simulatedPeekingPoints(state, this.peekingInputs.value.spending);
  }

  private renderPeekingSimulation() {
    const task = this.peekingSimulation;
    if (task.running) {
      return html`<p class="note">
        <label>Monte-Carlo check in Web Workers (${formatCount(peekingReplicates)} seeded A/A tests)
          <progress max="1" .value=${task.progress} aria-label="Monte-Carlo progress"></progress></label>
        <button type="button" name="cancelSimulation" @click=${() => task.abort()}>Cancel</button>
      </p>`;
    }
    if (task.status === 'error')
      return html`<p class="error" role="alert" data-section="peeking-simulation">${(task.error as Error).message}</p>`;
    const points = this.simulatedPoints();
    if (points.length === 0 || !this.peekingInputs.ok) return null;
    const { maxLooks, spending } = this.peekingInputs.value;
    const naive = points.find((p) => p.looks === maxLooks && p.design === peekingDesignNames.naive)!;
    const sequential = points.find((p) => p.looks === maxLooks && p.design === peekingDesignNames[spending])!;
    const interval = (p: PeekingPoint) =>
      `${formatPercent(p.falsePositiveRate)} [${formatPercent(p.lower ?? 0)}, ${formatPercent(p.upper ?? 0)}]`;
    return html`<p class="note" data-section="peeking-simulation">
      Monte-Carlo check (${formatCount(peekingReplicates)} seeded A/A tests with the engine's z-test, ${formatCount(this.sizing.ok ? Math.max(this.sizing.value.methods[0].nControl, 10 * maxLooks) : 0)}
      users per arm): naive ${interval(naive)}, group-sequential ${interval(sequential)} at ${maxLooks} looks.
    </p>`;
  }

  private renderSrmControls() {
    const state = this.form.state;
    return html`<fieldset>
      <legend>Sample-ratio mismatch: users observed in each arm</legend>
      <div class="fields">
        ${numberInput('srmControl', 'Users in control', state.srmControl, this.set('srmControl'))}
        ${numberInput('srmCandidate', 'Users in candidate', state.srmCandidate, this.set('srmCandidate'))}
      </div>
    </fieldset>`;
  }

  private renderSrm() {
    const state = this.form.state;
    const srm = this.srm;
    return html`
      <h3>Sample-ratio mismatch check</h3>
      ${
        srm.ok
          ? html`<p class="verdict ${srm.value.mismatch ? 'bad' : 'good'}" data-section="srm">
            ${
              srm.value.mismatch
                ? html`<strong>Sample-ratio mismatch</strong> (χ² = ${srm.value.chiSquare.toFixed(2)}, p = ${formatPValue(srm.value.pValue)} &lt; ${srm.value.threshold}):
                  the split is not the planned ${formatPercent(1 - Number(state.split), 0)} / ${formatPercent(Number(state.split), 0)}. Find the cause
                  (assignment, redirects, logging) before trusting any comparison.`
                : html`<strong>No mismatch</strong> (χ² = ${srm.value.chiSquare.toFixed(2)}, p = ${formatPValue(srm.value.pValue)} ≥ ${srm.value.threshold}):
                  the counts are consistent with the planned split.`
            }
          </p>`
          : html`<p class="error" role="alert" data-section="srm">${srm.message}</p>`
      }
    `;
  }
}

customElements.define('rl-sizer-view', SizerView);

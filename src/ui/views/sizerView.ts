import type { PlotOptions } from '@observablehq/plot';
import { css, html, LitElement } from 'lit';
import type { SampleRatioMismatchResult } from '../../engine/stats/sampleRatioMismatch.ts';
import { TaskController } from '../controllers/taskController.ts';
import { ViewStateController } from '../controllers/viewStateController.ts';
import '../elements/plotFigure.ts';
import { type PeekingRequest, peekingCostInWorker } from '../../../workers/peekingCostInWorker.ts';
import { simulatePeekingInWorkers } from '../../../workers/peekingSimulationInWorkers.ts';
import { type PeekingPoint, peekingDesignNames } from '../../engine/stats/peekingCost.ts';
import { formatNumber } from '../../engine/text/format.ts';
import type { PeekingSimulationRequest, PeekingSimulationState } from '../../sim/peekingSimulation.ts';
import { choiceInput, numberInput } from '../elements/formFields.ts';
import { formatCount, formatPercent, formatPoints, formatPValue } from '../format.ts';
import { peekingCostPlot } from '../plots/peekingCostPlot.ts';
import { powerCurvePlot } from '../plots/powerCurvePlot.ts';
import { userAccrualPlot } from '../plots/userAccrualPlot.ts';
import {
  accrualCurve,
  type ExperimentSizerInputs,
  type ExperimentSizing,
  formatGuardrailRows,
  type GuardrailRow,
  metricPowerAgainstDays,
  metricPowerAgainstUsers,
  newGuardrailRow,
  parseGuardrailRows,
  readExperimentInputs,
  sizeExperiment,
} from '../sizer/experimentSizer.ts';
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
      .guardrail { border-top: 1px solid #e3e7ef; padding-top: 0.5rem; margin-top: 0.5rem; }
      .guardrail .fields { align-items: end; }
      code.command { display: block; white-space: pre-wrap; word-break: break-all; font-size: 0.8rem; background: #f3f5f9; padding: 0.5rem; border-radius: 4px; }
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
  /** The experiment design (metrics, guardrails, arms, accrual) and its charts. */
  private experiment: Checked<{ inputs: ExperimentSizerInputs; sizing: ExperimentSizing }> = { ok: false, message: '' };
  private experimentPlots: PlotOptions[] = [];
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
    this.deriveExperiment(state);
    this.sizing =
      state.metricKind === 'proportion'
        ? checked(() => sizeABTest(readSizerInputs(state)))
        : { ok: false, message: 'the two rate methods apply to a proportion' };
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

  /** The experiment design's numbers and charts, from the form. */
  private deriveExperiment(state: SizerState): void {
    this.experiment = checked(() => {
      const inputs = readExperimentInputs(state);
      return { inputs, sizing: sizeExperiment(inputs) };
    });
    this.experimentPlots = [];
    if (!this.experiment.ok) return;
    const { inputs, sizing } = this.experiment.value;
    const days = sizing.accrual ? sizing.accrualDays : sizing.linearDays;
    this.experimentPlots = [
      powerCurvePlot(metricPowerAgainstUsers(inputs, sizing), {
        title: 'Power of each metric against the users in the test',
        xLabel: 'Users in the test (all arms)',
        xTickFormat: '~s',
        targetPower: sizing.design.metrics[0].power,
        planned: sizing.design.nTotal,
      }),
      powerCurvePlot(metricPowerAgainstDays(inputs, sizing), {
        title: 'Power of each metric against the days of the test',
        xLabel: sizing.accrual ? 'Days (distinct users with returning users)' : 'Days (every user new)',
        xTickFormat: 'd',
        targetPower: sizing.design.metrics[0].power,
        planned: days ?? sizing.linearDays,
      }),
      userAccrualPlot(accrualCurve(inputs, sizing), { requiredUsers: sizing.design.nTotal, days }),
    ];
  }

  private guardrailRows(): GuardrailRow[] {
    return parseGuardrailRows(this.form.state.guardrails);
  }

  private setGuardrails(rows: GuardrailRow[]): void {
    this.form.set({ guardrails: formatGuardrailRows(rows) });
  }

  /** Edits one guardrail; the separators of the stored syntax are kept out of typed values. */
  private editGuardrail(index: number, field: keyof GuardrailRow) {
    return (value: string) => {
      const rows = this.guardrailRows();
      const clean = value.replace(/[:;%]/g, '');
      const patch: Partial<GuardrailRow> =
        field === 'relative'
          ? { relative: value === 'relative' }
          : field === 'lowerIsBetter'
            ? { lowerIsBetter: value === 'lower' }
            : { [field]: clean };
      rows[index] = { ...rows[index], ...patch };
      this.setGuardrails(rows);
    };
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
          How many users each arm needs to detect the smallest change worth shipping — for a rate, a mean or a ratio, with
          guardrails, CUPED and several arms — how many days of traffic that takes when users come back,
          what looking at the results early costs, and whether the traffic really split as planned.
        </p>
      </div>
      <div class="controls">
      ${this.renderMetricControls()}
      <fieldset>
        <legend>Test design</legend>
        <div class="fields">
          ${
            state.metricKind === 'ratio'
              ? null
              : numberInput(
                  'baseline',
                  state.metricKind === 'proportion' ? 'Control success rate' : 'Control mean',
                  state.baseline,
                  this.set('baseline'),
                )
          }
          ${numberInput('effect', 'Minimum detectable effect', state.effect, this.set('effect'), {
            hint:
              state.effectKind === 'relative'
                ? 'fraction of the baseline, e.g. 0.1 = +10%'
                : state.metricKind === 'proportion'
                  ? 'rate points, e.g. 0.02 = +2 points'
                  : 'in the metric’s units; negative when lower is better',
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
          ${
            state.guardrails.trim() === ''
              ? choiceInput(
                  'sides',
                  'Test',
                  state.sides,
                  [
                    { value: '2', label: 'two-sided' },
                    { value: '1', label: 'one-sided' },
                  ],
                  this.set('sides'),
                )
              : html`<p class="note" data-field="sides">Test: one-sided (the decision rule with guardrails)</p>`
          }
          ${numberInput('arms', 'Arms (control + candidates)', state.arms, this.set('arms'))}
          ${
            state.arms.trim() === '2' || state.arms.trim() === ''
              ? numberInput('split', 'Share of traffic to the candidate', state.split, this.set('split'))
              : html`<p class="note">With more than two arms the split is the square-root rule (shown with the result).</p>`
          }
          ${numberInput('cupedR', 'CUPED: pre-period correlation ρ', state.cupedR, this.set('cupedR'), {
            hint: 'of the success metric; 0 = no adjustment',
          })}
        </div>
      </fieldset>
      ${this.renderGuardrailControls()}
      ${this.renderTrafficControls()}
      ${this.renderPeekingControls()}
      ${this.renderSrmControls()}
      </div>
      <div class="answer" data-section="answer">
        ${
          // A plain rate keeps its classic two-method answer on top; any richer design leads with the design.
          state.metricKind === 'proportion' && state.guardrails.trim() === ''
            ? html`${this.renderSizing()}<h3>The design (metrics, arms, users)</h3>${this.renderExperiment()}`
            : html`${this.renderExperiment()}${state.metricKind === 'proportion' ? this.renderSizing() : null}`
        }
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
      <h3>Power curves of the two rate methods</h3>
      <p class="note">Each method at its own planned sample size. Dashed lines: the target power and the planned effect or duration.</p>
      <div class="charts">${this.powerPlots.map((spec) => html`<rl-plot .spec=${spec}></rl-plot>`)}</div>
    `;
  }

  private renderMetricControls() {
    const state = this.form.state;
    const kind = state.metricKind;
    return html`<fieldset>
      <legend>Success metric</legend>
      <div class="fields">
        ${choiceInput(
          'metricKind',
          'Kind',
          kind,
          [
            { value: 'proportion', label: 'proportion (a success rate)' },
            { value: 'mean', label: 'mean (per unit)' },
            { value: 'ratio', label: 'ratio (per request, users randomised)' },
          ],
          this.set('metricKind'),
        )}
        ${
          kind === 'mean'
            ? html`${numberInput('spread', state.spreadKind === 'sd' ? 'SD per unit' : 'Variance per unit', state.spread, this.set('spread'))}
              ${choiceInput(
                'spreadKind',
                'Spread given as',
                state.spreadKind,
                [
                  { value: 'sd', label: 'standard deviation' },
                  { value: 'variance', label: 'variance' },
                ],
                this.set('spreadKind'),
              )}`
            : null
        }
        ${
          kind === 'ratio'
            ? html`${numberInput('numeratorMean', 'Numerator mean per user (e.g. errors)', state.numeratorMean, this.set('numeratorMean'))}
              ${numberInput('denominatorMean', 'Denominator mean per user (e.g. requests)', state.denominatorMean, this.set('denominatorMean'))}
              ${numberInput('numeratorVariance', 'Numerator variance per user', state.numeratorVariance, this.set('numeratorVariance'))}
              ${numberInput('denominatorVariance', 'Denominator variance per user', state.denominatorVariance, this.set('denominatorVariance'))}
              ${numberInput('covariance', 'Covariance per user', state.covariance, this.set('covariance'))}`
            : null
        }
        ${
          kind === 'proportion'
            ? null
            : choiceInput(
                'test',
                'Variances',
                state.test,
                [
                  { value: 'z', label: 'known (z-test)' },
                  { value: 't', label: 'estimated (t-test)' },
                ],
                this.set('test'),
              )
        }
      </div>
      ${kind === 'ratio' ? html`<p class="note">The ratio's variance per user by the delta method (Deng, Knoblich &amp; Lu, KDD 2018).</p>` : null}
    </fieldset>`;
  }

  private renderGuardrailControls() {
    const rows = this.guardrailRows();
    return html`<fieldset data-section="guardrails">
      <legend>Guardrails (non-inferiority)</legend>
      ${rows.length === 0 ? html`<p class="note">None: the test is sized for the success metric alone.</p>` : null}
      ${rows.map((row, i) => {
        const name = (field: string) => `guardrail-${i + 1}-${field}`;
        return html`<div class="guardrail" data-guardrail=${i + 1}>
          <div class="fields">
            ${choiceInput(
              name('kind'),
              `Guardrail ${i + 1}`,
              row.kind,
              [
                { value: 'proportion', label: 'proportion' },
                { value: 'mean', label: 'mean' },
                { value: 'ratio', label: 'ratio' },
              ],
              this.editGuardrail(i, 'kind'),
            )}
            ${numberInput(name('baseline'), 'Control value', row.baseline, this.editGuardrail(i, 'baseline'))}
            ${row.kind === 'proportion' ? null : numberInput(name('sd'), 'SD per unit', row.sd, this.editGuardrail(i, 'sd'))}
            ${numberInput(name('margin'), row.relative ? 'Margin (% of control)' : 'Margin', row.margin, this.editGuardrail(i, 'margin'))}
            ${choiceInput(
              name('relative'),
              'Margin is',
              row.relative ? 'relative' : 'absolute',
              [
                { value: 'absolute', label: 'absolute' },
                { value: 'relative', label: '% of control' },
              ],
              this.editGuardrail(i, 'relative'),
            )}
            ${choiceInput(
              name('direction'),
              'Better is',
              row.lowerIsBetter ? 'lower' : 'higher',
              [
                { value: 'lower', label: 'lower' },
                { value: 'higher', label: 'higher' },
              ],
              this.editGuardrail(i, 'lowerIsBetter'),
            )}
            <button type="button" name=${name('remove')} @click=${() => this.setGuardrails(rows.filter((_, j) => j !== i))}>
              Remove guardrail ${i + 1}
            </button>
          </div>
        </div>`;
      })}
      <p><button type="button" name="addGuardrail" @click=${() => this.setGuardrails([...rows, newGuardrailRow])}>Add guardrail</button></p>
    </fieldset>`;
  }

  private renderTrafficControls() {
    const state = this.form.state;
    return html`<fieldset>
      <legend>Users</legend>
      <div class="fields">
        ${numberInput('trafficPerDay', 'Users per day (all arms)', state.trafficPerDay, this.set('trafficPerDay'))}
        ${choiceInput(
          'accrual',
          'Users come back',
          state.accrual,
          [
            { value: 'linear', label: 'no (every user new)' },
            { value: 'returning', label: 'yes, returning share' },
            { value: 'population', label: 'yes, population' },
          ],
          this.set('accrual'),
        )}
        ${
          state.accrual === 'returning'
            ? numberInput('returningShare', 'Returning share', state.returningShare, this.set('returningShare'), {
                hint: "share of a day's users who also came the day before",
              })
            : null
        }
        ${state.accrual === 'population' ? numberInput('population', 'Eligible users in all', state.population, this.set('population')) : null}
        ${
          state.accrual === 'linear'
            ? null
            : numberInput('heterogeneity', 'Heterogeneity k', state.heterogeneity, this.set('heterogeneity'), {
                hint: 'gamma shape of visit rates; small = a few heavy users',
              })
        }
      </div>
    </fieldset>`;
  }

  private renderExperiment() {
    if (!this.experiment.ok) return html`<p class="error" role="alert" data-section="design">${this.experiment.message}</p>`;
    const { inputs, sizing } = this.experiment.value;
    const { design } = sizing;
    const k = design.arms - 1;
    const state = this.form.state;
    const level = (alpha: number) => formatNumber(alpha, 3);
    const days = sizing.accrual ? sizing.accrualDays : sizing.linearDays;
    return html`<div data-section="design">
      <p class="summary">
        The test needs <strong data-field="design-total">${formatCount(design.nTotal)}</strong> users:
        ${formatCount(design.nPerArm)} in control and ${formatCount(design.nSecondArm)} in ${k > 1 ? `each of ${k} candidates` : 'the candidate'}
        (set by ${design.limitingMetric}).
        ${
          days === null
            ? html`It <strong data-field="design-days">cannot conclude</strong> with returning users: only
                ${formatCount(Math.round(sizing.accrual?.population ?? 0))} users ever come
                (${formatCount(sizing.linearDays)} days if every user were new).`
            : html`It can conclude after <strong data-field="design-days">${formatCount(days)} days</strong>${
                sizing.accrual ? ` with returning users (${formatCount(sizing.linearDays)} if every user were new)` : ''
              }.`
        }
      </p>
      <table aria-label="Sample size per metric">
        <thead>
          <tr><th>Metric</th><th>Test</th><th class="number">Power</th><th class="number">Control</th><th class="number">${k > 1 ? 'Each candidate' : 'Candidate'}</th><th class="number">Total</th></tr>
        </thead>
        <tbody>
          ${design.metrics.map(
            (metric) => html`<tr data-metric=${metric.name}>
              <td>${metric.name} <span class="note">(${metric.kind}${metric.role === 'guardrail' ? `, margin ${formatNumber(metric.nullDifference)}` : ''})</span></td>
              <td>${metric.role === 'success' ? 'superiority' : 'non-inferiority'}, ${metric.sides === 2 ? 'two' : 'one'}-sided at ${level(metric.alpha)}${metric.test === 't' ? ', t' : ''}</td>
              <td class="number">${formatPercent(metric.power)}</td>
              <td class="number" data-field="control">${formatCount(metric.nPerArm)}</td>
              <td class="number" data-field="candidate">${formatCount(metric.nSecondArm)}</td>
              <td class="number" data-field="total">${formatCount(metric.nTotal)}</td>
            </tr>`,
          )}
          <tr data-metric="needed"><th>Needed (the largest)</th><td></td><td></td>
            <td class="number" data-field="control">${formatCount(design.nPerArm)}</td>
            <td class="number" data-field="candidate">${formatCount(design.nSecondArm)}</td>
            <td class="number" data-field="total">${formatCount(design.nTotal)}</td></tr>
        </tbody>
      </table>
      <p class="note" data-section="design-rule">
        ${
          design.guardrailCount > 0
            ? html`Ship only if the success metric improves and every guardrail is non-inferior (Schultzberg, Ankargren &amp; Frånberg 2024):
                each test is powered at 1 − β/(G + 1) = ${formatPercent(1 - design.perTestBeta)} so that the decision has power ${formatPercent(design.power)};
                guardrails are one-sided at α${k > 1 ? `/${k}` : ''}, not split among themselves.`
            : null
        }
        ${
          k > 1
            ? html`${k} candidates: Bonferroni over the comparisons (α/${k} = ${level(design.comparisonAlpha)} each) and the square-root allocation
                (√${k} = ${formatNumber(Math.sqrt(k), 3)}${design.metrics.length === 1 ? ', times σ_control/σ_candidate for the one metric' : ''}) —
                control gets ${formatNumber(1 / design.ratio, 3)} times each candidate:
                <span data-field="allocation">${formatPercent(design.shares[0])} control, ${formatPercent(design.shares[1])} each candidate</span>.`
            : null
        }
        ${
          state.metricKind === 'proportion'
            ? html`Rates by the normal approximation with unpooled variances (<code>size --method normal</code>); the two classic rate
                methods are below.`
            : null
        }
        ${inputs.standardDeviation !== null && state.metricKind === 'ratio' ? html`Ratio ${formatNumber(inputs.options.metrics[0].baseline)}, SD per user ${formatNumber(inputs.standardDeviation)} (delta method).` : null}
        ${
          sizing.accrual
            ? html`Returning users: negative binomial visits (Ehrenberg), population ${formatCount(Math.round(sizing.accrual.population))},
                ${formatPercent(sizing.accrual.returningShare)} of a day's users came the day before.`
            : null
        }
      </p>
      <div class="charts">${this.experimentPlots.map((spec) => html`<rl-plot .spec=${spec}></rl-plot>`)}</div>
      <p class="note">The same design on the command line:</p>
      <code class="command" data-section="cli">rollout-lab size ${inputs.cliArgs.map((arg) => (/^[\w.,%:-]+$/.test(arg) ? arg : `'${arg}'`)).join(' ')}</code>
    </div>`;
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

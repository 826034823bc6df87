/**
 * The policy lab's exact answer panel, as a template function of the two runs (the view owns the
 * tasks, `policyLabView.ts`): the verdict and rates from the exact evaluator, each beside the
 * Monte-Carlo confirmation with its 95% Wilson interval and whether they agree (`labAgreement`),
 * the exact curve over the lab's thresholds and the exact detection-time distribution, and what the
 * exact answer rests on (its neglected mass and the approximations the evaluator names). When the
 * evaluator has no exact form it names the features that need simulation, and the view shows the
 * Monte-Carlo answer as before. When the evaluator's answer is bounded (refused at its tolerance
 * only, `LabExactAnswer.boundedBecause`), the panel shows it as such — the rates "bounded within
 * ±X points", the refusal in the evaluator's words — never as exact, with the Monte-Carlo
 * confirmation beside it as for an exact answer.
 */
import { html, type TemplateResult } from 'lit';
import '../elements/plotFigure.ts';
import { formatCount, formatNeglectedMass } from '../format.ts';
import { exactDetectionTimeBins, exactDetectionTimePlot } from '../plots/exactDetectionTimePlot.ts';
import { exactOperatingCurvePlot } from '../plots/exactOperatingCurvePlot.ts';
import { agreementStandardErrors, labAgreement, type RateAgreement } from './labAgreement.ts';
import type { LabExactAnswer } from './labExact.ts';
import { formatBoundPoints, formatHours, formatRate, labVerdict, type OperatingPoint } from './labModel.ts';
import type { LabSettings } from './labSettings.ts';

/** Where the exact run stands (the fields of the view's `TaskController` the panel reads). */
export interface LabExactRun {
  status: 'initial' | 'pending' | 'complete' | 'error' | 'cancelled';
  value: LabExactAnswer | undefined;
  error: unknown;
  progress: number;
}

/** Where the Monte-Carlo confirmation stands. */
export interface LabConfirmationRun {
  running: boolean;
  /** The Monte-Carlo answer for the current setting, once in. */
  current: OperatingPoint | undefined;
  replicates: number;
}

/** True when the panel shows an exact answer (the view then leaves out its Monte-Carlo one). */
export function showsExactAnswer(run: LabExactRun): boolean {
  return run.value?.supported === true;
}

function agreementCell(agreement: RateAgreement | undefined, confirmation: LabConfirmationRun): TemplateResult | string {
  if (agreement === undefined) return confirmation.running ? 'simulating…' : '—';
  if (agreement.agrees === null) return 'no data';
  const distance = agreement.distance === null || !Number.isFinite(agreement.distance) ? '' : ` (${agreement.distance.toFixed(1)} SE)`;
  return agreement.agrees ? html`<span class="good">agrees${distance}</span>` : html`<span class="bad">differs${distance}</span>`;
}

/**
 * What the exact answer rests on, beside its rates: the probability mass its sums neglect (a
 * bound on every rate's error), the nodes of the historical baseline's law it averaged over
 * (when more than one) and each approximation the evaluator names — never hidden.
 */
function exactBasis(approximations: readonly string[], neglectedMass: number, baselineNodes = 1, bounded = false): TemplateResult {
  const nodes =
    baselineNodes > 1
      ? html` The historical baseline's own noise is averaged over <span data-baseline-nodes>${baselineNodes}</span> nodes of its law.`
      : '';
  // A bounded answer says its bound in `boundedBasis`: only the nodes are said here.
  const within = bounded
    ? html`<p class="note" data-section="exact-nodes">${nodes}</p>`
    : html`<p class="note" data-section="exact-neglected">Exact within <span data-neglected>${formatNeglectedMass(neglectedMass)}</span>: no sampling; the evaluator's sums neglect at most this probability mass, a bound on each rate's error.${nodes}</p>`;
  if (approximations.length === 0) {
    return html`${within}<p class="note" data-section="exact-approximations" data-count="0">The evaluator names no approximation for this policy and scenario.</p>`;
  }
  return html`${within}<div class="note" data-section="exact-approximations" data-count=${String(approximations.length)}>
      <p>It rests on ${approximations.length === 1 ? 'one approximation' : `${approximations.length} approximations`}, named by the evaluator:</p>
      <ul>${approximations.map((approximation) => html`<li data-approximation>${approximation}</li>`)}</ul>
    </div>`;
}

/**
 * What a bounded answer rests on, beside its rates: the bound (the neglected mass, in points and as
 * a probability), why the evaluator would not call it exact (its refusal, in its words) and what
 * the bound covers; the approximations follow as for an exact answer.
 */
function boundedBasis(because: readonly string[], neglectedMass: number): TemplateResult {
  return html`<div class="note" data-section="exact-bounded">
      <p>Not exact: <span data-bound>${formatBoundPoints(neglectedMass)}</span> on each rate. The evaluator's sums neglect
        <span data-neglected>${formatNeglectedMass(neglectedMass)}</span> of probability, above its 1e-6 tolerance for an exact answer,
        so it refused to call this exact; the neglected mass still bounds each rate's error (rigorously, but for the historical
        baseline's discretisation, an estimate with a safety factor of 2). Why, in the evaluator's words:</p>
      <ul>${because.map((reason) => html`<li data-bounded-because>${reason}</li>`)}</ul>
    </div>`;
}

/** The panel (module comment); null before the first answer of a run that has none yet. */
export function labExactPanel(run: LabExactRun, confirmation: LabConfirmationRun, settings: LabSettings): TemplateResult | null {
  if (run.status === 'error') return html`<p class="error" role="alert" data-section="exact-error">${(run.error as Error).message}</p>`;
  const answer = run.value;
  if (answer === undefined) {
    return run.status === 'pending'
      ? html`<p class="note" role="status" data-section="exact-running">Computing the exact answer…</p>`
      : null;
  }
  if (!answer.supported) {
    return html`<div class="note" data-section="exact-unsupported" data-still-computing=${answer.stillComputing ? 'true' : 'false'}>
      <p>${
        answer.stillComputing
          ? 'The exact answer is still being computed, so the rates below are Monte-Carlo estimates meanwhile:'
          : 'No exact answer for this policy and scenario, so the rates below are Monte-Carlo estimates. What needs simulation:'
      }</p>
      <ul>${answer.features.map((feature) => html`<li data-feature>${feature}</li>`)}</ul>
    </div>`;
  }
  const current = answer.current;
  const bound = current.bound;
  const kind = bound === undefined ? 'exact' : 'bounded';
  const verdict = labVerdict(current, settings);
  const sameSetting = confirmation.current !== undefined && confirmation.current.errorRatio === current.errorRatio;
  const agreement = sameSetting && confirmation.current ? labAgreement(current, confirmation.current) : undefined;
  const byRate = (rate: RateAgreement['rate']) => agreement?.rates.find((entry) => entry.rate === rate);
  const monteCarlo = sameSetting ? confirmation.current : undefined;
  const overall =
    agreement === undefined
      ? confirmation.running
        ? `Monte-Carlo confirmation (${formatCount(confirmation.replicates)} replicates) running…`
        : 'No Monte-Carlo confirmation for this setting.'
      : agreement.agrees === null
        ? 'The Monte-Carlo confirmation has no data to compare.'
        : agreement.agrees
          ? `Monte-Carlo confirmation (${formatCount(confirmation.replicates)} replicates): agrees — every rate within ${agreementStandardErrors} standard errors of the ${kind} one${bound === undefined ? '' : ` (beyond its ${formatBoundPoints(bound)})`}.`
          : `Monte-Carlo confirmation (${formatCount(confirmation.replicates)} replicates): differs — a rate is more than ${agreementStandardErrors} standard errors from the ${kind} one${bound === undefined ? '' : ` (beyond its ${formatBoundPoints(bound)})`}.`;
  // The largest bound behind the charts (the curve's points and the current setting's distribution), if any is bounded.
  const bounds = [bound, ...answer.curve.map((point) => point.bound)].filter((value): value is number => value !== undefined);
  const chartsBound = bounds.length === 0 ? undefined : Math.max(...bounds);
  const curvePoints = answer.curve.map((point) => ({
    errorRatio: point.errorRatio,
    current: point.current,
    falseRollbackRate: point.healthy.falseRollbackRate.rate ?? 0,
    missedRegressionRate: point.regressed.missedRegressionRate.rate ?? 0,
  }));
  return html`
    <p class="verdict ${verdict.tone}" data-section="verdict" data-mode=${kind}>${verdict.text}</p>
    <p class="note" role="status" data-section="exact-agreement" data-agrees=${agreement?.agrees === undefined || agreement.agrees === null ? '' : String(agreement.agrees)}>${overall}</p>
    <table aria-label="Current setting, exact and Monte-Carlo">
      <thead><tr><th>Current setting (${current.errorRatio}×)</th><th class="number">${bound === undefined ? 'Exact' : 'Bounded'}</th><th class="number">Monte-Carlo, 95% Wilson interval</th><th>Agreement</th></tr></thead>
      <tbody>
        <tr data-rate="falseRollback"><td>False rollbacks: healthy candidate rolled back</td><td class="number" data-exact>${formatRate(current.healthy.falseRollbackRate, bound)}</td>
          <td class="number">${monteCarlo ? formatRate(monteCarlo.healthy.falseRollbackRate) : '…'}</td><td>${agreementCell(byRate('falseRollback'), confirmation)}</td></tr>
        <tr data-rate="missedRegression"><td>Missed regressions: bad candidate promoted</td><td class="number" data-exact>${formatRate(current.regressed.missedRegressionRate, bound)}</td>
          <td class="number">${monteCarlo ? formatRate(monteCarlo.regressed.missedRegressionRate) : '…'}</td><td>${agreementCell(byRate('missedRegression'), confirmation)}</td></tr>
        <tr><td>Median time to catch the regression</td><td class="number">${current.regressed.detectionTime.median === null ? '—' : formatHours(current.regressed.detectionTime.median)}</td>
          <td class="number">${monteCarlo?.regressed.detectionTime.median == null ? '…' : formatHours(monteCarlo.regressed.detectionTime.median)}</td><td></td></tr>
        <tr data-rate="exposure"><td>Served by the bad candidate (mean per rollout)</td><td class="number">${formatCount(Math.round(current.regressed.exposure.usersServedWhileWorse))} users,
          ${formatCount(Math.round(current.regressed.exposure.requestsServedWhileWorse))} requests</td>
          <td class="number">${monteCarlo ? `${formatCount(Math.round(monteCarlo.regressed.exposure.usersServedWhileWorse))} users` : '…'}</td><td></td></tr>
      </tbody>
    </table>
    ${answer.boundedBecause === undefined ? '' : boundedBasis(answer.boundedBecause, answer.neglectedMass)}
    ${exactBasis(answer.approximations, answer.neglectedMass, answer.baselineNodes, bound !== undefined)}
    <div class="charts">
      ${chartsBound === undefined ? '' : html`<p class="note" data-section="exact-charts-bounded">The charts are drawn from bounded answers where the evaluator refused for its tolerance: their values are within ${formatBoundPoints(chartsBound)}, computed without sampling but not exact.</p>`}
      ${
        answer.curveOmitted !== undefined
          ? html`<p class="note" data-section="exact-curve-omitted">${answer.curveOmitted}.</p>`
          : answer.curveComplete
            ? html`<rl-plot data-section="exact-curve" data-points=${String(curvePoints.length)} .spec=${exactOperatingCurvePlot(curvePoints, 10, chartsBound)}></rl-plot>`
            : html`<p class="note" role="status" data-section="exact-curve-running">Computing the curve over the thresholds… ${Math.round(run.progress * 100)}%</p>`
      }
      <rl-plot data-section="exact-detection-time" .spec=${exactDetectionTimePlot(exactDetectionTimeBins(current.regressed.detectionTime.histogram), bound)}></rl-plot>
    </div>
  `;
}

import { css, html, LitElement } from 'lit';
import { LabSettingsController } from '../controllers/labSettingsController.ts';
import { PlaybackClock } from '../controllers/playbackClock.ts';
import { ViewStateController } from '../controllers/viewStateController.ts';
import '../elements/plotFigure.ts';
import { type PlaybackRequest, playbackInWorker } from '../../../workers/playbackInWorker.ts';
import type { Playback } from '../../sim/playbackReplicate.ts';
import { panelMetrics } from '../../sim/playbackReplicate.ts';
import type { Scenario } from '../../sim/scenario.ts';
import { TaskController } from '../controllers/taskController.ts';
import { choiceInput, numberInput } from '../elements/formFields.ts';
import { formatCount, formatPercent } from '../format.ts';
import { formatHours } from '../lab/labModel.ts';
import { labPolicy } from '../lab/labPolicy.ts';
import type { LabSettings } from '../lab/labSettings.ts';
import { labScenarios } from '../lab/labWorlds.ts';
import { type PlaybackState, playbackSchema } from '../playback/playbackState.ts';
import { errorRatioLimit, libraryScenario, refusedPolicyErrors, scenarioLibrary, scenarioPolicy } from '../playback/scenarioLibrary.ts';
import { abRatesPlot, abZPlot, errorRatioPlot, metricPanelPlot, shadowAgreementPlot, trafficSplitPlot } from '../plots/playbackPlots.ts';
import { type Checked, checked } from '../sizer/sizerModel.ts';
import { readCount } from '../state/readNumber.ts';
import { theme } from '../styles/theme.ts';

/** What is being played: the rollout, the error-ratio limit drawn, and a library scenario's texts. */
interface Played {
  playback: Playback;
  errorRatio: number;
  /** Set when a library scenario is played. */
  library?: { scenario: Scenario; policyName: string; refused: string[] };
}

/** What to play, checked in the page: the rollout to simulate in the worker, and what is shown beside it. */
interface PlayRequest extends Omit<Played, 'playback'> {
  rollout: PlaybackRequest;
}

/** Names of the library scenarios, for the picker (parsed once, on first use). */
let libraryChoices: { value: string; label: string }[] | undefined;
function scenarioChoices(): { value: string; label: string }[] {
  libraryChoices ??= [
    { value: 'lab', label: "the Policy lab's policy and candidate" },
    ...scenarioLibrary.map((entry) => ({ value: entry.id, label: `library: ${(entry.document as { name: string }).name}` })),
  ];
  return libraryChoices;
}

/**
 * `<rl-playback-view>`: one simulated rollout, window by window — of the Policy lab's policy, or
 * of a scenario of the library (`scenarios/library`) with its embedded policy, its story and its
 * lesson shown beside the timeline — the traffic split, the error-rate ratio against its
 * threshold, the controller's decisions with their reasons — beside what a naive instant-100%
 * rollout would have done on the same traffic.
 */
export class PlaybackView extends LitElement {
  static override styles = [
    theme,
    css`
      .controls { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; margin: 0.75rem 0; }
      .controls input[type='range'] { flex: 1 1 16rem; }
      .now { font-variant-numeric: tabular-nums; }
      ol.log { max-height: 16rem; overflow: auto; padding-left: 1.5rem; margin: 0.25rem 0; font-size: 0.9rem; }
      ol.log li { margin-bottom: 0.35rem; }
      .decision { font-weight: 600; text-transform: uppercase; font-size: 0.8rem; letter-spacing: 0.03em; }
      .decision.rollback { color: #a3261b; }
      .decision.promote, .decision.advance { color: #1f7a35; }
      .compare { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
      .scenario-pick { margin-bottom: 0.75rem; }
      .scenario-pick select { display: block; width: 100%; max-width: 36rem; margin-top: 0.25rem; }
      .with-story { display: grid; grid-template-columns: minmax(0, 3fr) minmax(14rem, 2fr); gap: 1.25rem; align-items: start; }
      @media (max-width: 60rem) { .with-story { grid-template-columns: 1fr; } }
      aside.story { border-left: 3px solid #c8d3e0; padding: 0 0 0 1rem; font-size: 0.95rem; }
      aside.story h3 { margin: 0.5rem 0 0.25rem; }
      aside.story p { margin: 0.25rem 0 0.75rem; }
      aside.story code { font-size: 0.85rem; white-space: pre-wrap; }
    `,
  ];

  private readonly form = new ViewStateController<PlaybackState>(this, 'playback', playbackSchema);
  private readonly clock = new PlaybackClock(this, (position) => this.form.set({ window: String(position) }));
  /** The lab's autosaved settings, read when the view opens: the rollout played is the lab's. */
  private readonly lab = new LabSettingsController(this);
  /** What to play, or why it cannot be played. */
  private playRequest: Checked<PlayRequest> = { ok: false, message: '' };
  /** The rollout, simulated in a Web Worker so that the view stays responsive; a newer request cancels the older. */
  private readonly play = new TaskController<[PlayRequest, number], Played>(this, async (context, request, window) => {
    const { rollout, ...shown } = request;
    const playback = await playbackInWorker(rollout, context);
    if (!context.signal.aborted) this.clock.load(playback.windows.length, window);
    return { ...shown, playback };
  });
  /** The inputs of the rollout played: it is simulated again only when one of them changes. */
  private playedFrom: { settings: Checked<LabSettings>; scenario: string; world: string; replicate: string } | undefined;

  override willUpdate(): void {
    const { scenario, world, replicate, window } = this.form.state;
    const settings = this.lab.settings;
    const last = this.playedFrom;
    if (!last || last.settings !== settings || last.scenario !== scenario || last.world !== world || last.replicate !== replicate) {
      this.playedFrom = { settings, scenario, world, replicate };
      this.clock.pause();
      this.playRequest = checked((): PlayRequest => {
        if (scenario !== 'lab') {
          // A library scenario plays its own policy, with the lab's seed when the lab's settings are valid.
          const played = libraryScenario(scenario);
          const policy = scenarioPolicy(played);
          const seed = settings.ok ? settings.value.seed : 1;
          return {
            rollout: { scenario: played, policy, seed, replicate: readCount(replicate, 'replicate') },
            errorRatio: errorRatioLimit(policy, 2),
            library: { scenario: played, policyName: policy.name ?? 'the framework default policy', refused: refusedPolicyErrors(played) },
          };
        }
        if (!settings.ok) throw new RangeError(`the Policy lab's settings are invalid: ${settings.message}`);
        const lab = settings.value;
        const scenarios = labScenarios(lab);
        return {
          rollout: { scenario: scenarios[world], policy: labPolicy(lab), seed: lab.seed, replicate: readCount(replicate, 'replicate') },
          errorRatio: lab['errorRate.maxRatio'],
        };
      });
      if (this.playRequest.ok) void this.play.run(this.playRequest.value, Number(window) || 0);
      else this.play.abort();
    }
    this.clock.speed = Number(this.form.state.speed);
  }

  override render() {
    const state = this.form.state;
    return html`
      <h2>Playback</h2>
      <p class="lede">
        One simulated rollout of the <a href="#/lab">Policy lab</a>'s policy — or of a failure from the scenario library, with
        its story and its lesson — check window by check window, and what a naive rollout — the candidate at 100% at once, no
        metrics — would have done on the same traffic.
      </p>
      <fieldset>
        <legend>Rollout</legend>
        <div class="scenario-pick">
          ${choiceInput('scenario', 'Scenario', state.scenario, scenarioChoices(), (scenario) => this.form.set({ scenario, window: '0' }))}
        </div>
        <div class="fields">
          ${
            state.scenario === 'lab'
              ? choiceInput(
                  'world',
                  'Candidate',
                  state.world,
                  [
                    { value: 'regressed', label: 'regressed (more errors)' },
                    { value: 'healthy', label: 'healthy (same as control)' },
                  ],
                  (world) => this.form.set({ world, window: '0' }),
                )
              : null
          }
          ${numberInput('replicate', 'Replicate (same seed as the lab)', state.replicate, (replicate) => this.form.set({ replicate, window: '0' }))}
          ${choiceInput(
            'speed',
            'Speed',
            state.speed,
            [
              { value: '1', label: '1 window per tick' },
              { value: '4', label: '4 windows per tick' },
              { value: '16', label: '16 windows per tick' },
              { value: '64', label: '64 windows per tick' },
            ],
            (speed) => this.form.set({ speed }),
          )}
        </div>
      </fieldset>
      ${this.renderPlayed()}
    `;
  }

  private renderPlayed() {
    if (!this.playRequest.ok) return html`<p class="error" role="alert" data-section="playback">${this.playRequest.message}</p>`;
    const task = this.play;
    if (task.status === 'complete' && task.value) return this.renderPlayback(task.value);
    if (task.status === 'error') {
      const message = task.error instanceof Error ? task.error.message : String(task.error);
      return html`<p class="error" role="alert" data-section="playback">${message}</p>`;
    }
    return html`<p class="note" role="status" data-section="playback-running">Simulating the rollout…</p>`;
  }

  private renderPlayback(played: Played) {
    const timeline = this.renderTimeline(played);
    const library = played.library;
    if (!library) return timeline;
    const scenario = library.scenario;
    return html`<div class="with-story">
      <div>${timeline}</div>
      <aside class="story" aria-label="Story and lesson">
        <h3>${scenario.name}</h3>
        ${scenario.description ? html`<p class="note">${scenario.description}</p>` : null}
        <h3>What happened</h3>
        <p data-section="story">${scenario.story ?? 'No story recorded.'}</p>
        <h3>The lesson</h3>
        <p data-section="lesson">${scenario.lesson ?? 'No lesson recorded.'}</p>
        <p class="note" data-section="played-policy">Playing the scenario's policy: <strong>${library.policyName}</strong>.</p>
        ${
          library.refused.length > 0
            ? html`<p class="note">The policy the team wanted is refused by the engine:</p>
              <ul data-section="refused">${library.refused.map((error) => html`<li><code>${error}</code></li>`)}</ul>`
            : null
        }
      </aside>
    </div>`;
  }

  private renderTimeline(played: Played) {
    const playback = played.playback;
    const clock = this.clock;
    const windows = playback.windows;
    const current = windows[clock.position];
    // Every decision that changed something, and the A/B test's conclusion with its report by
    // segment (reached while the stage keeps running until its minimum duration: a 'continue').
    const decisions = windows
      .slice(0, clock.position + 1)
      .filter((w) => (w.decision !== 'continue' && w.decision !== 'hold') || w.reasons.some((reason) => reason.rule === 'segments'));
    const finished = clock.position === windows.length - 1;
    const outcome = playback.outcome;
    const naive = playback.naive;
    return html`
      <div class="controls" role="group" aria-label="Playback controls">
        <button type="button" name="back" @click=${() => clock.step(-1)} aria-label="Step back one window">◀ Step</button>
        ${
          clock.playing
            ? html`<button type="button" class="primary" name="pause" @click=${() => clock.pause()}>Pause</button>`
            : html`<button type="button" class="primary" name="play" @click=${() => clock.play()}>Play</button>`
        }
        <button type="button" name="forward" @click=${() => clock.step(1)} aria-label="Step forward one window">Step ▶</button>
        <input type="range" name="position" min="0" max=${windows.length - 1} .value=${String(clock.position)} aria-label="Window"
          @input=${(event: Event) => clock.seek(Number((event.target as HTMLInputElement).value))} />
        <span class="now" data-section="now">Window ${clock.position + 1} of ${windows.length} · ${formatHours(current.endHours * 3600)} · ${current.stage} · candidate ${formatPercent(current.candidateShare, 0)}</span>
      </div>
      <div class="charts">
        <rl-plot .spec=${trafficSplitPlot(windows, clock.position)}></rl-plot>
        <rl-plot .spec=${errorRatioPlot(windows, clock.position, played.errorRatio)}></rl-plot>
      </div>
      <h3>Every metric against its threshold</h3>
      <div class="charts" data-section="metric-panels">
        ${panelMetrics.map((metric) => html`<rl-plot data-metric=${metric} .spec=${metricPanelPlot(windows, clock.position, metric)}></rl-plot>`)}
        ${current.shadow ? html`<rl-plot data-section="shadow-panel" .spec=${shadowAgreementPlot(windows, clock.position)}></rl-plot>` : null}
        ${
          current.ab
            ? html`<rl-plot data-section="ab-panel" .spec=${abRatesPlot(windows, clock.position)}></rl-plot>
              <rl-plot data-section="ab-z-panel" .spec=${abZPlot(windows, clock.position)}></rl-plot>`
            : null
        }
      </div>
      <h3>Decisions so far</h3>
      <ol class="log" data-section="decisions">
        ${decisions.length === 0 ? html`<li class="note">No decision yet: every check so far said continue.</li>` : null}
        ${decisions.map(
          (w) => html`<li>
            <span class="decision ${w.decision}">${w.decision}</span> at ${formatHours(w.endHours * 3600)} in ${w.stage}:
            ${w.reasons.map((reason) => reason.message).join('; ')}
          </li>`,
        )}
      </ol>
      <h3>Against a naive rollout</h3>
      <div class="compare">
        <div class="verdict ${outcome.decision === 'rollback' ? (outcome.candidateWorse ? 'good' : 'warn') : outcome.missedRegression ? 'bad' : 'good'}" data-section="policy-outcome">
          <strong>This policy</strong>${finished ? '' : ' (at the end of the run)'}: ${outcome.decision === 'undecided' ? 'no decision within the horizon' : `${outcome.decision === 'rollback' ? 'rolled back' : 'promoted'} after ${formatHours(outcome.decisionTime ?? 0)}`}
          in ${outcome.stageName}, having served ${formatCount(outcome.exposure.candidateRequests)} requests with the candidate;
          ${formatCount(Math.round(outcome.exposure.failedRequests))} requests failed in all.
          ${outcome.falseRollback ? 'The candidate was healthy: a false rollback.' : outcome.missedRegression ? 'The candidate was worse: a missed regression.' : ''}
        </div>
        <div class="verdict ${playback.naive.expectedFailures > playback.naive.controlFailures * 1.01 ? 'bad' : 'warn'}" data-section="naive">
          <strong>Naive rollout</strong> (100% at once, no metrics) over the same ${formatHours(windows.at(-1)!.endHours * 3600)}:
          all ${formatCount(naive.requests)} requests served by the candidate, about ${formatCount(Math.round(naive.expectedFailures))} failed
          (${formatCount(Math.round(naive.expectedFailures - naive.controlFailures))} more than control would have failed), and nothing would have stopped it.
        </div>
      </div>
    `;
  }
}

customElements.define('rl-playback-view', PlaybackView);

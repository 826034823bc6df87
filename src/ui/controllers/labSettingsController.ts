import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Policy } from '../../engine/policy/policy.ts';
import { labPolicy } from '../lab/labPolicy.ts';
import type { LabSettings } from '../lab/labSettings.ts';
import { type LabState, labSchema, readLabSettings } from '../lab/labState.ts';
import { type Checked, checked } from '../sizer/sizerModel.ts';
import { encodeState } from '../state/viewState.ts';
import { type BrowserEnvironment, windowEnvironment } from './browserEnvironment.ts';
import { savedViewState, storageKey, ViewStateController } from './viewStateController.ts';

/** How a view uses the lab's settings. */
export interface LabSettingsOptions {
  /**
   * True for the Policy lab itself: the settings follow `#/lab?…` and every `set` autosaves them.
   * False (the default) for the views that only use them (Playback, Replay, Export): they read the
   * autosaved copy when they open and never write it, so opening them cannot change the lab.
   */
  editable?: boolean;
  environment?: BrowserEnvironment;
}

/**
 * The Policy lab's settings — the one owner of the lab's saved state for every view that uses it.
 * The lab edits them; Playback plays them, Replay puts their policy in its box, Export exports
 * it. `settings` (the typed settings, or why the form does not make them) and `policy` are derived
 * once per state, so a view reads them in `render` or `willUpdate` as often as it likes, and can
 * tell they changed by identity (`settings !== before`) instead of comparing serialisations.
 */
export class LabSettingsController implements ReactiveController {
  private readonly editor: ViewStateController<LabState> | undefined;
  private saved: LabState;
  private derivedFrom: LabState | undefined;
  private derivedSettings: Checked<LabSettings> = { ok: false, message: '' };
  private derivedPolicy: Checked<Policy> | undefined;
  private readonly environment: BrowserEnvironment;

  constructor(
    private readonly host: ReactiveControllerHost,
    options: LabSettingsOptions = {},
  ) {
    const environment = options.environment ?? windowEnvironment();
    this.environment = environment;
    this.editor = options.editable ? new ViewStateController<LabState>(host, 'lab', labSchema, environment) : undefined;
    this.saved = this.editor ? this.editor.state : savedViewState('lab', labSchema, environment);
    host.addController(this);
  }

  hostConnected(): void {
    // A reading view opens after the user left the lab: take the settings as the lab last saved them.
    if (!this.editor) {
      this.saved = savedViewState('lab', labSchema, this.environment);
      this.host.requestUpdate();
    }
  }

  /** The lab's form, every field as typed. */
  get state(): LabState {
    return this.editor ? this.editor.state : this.saved;
  }

  /** Changes some fields of the lab's form, saves them (URL and autosave) and re-renders. Only the lab may. */
  set(patch: Partial<LabState>): void {
    if (!this.editor) throw new Error('the lab settings are read-only here: only the Policy lab edits them');
    this.editor.set(patch);
  }

  /**
   * Hands the lab new settings from another view (the audit's "Open in Policy lab"): some fields
   * of the lab's form changed and saved as the lab's autosaved copy, which the lab reads when it
   * opens next (through a bare `#/lab` link). The lab itself uses `set`.
   */
  handOver(patch: Partial<LabState>): void {
    if (this.editor) {
      this.editor.set(patch);
      return;
    }
    const next = { ...savedViewState('lab', labSchema, this.environment), ...patch };
    this.environment.save(storageKey('lab'), encodeState(labSchema, next).toString());
    this.saved = next;
    this.host.requestUpdate();
  }

  /** The settings the form makes, or the first reason it does not (a field named, as `readLabSettings` words it). */
  get settings(): Checked<LabSettings> {
    this.derive();
    return this.derivedSettings;
  }

  /** The lab's policy, or why the settings do not make one. */
  get policy(): Checked<Policy> {
    this.derive();
    if (!this.derivedPolicy) {
      const settings = this.derivedSettings;
      this.derivedPolicy = settings.ok ? checked(() => labPolicy(settings.value)) : settings;
    }
    return this.derivedPolicy;
  }

  private derive(): void {
    const state = this.state;
    if (state === this.derivedFrom) return;
    this.derivedFrom = state;
    this.derivedSettings = checked(() => readLabSettings(state));
    this.derivedPolicy = undefined;
  }
}

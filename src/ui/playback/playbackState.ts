import { choiceField, type StateSchema, textField } from '../state/viewState.ts';
import { libraryIds } from './scenarioLibrary.ts';

/** The playback view's state (in `#/playback?…`, autosaved). */
export interface PlaybackState {
  /** What to play: the Policy lab's policy and worlds (`lab`), or a scenario of the library by id. */
  scenario: string;
  /** Which of the lab's worlds to play. */
  world: 'healthy' | 'regressed';
  /** Which replicate of the lab's seed. */
  replicate: string;
  /** Windows per tick (10 ticks a second). */
  speed: '1' | '4' | '16' | '64';
  /** The window shown. */
  window: string;
}

/** First visit: the lab's policy on the regressed candidate, replicate 0, at the first window, 4 windows per tick. */
export const playbackSchema: StateSchema<PlaybackState> = {
  scenario: choiceField(['lab', ...libraryIds()], 'lab'),
  world: choiceField(['healthy', 'regressed'], 'regressed'),
  replicate: textField('0'),
  speed: choiceField(['1', '4', '16', '64'], '4'),
  window: textField('0'),
};

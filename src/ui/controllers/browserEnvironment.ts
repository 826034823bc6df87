/**
 * The few browser facilities the controllers use — the URL hash, the history, localStorage —
 * behind an interface, so that the controllers are unit-tested in node with a fake.
 */

/** What a controller may do to the page outside its element. */
export interface BrowserEnvironment {
  /** The current `location.hash`. */
  readHash(): string;
  /** Replaces the hash without adding a history entry and without firing `hashchange`. */
  replaceHash(hash: string): void;
  /** Subscribes to `hashchange` (the user navigated or pasted a URL); returns the unsubscribe function. */
  onHashChange(listener: () => void): () => void;
  /** Reads a saved value; null when absent or when storage is unavailable. */
  load(key: string): string | null;
  /** Saves a value; silently does nothing when storage is full or unavailable (private mode). */
  save(key: string, value: string): void;
}

/** The real browser: `window.location`, `history.replaceState` and `localStorage`. */
export function windowEnvironment(): BrowserEnvironment {
  return {
    readHash: () => window.location.hash,
    replaceHash: (hash) => {
      if (window.location.hash !== hash) history.replaceState(history.state, '', hash);
    },
    onHashChange: (listener) => {
      window.addEventListener('hashchange', listener);
      return () => window.removeEventListener('hashchange', listener);
    },
    load: (key) => {
      try {
        return localStorage.getItem(key);
      } catch {
        return null;
      }
    },
    save: (key, value) => {
      try {
        localStorage.setItem(key, value);
      } catch {
        // Storage full or disabled: the URL still holds the state.
      }
    },
  };
}

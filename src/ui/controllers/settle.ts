/**
 * Waits `ms`, or rejects at once with an `AbortError` when `signal` aborts — the pause a task takes
 * before heavy work, so that a newer edit (typing) replaces a pending run instead of starting one
 * per keystroke.
 */
export function settle(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new DOMException('superseded', 'AbortError'));
      },
      { once: true },
    );
  });
}

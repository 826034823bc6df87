/**
 * Web Worker that runs the auto-tuner (`src/sim/tune.ts`, seconds to minutes of simulation) off
 * the main thread, posting progress after every simulated candidate. One request per worker:
 * the client terminates the worker to cancel (the tuner is synchronous, so a cancel message
 * could not be read until it finished).
 */
import { tune } from '../src/sim/tune.ts';
import type { TuneMessage, TuneRequest } from './tuneRequest.ts';

const post = (message: TuneMessage) => self.postMessage(message);

self.onmessage = (event: MessageEvent<TuneRequest>) => {
  const { basePolicy, healthy, regressed, options } = event.data;
  try {
    const result = tune(basePolicy, healthy, regressed, { ...options, onProgress: (progress) => post({ type: 'progress', progress }) });
    post({ type: 'result', result });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error), rangeError: error instanceof RangeError });
  }
};

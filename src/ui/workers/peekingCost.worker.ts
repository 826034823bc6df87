/**
 * Web Worker that computes the exact cost of peeking (`peekingCost`, up to about a second for
 * 20 looks) off the main thread, so that the page never freezes. One request per worker: the
 * client terminates the worker to cancel.
 */
import { peekingCost } from '../sizer/sizerModel.ts';
import type { PeekingRequest, PeekingResponse } from './peekingCostClient.ts';

self.onmessage = (event: MessageEvent<PeekingRequest>) => {
  const { alpha, maxLooks, spending } = event.data;
  let response: PeekingResponse;
  try {
    response = { ok: true, points: peekingCost(alpha, maxLooks, spending) };
  } catch (error) {
    response = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  self.postMessage(response);
};

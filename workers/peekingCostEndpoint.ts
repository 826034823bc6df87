/**
 * The endpoint of the peeking-cost worker: the exact cost of peeking (`peekingCost`, numerical
 * integration of the group-sequential recursion) off the main thread. `peekingCost` lives with
 * the sizer's model (src/ui/sizer/sizerModel.ts), which it shares its design names with; it is
 * pure (no DOM), so a worker may run it.
 */
import type { SpendingFunctionName } from '../src/engine/stats/groupSequential.ts';
import type { PeekingPoint } from '../src/engine/stats/peekingCost.ts';
import { peekingCost } from '../src/engine/stats/peekingCost.ts';

/** What the peeking-cost worker is asked (plain data). */
export interface PeekingRequest {
  alpha: number;
  maxLooks: number;
  spending: SpendingFunctionName;
}

/** What the worker serves. */
export interface PeekingCostEndpoint {
  /** `peekingCost(alpha, maxLooks, spending)`; its RangeErrors for invalid inputs. */
  peekingCost(request: PeekingRequest): PeekingPoint[];
}

/** The endpoint (callable in-process too). */
export const peekingCostEndpoint: PeekingCostEndpoint = {
  peekingCost: ({ alpha, maxLooks, spending }) => peekingCost(alpha, maxLooks, spending),
};

import kidneyStonesCsv from '../data/kidney_stones_charig1986.csv?raw';
import { textField, type StateSchema } from '../state/viewState.ts';

/**
 * The kidney-stone data (Charig et al., BMJ 1986;292:879, as tabulated by Julious & Mullee,
 * BMJ 1994): treatment A (open surgery) succeeds more often for small and for large stones, yet
 * B (percutaneous nephrolithotomy) succeeds more often overall — the classic Simpson's paradox.
 */
export const kidneyStonesData = kidneyStonesCsv.trim();

/** The segments view's state: the counts as CSV text, and α. */
export interface SegmentsState {
  csv: string;
  alpha: string;
}

/** First visit: the kidney-stone data at α = 0.05. */
export const segmentsSchema: StateSchema<SegmentsState> = {
  csv: textField(kidneyStonesData),
  alpha: textField('0.05'),
};

import kidneyStonesCsv from '../data/kidney_stones_charig1986.csv?raw';
import { type StateSchema, textField } from '../state/viewState.ts';

/**
 * The kidney-stone data (Charig et al., BMJ 1986;292:879, as tabulated by Julious & Mullee,
 * BMJ 1994): treatment A (open surgery) succeeds more often for small and for large stones, yet
 * B (percutaneous nephrolithotomy) succeeds more often overall — the classic Simpson's paradox.
 */
export const kidneyStonesData = kidneyStonesCsv.trim();

/**
 * The segments view's state: the counts as CSV text, the column chosen for each role ('' to
 * guess it from the header and the content; see segmentsCsv.ts), and α.
 */
export interface SegmentsState {
  csv: string;
  segmentColumn: string;
  variantColumn: string;
  successColumn: string;
  totalColumn: string;
  alpha: string;
}

/** First visit: the kidney-stone data, columns guessed, at α = 0.05. */
export const segmentsSchema: StateSchema<SegmentsState> = {
  csv: textField(kidneyStonesData),
  segmentColumn: textField(''),
  variantColumn: textField(''),
  successColumn: textField(''),
  totalColumn: textField(''),
  alpha: textField('0.05'),
};

import { textField, type StateSchema } from '../state/viewState.ts';

/** The export view's own state: the policy JSON being imported (kept, so a reload keeps it). */
export interface ExportState {
  importText: string;
}

/** First visit: nothing imported. */
export const exportSchema: StateSchema<ExportState> = {
  importText: textField(''),
};

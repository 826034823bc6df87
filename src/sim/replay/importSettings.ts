import type { ColumnMapping } from './columnMapping.ts';
import type { LatencyUnit } from './parseLatency.ts';

/** What parsing a log needs besides its text: plain data, so a worker can receive it (the error rule travels as its text). */
export interface ImportSettings {
  mapping: ColumnMapping;
  latencyUnit: LatencyUnit;
  /** `--error-when` text; '' for the default rule. */
  errorWhen: string;
}

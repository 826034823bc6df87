/**
 * What importing a user's rollout produces: a Rollout Lab policy, and a report of every field
 * that was mapped, every field that could not be represented (and why), and every assumption.
 *
 * The importers (`argoImport.ts`, `flaggerImport.ts`) read Kubernetes YAML documents — an Argo
 * Rollouts `Rollout` with the `AnalysisTemplate`/`ClusterAnalysisTemplate`s it references, or a
 * Flagger `Canary` with its `MetricTemplate`s — parsed with the `yaml` package. Pure: no Node APIs;
 * the CLI and the app read the files and pass their text.
 *
 * Every mapped field records where it came from (file, document, YAML path) and where it went
 * (the policy's JSON path), with the functions that convert the value in both directions, so the
 * audit can write a tuned policy back into the user's own file (`writeBack.ts`) as a minimal edit.
 */
import type { HealthMetric, Policy } from '../policy/policy.ts';

/** The systems whose configuration can be imported. */
export type ImportSource = 'argo' | 'flagger';

/** One input file: its name (for messages) and its text (one or more YAML documents). */
export interface ImportInput {
  name: string;
  text: string;
}

/** How a query or metric in the user's file maps to a Rollout Lab health metric. */
export type MetricMapping = Record<string, HealthMetric>;

export interface ImportOptions {
  /** Which system the files are for; detected from `apiVersion`/`kind` when absent. */
  from?: ImportSource;
  /**
   * Which of the user's metrics is which health metric: the key is the metric's `name` in the
   * AnalysisTemplate / Canary (e.g. `success-rate`), the value a health metric (`errorRate`,
   * `latencyP95`, …). Flagger's built-ins `request-success-rate` and `request-duration` are known.
   */
  map?: MetricMapping;
}

/** Where a value lives in the user's files. */
export interface SourceLocation {
  /** The input's name. */
  file: string;
  /** Index of the YAML document within the file (0-based). */
  document: number;
  /** `Kind/name` of that document, e.g. `AnalysisTemplate/success-rate`. */
  resource: string;
  /** Path inside the document, as the `yaml` package's `Document.getIn`/`setIn` take it. */
  path: readonly (string | number)[];
}

/** `file#document Kind/name .path.to.field` — how every message and report line names a field. */
export function formatLocation(location: SourceLocation): string {
  const path = location.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('');
  return `${location.file}#${location.document + 1} ${location.resource} ${path || '.'}`;
}

/**
 * One field carried into the policy. `policyPath` is the JSON path in the imported policy
 * (e.g. `['stages', 2, 'rules', 0, 'maxRatio']` or `['guards', 'failureLimit']`); `toSource`
 * turns a (tuned) policy value back into the source's value (e.g. our `failureLimit` n → Argo's
 * `failureLimit` n − 1, a ratio 2 → the condition text `result[0] <= 2 * …`), or is absent when
 * the value is copied unchanged.
 */
export interface MappedField {
  source: SourceLocation;
  /** The value as written in the user's file. */
  sourceValue: unknown;
  policyPath: readonly (string | number)[];
  /** The value in the policy. */
  policyValue: unknown;
  /** Why this mapping, in one line (e.g. "Argo failureLimit counts tolerated failures: n + 1"). */
  note?: string;
  toSource?: (policyValue: unknown) => unknown;
}

/** A field the policy cannot represent, and what that means for the audit's numbers. */
export interface UnrepresentedField {
  source: SourceLocation;
  reason: string;
}

/** Something the importer had to assume (which query is the error rate, a default it filled). */
export interface ImportAssumption {
  source?: SourceLocation;
  text: string;
}

export interface ImportReport {
  source: ImportSource;
  mapped: MappedField[];
  unrepresented: UnrepresentedField[];
  assumptions: ImportAssumption[];
  /** What the original does when a check window has no traffic (no data), in one or two sentences. */
  zeroTraffic: string;
}

export interface ImportResult {
  policy: Policy;
  report: ImportReport;
}

/**
 * Input the importer cannot use: not YAML, the wrong kind, a template the Rollout references but
 * that is missing, a condition it cannot read. `message` is one line naming the file, document and
 * field; the CLI prints it and exits 2.
 */
export class ImportError extends Error {
  readonly location: Partial<SourceLocation> & { file: string };
  constructor(location: Partial<SourceLocation> & { file: string }, reason: string) {
    const where =
      location.document !== undefined && location.resource !== undefined && location.path !== undefined
        ? formatLocation(location as SourceLocation)
        : location.document !== undefined
          ? `${location.file}#${location.document + 1}`
          : location.file;
    super(`${where}: ${reason}`);
    this.name = 'ImportError';
    this.location = location;
  }
}

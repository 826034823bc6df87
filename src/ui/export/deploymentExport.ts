/**
 * The export view's deployment formats: the policy as Argo Rollouts or Flagger YAML, built by the
 * engine's exporters (`argoRolloutsYaml`, `flaggerYaml`) with the options the user typed — the
 * same text `rollout-lab policy export POLICY --format argo|flagger [--flagger-mode M] [...]`
 * prints for the same policy and options. Plain functions (no DOM), unit-tested in node.
 */
import { argoRolloutsYaml } from '../../engine/export/argoRollouts.ts';
import type { ExportOptions } from '../../engine/export/exportOptions.ts';
import { resolveExport } from '../../engine/export/exportOptions.ts';
import type { FlaggerMode } from '../../engine/export/flagger.ts';
import { flaggerYaml } from '../../engine/export/flagger.ts';
import type { Policy } from '../../engine/policy/policy.ts';

/** The formats the export view offers. */
export const exportFormats = ['json', 'argo', 'flagger'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** Flagger's analysis modes (one per Canary: see `src/engine/export/flagger.ts`). */
export const flaggerModes: readonly FlaggerMode[] = ['progressive', 'shadow', 'ab'];

/**
 * The exporter options as the user typed them; an empty (or blank) field means "the exporter's
 * default", exactly as an absent CLI flag does.
 */
export interface DeploymentOptionsText {
  name: string;
  namespace: string;
  service: string;
  requestMetric: string;
  errorMetric: string;
  timeoutMetric: string;
  latencyMetric: string;
  prometheusAddress: string;
  decisionServiceUrl: string;
}

/** The option fields, in the order the view shows them, with labels, CLI flags and the exporter defaults (`exportOptions.ts`). */
export const deploymentOptionFields: readonly { key: keyof DeploymentOptionsText; label: string; flag: string; placeholder: string }[] = [
  { key: 'name', label: 'Resource name', flag: '--name', placeholder: 'from the policy name' },
  { key: 'namespace', label: 'Namespace', flag: '--namespace', placeholder: 'none (omitted)' },
  { key: 'service', label: 'Service / target name', flag: '--service', placeholder: 'the resource name' },
  { key: 'requestMetric', label: 'Requests counter', flag: '--metric-requests', placeholder: 'http_requests_total' },
  { key: 'errorMetric', label: 'Errors counter', flag: '--metric-error', placeholder: 'http_requests_errors_total' },
  { key: 'timeoutMetric', label: 'Timeouts counter', flag: '--metric-timeout', placeholder: 'http_requests_timeouts_total' },
  { key: 'latencyMetric', label: 'Latency histogram (seconds)', flag: '--metric-latency', placeholder: 'http_request_duration_seconds' },
  { key: 'prometheusAddress', label: 'Prometheus address', flag: '--prometheus', placeholder: 'http://prometheus.monitoring:9090' },
  {
    key: 'decisionServiceUrl',
    label: 'Decision service URL (rollout-lab serve)',
    flag: '--decision-service',
    placeholder: 'http://rollout-lab.rollout-lab:8080',
  },
];

/** The exporter options of the typed text: blank fields are left out (the exporter fills its defaults); the rest are trimmed. */
export function deploymentOptions(text: DeploymentOptionsText): ExportOptions {
  const options: ExportOptions = {};
  for (const { key } of deploymentOptionFields) {
    const value = text[key].trim();
    if (value !== '') options[key] = value;
  }
  return options;
}

/** A file ready to download: its text, name and MIME type. */
export interface ExportedFile {
  text: string;
  fileName: string;
  /** `application/yaml` (RFC 9512) for the YAML formats. */
  mimeType: string;
}

/** A deployment export, or the exporter's error message (never thrown). */
export type DeploymentExport = ({ ok: true } & ExportedFile) | { ok: false; message: string };

/**
 * The policy as Argo Rollouts (`Rollout` + `AnalysisTemplate`s) or Flagger (`Canary` +
 * `MetricTemplate`s, in `flaggerMode`) YAML with the typed options. The exporters' `RangeError`s
 * (an option that is not a Kubernetes or Prometheus name, a Flagger mode the policy has no stage
 * for) are returned as `{ ok: false, message }`. File name: `<name>-argo-rollouts.yaml` or
 * `<name>-flagger-<mode>.yaml`, where `<name>` is the resource name (typed, else the exporter's
 * slug of the policy name).
 * Cost: one export, linear in the policy's stages and rules.
 */
export function deploymentExport(
  policy: Policy,
  format: 'argo' | 'flagger',
  flaggerMode: FlaggerMode,
  text: DeploymentOptionsText,
): DeploymentExport {
  const options = deploymentOptions(text);
  try {
    // The resource name the exporter will use (the typed one, else a slug of the policy's name).
    const base = resolveExport(policy, options).options.name;
    if (format === 'argo') {
      return { ok: true, text: argoRolloutsYaml(policy, options), fileName: `${base}-argo-rollouts.yaml`, mimeType: 'application/yaml' };
    }
    return {
      ok: true,
      text: flaggerYaml(policy, { ...options, mode: flaggerMode }),
      fileName: `${base}-flagger-${flaggerMode}.yaml`,
      mimeType: 'application/yaml',
    };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The arguments of `rollout-lab policy export` that print the same text for a policy saved as
 * `policyFile`: shown in the view so a user can reproduce the export headless.
 */
export function deploymentExportCommand(
  policyFile: string,
  format: 'argo' | 'flagger',
  flaggerMode: FlaggerMode,
  text: DeploymentOptionsText,
): string[] {
  const argv = ['policy', 'export', policyFile, '--format', format];
  if (format === 'flagger') argv.push('--flagger-mode', flaggerMode);
  const options = deploymentOptions(text);
  for (const { key, flag } of deploymentOptionFields) {
    const value = options[key];
    if (value !== undefined) argv.push(flag, value);
  }
  return argv;
}

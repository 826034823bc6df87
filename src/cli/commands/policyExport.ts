/**
 * `rollout-lab policy export FILE --format argo|flagger|json [--out FILE] [...]`: the policy as
 * Argo Rollouts or Flagger resources (YAML), or as validated, normalised JSON. With `--out` the
 * file is written atomically (src/cli/atomicWrite.ts); nothing is written when anything fails.
 */

import { argoExportNotes, argoRolloutsYaml } from '../../engine/export/argoRollouts.ts';
import type { ExportOptions } from '../../engine/export/exportOptions.ts';
import type { FlaggerMode } from '../../engine/export/flagger.ts';
import { flaggerExportNotes, flaggerYaml } from '../../engine/export/flagger.ts';
import { choiceOption, parseCommandArgs, UsageError } from '../args.ts';
import { writeFileAtomic } from '../atomicWrite.ts';
import { requirePolicyFile } from '../files.ts';
import type { CliIo, Command } from '../io.ts';
import { writeJson } from '../io.ts';
import { checkOutputFile } from '../outputFile.ts';

const formats = ['argo', 'flagger', 'json'] as const;

/** `rollout-lab policy export`. */
export const policyExportCommand: Command = {
  name: 'policy export',
  summary: 'export a policy to Argo Rollouts (Rollout + AnalysisTemplates) or Flagger (Canary + MetricTemplates) YAML, or normalised JSON',
  usage:
    'policy export POLICY.json --format argo|flagger|json [--flagger-mode progressive|shadow|ab] [--name NAME] [--namespace NS] [--service NAME] ' +
    '[--metric-requests NAME] [--metric-error NAME] [--metric-timeout NAME] [--metric-latency NAME] [--prometheus URL] [--decision-service URL] [--out FILE] [--json]',
  run(argv: string[], io: CliIo): number {
    const args = parseCommandArgs(
      argv,
      {
        format: { type: 'string' },
        'flagger-mode': { type: 'string' },
        name: { type: 'string' },
        namespace: { type: 'string' },
        service: { type: 'string' },
        'metric-requests': { type: 'string' },
        'metric-error': { type: 'string' },
        'metric-timeout': { type: 'string' },
        'metric-latency': { type: 'string' },
        prometheus: { type: 'string' },
        'decision-service': { type: 'string' },
        out: { type: 'string' },
      },
      1,
    );
    const file = args.positionals[0];
    if (file === undefined) throw new UsageError('a policy file is required (e.g. rollout-lab policy default > policy.json)');
    if (args.values.format === undefined) throw new UsageError(`--format is required (${formats.join(', ')})`);
    const format = choiceOption(args, 'format', formats, 'argo');
    const flaggerMode = choiceOption<FlaggerMode>(args, 'flagger-mode', ['progressive', 'shadow', 'ab'], 'progressive');
    if (args.values['flagger-mode'] !== undefined && format !== 'flagger')
      throw new UsageError('--flagger-mode applies only to --format flagger');
    const out = args.values.out as string | undefined;
    if (out !== undefined && out.trim() === '') throw new UsageError('--out must be a file path');
    if (out !== undefined) checkOutputFile(out); // before any work: a missing folder fails now, not after the export
    const policy = requirePolicyFile(file);
    const text = (name: string) => args.values[name] as string | undefined;
    const options: ExportOptions = {
      name: text('name'),
      namespace: text('namespace'),
      service: text('service'),
      requestMetric: text('metric-requests'),
      errorMetric: text('metric-error'),
      timeoutMetric: text('metric-timeout'),
      latencyMetric: text('metric-latency'),
      prometheusAddress: text('prometheus'),
      decisionServiceUrl: text('decision-service'),
    };
    // The exporters throw RangeError naming the option (e.g. `errorMetric must be a Prometheus
    // metric name`); main() prints it as one line with exit code 2.
    const output =
      format === 'argo'
        ? argoRolloutsYaml(policy, options)
        : format === 'flagger'
          ? flaggerYaml(policy, { ...options, mode: flaggerMode })
          : `${JSON.stringify(policy, null, 2)}\n`;
    const documents = format === 'json' ? 1 : output.split(/^---$/m).length - 1;
    // What the target does differently from the simulated policy (also the YAML's leading comments).
    const notes =
      format === 'argo'
        ? argoExportNotes(policy)
        : format === 'flagger'
          ? flaggerExportNotes(policy, { ...options, mode: flaggerMode })
          : undefined;
    if (out !== undefined) {
      try {
        writeFileAtomic(out, output);
      } catch (error) {
        throw new UsageError(`cannot write '${out}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    if (args.values.json) {
      writeJson(io, out !== undefined ? { format, documents, out, notes } : { format, documents, text: output, notes });
    } else if (out !== undefined) {
      io.stdout.write(
        `wrote ${documents} ${format === 'json' ? 'policy' : `document${documents === 1 ? '' : 's'}`} (${format}) to ${out}\n`,
      );
    } else {
      io.stdout.write(output);
    }
    return 0;
  },
};

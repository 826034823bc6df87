/**
 * `rollout-lab policy import FILE.yaml… [--from argo|flagger] [--map METRIC=NAME,…] [--out policy.json] [--json]`:
 * the rollout a team runs (an Argo Rollouts Rollout with its AnalysisTemplates, or a Flagger Canary
 * with its MetricTemplates) as a Rollout Lab policy, with the report of what mapped, what could
 * not be represented and what was assumed (src/engine/import). Input the importer cannot use is
 * one line naming the file, document and field, exit 2.
 */

import { importReportJson, importReportLines } from '../../engine/import/importReportText.ts';
import type { ImportInput, ImportSource, MetricMapping } from '../../engine/import/importTypes.ts';
import { ImportError } from '../../engine/import/importTypes.ts';
import { importRollout } from '../../engine/import/index.ts';
import type { HealthMetric } from '../../engine/policy/policy.ts';
import { choiceOption, parseCommandArgs, UsageError } from '../args.ts';
import { writeFileAtomic } from '../atomicWrite.ts';
import { readTextFile } from '../files.ts';
import type { CliIo, Command } from '../io.ts';
import { writeJson } from '../io.ts';
import { checkOutputFile } from '../outputFile.ts';

const healthMetrics: readonly HealthMetric[] = ['errorRate', 'timeoutRate', 'latencyP50', 'latencyP95', 'latencyP99'];

/**
 * `--map errorRate=success-rate,latencyP95=latency`: which of the user's metrics (by name in the
 * template) is which health metric. Either order is accepted (`success-rate=errorRate`).
 */
export function parseMetricMap(text: string): MetricMapping {
  const map: MetricMapping = {};
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const [left, right, ...rest] = entry.split('=').map((part) => part.trim());
    if (right === undefined || rest.length > 0 || left === '' || right === '') {
      throw new UsageError(`--map entries are METRIC=NAME (e.g. errorRate=success-rate), got '${entry}'`);
    }
    const [metric, name] = healthMetrics.includes(left as HealthMetric) ? [left, right] : [right, left];
    if (!healthMetrics.includes(metric as HealthMetric)) {
      throw new UsageError(`--map '${entry}' names no health metric (one of ${healthMetrics.join(', ')})`);
    }
    map[name] = metric as HealthMetric;
  }
  return map;
}

/** `rollout-lab policy import`. */
export const policyImportCommand: Command = {
  name: 'policy import',
  summary:
    'import an Argo Rollouts (Rollout + AnalysisTemplates) or Flagger (Canary + MetricTemplates) rollout as a policy, with a report of what mapped',
  usage: 'policy import FILE.yaml... [--from argo|flagger] [--map METRIC=NAME,...] [--out policy.json] [--json]',
  run(argv: string[], io: CliIo): number {
    const args = parseCommandArgs(
      argv,
      { from: { type: 'string' }, map: { type: 'string' }, out: { type: 'string' } },
      Number.POSITIVE_INFINITY,
    );
    if (args.positionals.length === 0)
      throw new UsageError('FILE.yaml is required (the Rollout or Canary, and the templates it references)');
    const from = args.values.from === undefined ? undefined : choiceOption<ImportSource>(args, 'from', ['argo', 'flagger'], 'argo');
    const map = args.values.map === undefined ? undefined : parseMetricMap(args.values.map as string);
    const out = args.values.out as string | undefined;
    if (out !== undefined && out.trim() === '') throw new UsageError('--out must be a file path');
    if (out !== undefined) checkOutputFile(out);
    const inputs: ImportInput[] = args.positionals.map((file) => ({ name: file, text: readTextFile(file, `file '${file}'`) }));
    let result;
    try {
      result = importRollout(inputs, { from, map });
    } catch (error) {
      // One line naming file#document Kind/name .field; main() prints it and exits 2.
      if (error instanceof ImportError) throw new UsageError(error.message);
      throw error;
    }
    const policyText = `${JSON.stringify(result.policy, null, 2)}\n`;
    if (out !== undefined) {
      try {
        writeFileAtomic(out, policyText);
      } catch (error) {
        throw new UsageError(`cannot write '${out}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    if (args.values.json) {
      writeJson(io, { policy: result.policy, report: importReportJson(result.report), ...(out !== undefined ? { out } : {}) });
      return 0;
    }
    if (out === undefined) io.stdout.write(policyText);
    else io.stdout.write(`wrote the imported policy (${result.policy.stages.length} stages) to ${out}\n`);
    // The report goes to stderr when the policy is on stdout, so `> policy.json` keeps the JSON clean.
    const reportStream = out === undefined ? io.stderr : io.stdout;
    reportStream.write(`${importReportLines(result.report).join('\n')}\n`);
    return 0;
  },
};

/**
 * Import of a Flagger `Canary` (flagger.app/v1beta1) and the `MetricTemplate`s it references into
 * a Rollout Lab policy — the inverse of `export/flagger.ts`. Read from Flagger's docs
 * (docs/gitbook/usage/deployment-strategies.md, metrics.md, how-it-works.md) and controller
 * (fluxcd/flagger commit 15bd6ad5, `pkg/controller/scheduler.go`, `scheduler_metrics.go`,
 * `pkg/apis/flagger/v1beta1/canary.go`); `export/flaggerAnalysisSemantics.ts` encodes the same rules.
 *
 * The analysis, tick by tick (one tick per `analysis.interval`, default 60s): the first tick sets
 * the first weight without a check; every later tick first rolls back when
 * `status.failedChecks >= threshold` (threshold ≤ 0 reads 1), then runs every metric and
 * `rollout` webhook — one failure fails the check, adds one to `failedChecks` (never reset during
 * the analysis) and holds the step — and a passing check advances. So:
 *
 * - `threshold` n → `guards.failureLimit: n`, `failureCounting: 'total'`, `failureScope: 'rollout'`;
 * - a query with no value ("no values found": zero traffic, NaN) fails the check →
 *   `guards.onNoData: 'fail'`; Flagger has no minimum request count, so `minRequests` is 1
 *   (unless Rollout Lab's own `request-count` metric sets it);
 * - progressive (`stepWeight`/`stepWeights`/`maxWeight`, flaggerSteps.ts): one canary stage per
 *   weight, each lasting one passing check (`minDuration = checkInterval = interval`); a weight of
 *   100 is a full stage; then promote. With `mirror: true` the first step mirrors traffic for one
 *   check (`runCanary`) → a shadow stage of one interval first;
 * - A/B (`iterations` with `match`): the header/cookie cohort gets the candidate for `iterations`
 *   passing checks → an A/B stage of `iterations × interval`, then promote;
 * - Blue/Green with `mirror: true` (`iterations`, no `match`): `iterations` mirrored checks, then
 *   one check with all traffic on the candidate, then promote → shadow, full (one interval), promote.
 *
 * One `interval` and one metric set serve every step, so every stage gets the same check interval
 * and the same rules. A Rollout Lab stage's shadow gates, A/B test and share of an A/B cohort have
 * no Flagger field: the importer fills them and says so in the report's assumptions.
 */
import { durationSeconds, formatDuration } from '../policy/duration.ts';
import type { AbStage, Guards, HealthRule, Policy, ShadowGates, Stage } from '../policy/policy.ts';
import { defaultShadowGates } from '../policy/stages.ts';
import type { FlaggerRule, FlaggerTemplate } from './flaggerMetrics.ts';
import { readFlaggerMetrics } from './flaggerMetrics.ts';
import { flaggerStepWeights } from './flaggerSteps.ts';
import type { ImportAssumption, ImportOptions, ImportResult, MappedField, SourceLocation, UnrepresentedField } from './importTypes.ts';
import { ImportError } from './importTypes.ts';
import type { SourceDocument } from './yamlDocuments.ts';
import { resourceName } from './yamlDocuments.ts';

/** The A/B cohort's share assumed when the Canary routes by header or cookie (no weight in the Canary). */
export const flaggerAbAssumedTraffic = 0.5;

/** The success-rate test given to an imported A/B stage: Flagger runs none, so the stage advances when it finds no difference. */
const importedAbTest: AbStage['test'] = {
  metric: 'successRate',
  alpha: 0.05,
  power: 0.8,
  minimumEffect: 0.02,
  design: { type: 'fixed' },
  onInconclusive: 'advance',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Seconds of a Go-style duration as Flagger writes them (`30s`, `1m`, `1h30m`); undefined otherwise. */
function goDurationSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string' || /[dw]/.test(value)) return undefined;
  return durationSeconds(value);
}

/** A duration value from a tuned policy written back as Flagger writes durations (`5m`, `1h30m`). */
function durationToSource(value: unknown): unknown {
  const seconds = durationSeconds(value);
  return seconds === undefined ? value : formatDuration(seconds);
}

const flaggerGroup = /^flagger\.app\//;

/**
 * The policy and report of the Flagger `Canary` among `docs` (with the `MetricTemplate`s its
 * metrics reference; other documents are ignored and listed as assumptions). `options.map` names
 * which custom metric is which health metric. Throws an `ImportError` (one line naming
 * `file#document Kind/name .field`) when there is no Canary or more than one, when a field is
 * unreadable, when a referenced MetricTemplate is missing, for Blue/Green without mirroring, and
 * when no metric gives a health rule. Cost O(size of the documents).
 */
export function importFlagger(docs: readonly SourceDocument[], options: ImportOptions = {}): ImportResult {
  const canaries = docs.filter((doc) => doc.kind === 'Canary' && flaggerGroup.test(doc.apiVersion));
  if (canaries.length === 0) {
    const first = docs[0];
    const found = docs.map((doc) => `${doc.apiVersion} ${resourceName(doc)}`).join(', ');
    throw new ImportError(
      first ? { file: first.file, document: first.index } : { file: '(no input)' },
      `no Flagger Canary (flagger.app/v1beta1) among the documents: found ${found || 'nothing'}`,
    );
  }
  if (canaries.length > 1) {
    const second = canaries[1];
    throw new ImportError(
      { file: second.file, document: second.index },
      `a second Canary (${resourceName(second)}, after ${resourceName(canaries[0])}): import one Canary at a time`,
    );
  }
  const doc = canaries[0];
  const canary = { file: doc.file, document: doc.index, resource: resourceName(doc) };
  const at = (...path: (string | number)[]): SourceLocation => ({ ...canary, path });
  const value = doc.value as Record<string, unknown>;
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  const spec = value.spec;
  if (!isRecord(spec)) throw new ImportError(at('spec'), 'must be a mapping (the Canary has no spec)');
  const analysis = spec.analysis ?? spec.canaryAnalysis;
  const analysisKey = spec.analysis !== undefined ? 'analysis' : 'canaryAnalysis';
  if (!isRecord(analysis))
    throw new ImportError(at('spec', 'analysis'), 'must be a mapping: a Canary without analysis is promoted without checks');
  const aAt = (...path: (string | number)[]) => at('spec', analysisKey, ...path);

  const mapped: MappedField[] = [];
  const unrepresented: UnrepresentedField[] = [];
  const assumptions: ImportAssumption[] = [];

  const templates: FlaggerTemplate[] = [];
  for (const other of docs) {
    if (other === doc) continue;
    if (other.kind === 'MetricTemplate' && flaggerGroup.test(other.apiVersion)) {
      const templateValue = other.value as Record<string, unknown>;
      const templateMeta = isRecord(templateValue.metadata) ? templateValue.metadata : {};
      const templateSpec = isRecord(templateValue.spec) ? templateValue.spec : {};
      templates.push({
        name: other.name,
        namespace: typeof templateMeta.namespace === 'string' ? templateMeta.namespace : undefined,
        query: typeof templateSpec.query === 'string' ? templateSpec.query : undefined,
        location: { file: other.file, document: other.index, resource: resourceName(other) },
      });
    } else {
      assumptions.push({
        source: { file: other.file, document: other.index, resource: resourceName(other), path: [] },
        text: `${resourceName(other)} is not part of the analysis: ignored`,
      });
    }
  }

  // --- scalar fields -------------------------------------------------------------------------
  const integer = (key: string, min: number): number | undefined => {
    const raw = analysis[key];
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min)
      throw new ImportError(aAt(key), `must be a whole number ≥ ${min}, got ${JSON.stringify(raw)}`);
    return raw;
  };
  const intervalRaw = analysis.interval;
  let intervalSeconds = 60;
  if (intervalRaw !== undefined && intervalRaw !== null && intervalRaw !== '') {
    const seconds = goDurationSeconds(intervalRaw);
    if (seconds === undefined || seconds <= 0)
      throw new ImportError(aAt('interval'), `must be a duration like 30s, 1m or 1h30m, got ${JSON.stringify(intervalRaw)}`);
    intervalSeconds = seconds;
  } else {
    assumptions.push({ source: aAt('interval'), text: "interval is absent: Flagger's default 60s" });
  }
  const interval = formatDuration(intervalSeconds);
  const thresholdRaw = integer('threshold', 0);
  const threshold = thresholdRaw !== undefined && thresholdRaw > 0 ? thresholdRaw : 1;
  if (thresholdRaw === undefined || thresholdRaw === 0)
    assumptions.push({ source: aAt('threshold'), text: 'threshold is absent or 0: Flagger rolls back at the first failed check (1)' });
  const iterations = integer('iterations', 0) ?? 0;
  const stepWeight = integer('stepWeight', 0);
  const maxWeight = integer('maxWeight', 0);
  const mirror = analysis.mirror === true;
  const mirrorWeight = integer('mirrorWeight', 0);
  if (mirrorWeight !== undefined && mirrorWeight > 100)
    throw new ImportError(aAt('mirrorWeight'), `must be at most 100, got ${mirrorWeight}`);
  if (maxWeight !== undefined && maxWeight > 100) throw new ImportError(aAt('maxWeight'), `must be at most 100, got ${maxWeight}`);
  let stepWeights: number[] | undefined;
  if (analysis.stepWeights !== undefined && analysis.stepWeights !== null) {
    const raw = analysis.stepWeights;
    if (!Array.isArray(raw)) throw new ImportError(aAt('stepWeights'), 'must be a list of weights (percent)');
    raw.forEach((weight, i) => {
      if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 1 || weight > 100)
        throw new ImportError(aAt('stepWeights', i), `must be a whole percent between 1 and 100, got ${JSON.stringify(weight)}`);
      if (i > 0 && weight <= raw[i - 1])
        throw new ImportError(
          aAt('stepWeights', i),
          `must be above the previous weight ${raw[i - 1]} (Flagger stops advancing otherwise), got ${weight}`,
        );
    });
    stepWeights = raw as number[];
  }
  const match = Array.isArray(analysis.match) ? analysis.match : [];
  const strategy = match.length > 0 && iterations > 0 ? 'ab' : iterations > 0 ? 'blueGreen' : 'canary';

  // --- metrics ---------------------------------------------------------------------------------
  const map = options.map ?? {};
  const metrics = readFlaggerMetrics({
    canary,
    canaryNamespace: namespace,
    metrics: analysis.metrics,
    templates,
    map,
    durationSeconds: goDurationSeconds,
  });
  unrepresented.push(...metrics.unrepresented);
  assumptions.push(...metrics.assumptions);
  for (const name of Object.keys(map)) {
    if (!metrics.mappedNames.has(name) && name !== 'request-success-rate' && name !== 'request-duration')
      throw new ImportError(
        { file: '--map' },
        `${name} is not a custom metric of ${canary.resource} (its metrics: ${metricNames(analysis.metrics)})`,
      );
  }
  if (metrics.rules.length === 0)
    throw new ImportError(
      aAt('metrics'),
      'no metric gives a health rule: Flagger checks request-success-rate, request-duration or custom metrics; map a custom one with --map NAME=errorRate|timeoutRate|latencyP50|latencyP95|latencyP99',
    );
  for (const metricInterval of metrics.intervals) {
    if (metricInterval.seconds !== intervalSeconds) {
      unrepresented.push({
        source: metricInterval.source,
        reason: `the query reads the last ${formatDuration(metricInterval.seconds)}${metricInterval.explicit ? '' : " (Flagger's default)"} at each check every ${interval}; the policy's check reads the whole check window of ${interval}`,
      });
    }
  }

  // --- stages ---------------------------------------------------------------------------------
  const stages: Stage[] = [];
  let skipCanary: Policy['skipCanary'];
  /** Policy paths of every stage's check interval, to map interval (and equal metric intervals) onto. */
  const intervalPaths: (string | number)[][] = [];
  const ruleStages: { index: number; key: 'rules' | 'guardrails' }[] = [];
  const rules: HealthRule[] = metrics.rules.map((rule) =>
    rule.type === 'ratio'
      ? { type: 'ratio', metric: rule.metric, maxRatio: rule.limit }
      : { type: 'absolute', metric: rule.metric, max: rule.limit },
  );
  const pushShadow = (minDurationChecks: number) => {
    const gates = shadowGates(
      metrics.rules,
      aAt,
      mapped,
      stages.length,
      assumptions,
      unrepresented,
      metrics.rules.filter((r) => r.type === 'absolute'),
    );
    const traffic = mirrorWeight !== undefined && mirrorWeight > 0 ? mirrorWeight / 100 : 1;
    const index = stages.length;
    stages.push({
      kind: 'shadow',
      minDuration: formatDuration(minDurationChecks * intervalSeconds),
      checkInterval: interval,
      traffic,
      comparison: { method: 'exact' },
      gates,
    });
    intervalPaths.push(['stages', index, 'checkInterval']);
    if (mirrorWeight !== undefined && mirrorWeight > 0) {
      mapped.push({
        source: aAt('mirrorWeight'),
        sourceValue: mirrorWeight,
        policyPath: ['stages', index, 'traffic'],
        policyValue: traffic,
        note: 'mirrorWeight is a percent',
        toSource: (v) => percent(v as number),
      });
    } else {
      assumptions.push({ source: aAt('mirrorWeight'), text: 'mirrorWeight is absent: Flagger mirrors 100% of the traffic' });
    }
    assumptions.push({
      source: aAt('mirror'),
      text: "Flagger compares no answers while mirroring: the shadow stage's agreement gate is the workbench default (exact match, agreement > 85% over ≥ 1,000 comparisons)",
    });
    return index;
  };

  if (strategy === 'canary') {
    if (iterations === 0 && match.length > 0)
      unrepresented.push({
        source: aAt('match'),
        reason: 'match without iterations: Flagger runs a weighted canary and uses the match only for routing',
      });
    const weights = flaggerStepWeights({ stepWeight, stepWeights, maxWeight });
    if (weights.length === 0)
      throw new ImportError(
        aAt('stepWeight'),
        'the analysis has no step: set stepWeight, stepWeights, or iterations (Flagger never advances otherwise)',
      );
    if (maxWeight !== undefined && maxWeight > 0 && stepWeights !== undefined && maxWeight !== weights[weights.length - 1])
      unrepresented.push({
        source: aAt('maxWeight'),
        reason: `maxWeight is ignored when stepWeights is set: the last of stepWeights (${weights[weights.length - 1]}) is the largest weight`,
      });
    if (stepWeight !== undefined && stepWeight > 0 && stepWeights !== undefined)
      unrepresented.push({
        source: aAt('stepWeights'),
        reason: 'stepWeight is set too, and Flagger steps by stepWeight; stepWeights only sets the largest weight',
      });
    if (mirror) {
      const shadowIndex = pushShadow(1);
      mapped.push({
        source: aAt('mirror'),
        sourceValue: true,
        policyPath: ['stages', shadowIndex, 'kind'],
        policyValue: 'shadow',
        note: 'mirror with progressive steps: one mirrored check before the first weight',
      });
    }
    const lastWeight = weights[weights.length - 1];
    weights.forEach((weight, step) => {
      const index = stages.length;
      if (weight >= 100)
        stages.push({
          kind: 'full',
          traffic: 1,
          minDuration: interval,
          checkInterval: interval,
          rules: rules.map((rule) => ({ ...rule })),
        });
      else
        stages.push({
          kind: 'canary',
          traffic: weight / 100,
          minDuration: interval,
          checkInterval: interval,
          rules: rules.map((rule) => ({ ...rule })),
        });
      intervalPaths.push(['stages', index, 'checkInterval']);
      ruleStages.push({ index, key: 'rules' });
      if (weight < 100) {
        if (stepWeights !== undefined && !(stepWeight !== undefined && stepWeight > 0)) {
          mapped.push({
            source: aAt('stepWeights', step),
            sourceValue: weight,
            policyPath: ['stages', index, 'traffic'],
            policyValue: weight / 100,
            note: 'stepWeights are percents; each step lasts one passing check',
            toSource: (v) => percent(v as number),
          });
        } else if (step === 0 && stepWeight !== undefined) {
          mapped.push({
            source: aAt('stepWeight'),
            sourceValue: stepWeight,
            policyPath: ['stages', index, 'traffic'],
            policyValue: weight / 100,
            note: 'stepWeight is a percent added at every passing check: the first step, and every later step a multiple of it',
            toSource: (v) => percent(v as number),
          });
        } else if (step === weights.length - 1 && maxWeight !== undefined && weight === maxWeight && weight === lastWeight) {
          mapped.push({
            source: aAt('maxWeight'),
            sourceValue: maxWeight,
            policyPath: ['stages', index, 'traffic'],
            policyValue: weight / 100,
            note: 'maxWeight is the last step (a percent)',
            toSource: (v) => percent(v as number),
          });
        }
      }
    });
    if (maxWeight !== undefined && stepWeights === undefined && lastWeight !== maxWeight)
      assumptions.push({
        source: aAt('maxWeight'),
        text: `stepWeight ${stepWeight} does not divide maxWeight ${maxWeight}: Flagger's last step goes to ${lastWeight}%, past maxWeight`,
      });
    assumptions.push({
      source: aAt('interval'),
      text: `Flagger moves to the next weight after each passing check: every step lasts one check of ${interval} (the policy's minDuration)`,
    });
  } else if (strategy === 'ab') {
    const index = stages.length;
    stages.push({
      kind: 'ab',
      traffic: flaggerAbAssumedTraffic,
      minDuration: formatDuration(iterations * intervalSeconds),
      checkInterval: interval,
      test: { ...importedAbTest, design: { ...importedAbTest.design } },
      guardrails: rules.map((rule) => ({ ...rule })),
    });
    intervalPaths.push(['stages', index, 'checkInterval']);
    ruleStages.push({ index, key: 'guardrails' });
    mapped.push(iterationsField(aAt('iterations'), iterations, intervalSeconds, ['stages', index, 'minDuration']));
    skipCanary = {
      reason: 'Flagger A/B testing routes the matched cohort to the candidate from the first iteration, without a weighted canary',
    };
    assumptions.push({
      source: aAt('match'),
      text: `Flagger routes the A/B cohort by header or cookie and the Canary does not say how much traffic matches: assumed ${flaggerAbAssumedTraffic * 100}%`,
    });
    assumptions.push({
      source: aAt('iterations'),
      text: "Flagger runs no success-metric test and promotes after its iterations: the A/B stage carries the workbench's fixed test (2-point effect, α 0.05, power 0.8, advancing when it finds no difference), so it also waits for the test's planned sample and rolls back if the test finds the candidate worse",
    });
    if (mirror)
      unrepresented.push({ source: aAt('mirror'), reason: 'mirror has no effect in A/B testing (Flagger routes the matched cohort)' });
  } else {
    if (!mirror)
      throw new ImportError(
        aAt('iterations'),
        'Blue/Green without mirror: the candidate serves no user traffic during the iterations (only webhook load tests), which the policy cannot express; set mirror: true, or use stepWeight/stepWeights',
      );
    const shadowIndex = pushShadow(iterations);
    mapped.push(iterationsField(aAt('iterations'), iterations, intervalSeconds, ['stages', shadowIndex, 'minDuration']));
    const index = stages.length;
    stages.push({ kind: 'full', traffic: 1, minDuration: interval, checkInterval: interval, rules: rules.map((rule) => ({ ...rule })) });
    intervalPaths.push(['stages', index, 'checkInterval']);
    ruleStages.push({ index, key: 'rules' });
    skipCanary = { reason: 'Flagger Blue/Green switches all traffic to the candidate after the mirrored iterations' };
    assumptions.push({
      source: aAt('iterations'),
      text: `after ${iterations} mirrored checks Flagger routes all traffic to the candidate and promotes after one more passing check (${interval}): a full stage of one check`,
    });
  }
  stages.push({ kind: 'promote' });

  // --- mapped fields: interval, rules, threshold, minRequests -----------------------------------
  for (const policyPath of intervalPaths) {
    mapped.push({
      source: aAt('interval'),
      sourceValue: intervalRaw,
      policyPath,
      policyValue: interval,
      note: 'analysis.interval: one check per tick',
      toSource: durationToSource,
    });
    for (const metricInterval of metrics.intervals) {
      if (metricInterval.seconds === intervalSeconds && metricInterval.explicit) {
        mapped.push({
          source: metricInterval.source,
          sourceValue: metricInterval.text,
          policyPath,
          policyValue: interval,
          note: "the metric's query window equals the check interval",
          toSource: durationToSource,
        });
      }
    }
  }
  for (const { index, key } of ruleStages) {
    metrics.rules.forEach((rule, ruleIndex) => {
      mapped.push({
        source: rule.source,
        sourceValue: rule.sourceValue,
        policyPath: ['stages', index, key, ruleIndex, rule.type === 'ratio' ? 'maxRatio' : 'max'],
        policyValue: rule.limit,
        note: rule.note,
        ...(rule.toSource ? { toSource: rule.toSource } : {}),
      });
    });
  }
  const guards: Guards = {
    minRequests: metrics.minRequests?.value ?? 1,
    failureLimit: threshold,
    failureCounting: 'total',
    failureScope: 'rollout',
    onNoData: 'fail',
  };
  mapped.push({
    source: aAt('threshold'),
    sourceValue: thresholdRaw,
    policyPath: ['guards', 'failureLimit'],
    policyValue: threshold,
    note: 'Flagger rolls back when failedChecks >= threshold, failed checks counted in total over the analysis',
  });
  if (metrics.minRequests) {
    mapped.push({
      source: metrics.minRequests.source,
      sourceValue: metrics.minRequests.value,
      policyPath: ['guards', 'minRequests'],
      policyValue: metrics.minRequests.value,
      note: 'request-count fails a check below this many candidate requests',
    });
  } else {
    assumptions.push({
      text: 'Flagger has no minimum request count: any window with a request is judged (guards.minRequests 1), and an empty one fails',
    });
  }

  for (const [key, reason] of unrepresentedAnalysisFields) {
    if (analysis[key] !== undefined) unrepresented.push({ source: aAt(key), reason });
  }
  for (const [key, reason] of unrepresentedSpecFields) {
    if (spec[key] !== undefined && spec[key] !== false) unrepresented.push({ source: at('spec', key), reason });
  }
  if (Array.isArray(analysis.webhooks)) {
    analysis.webhooks.forEach((hook, i) => {
      const type = isRecord(hook) && typeof hook.type === 'string' && hook.type !== '' ? hook.type : 'rollout';
      const url = isRecord(hook) && typeof hook.url === 'string' ? hook.url : '';
      const name = isRecord(hook) && typeof hook.name === 'string' ? hook.name : `#${i}`;
      unrepresented.push({
        source: aAt('webhooks', i),
        reason: /\/v1\/gate$/.test(url)
          ? `webhook ${name} asks rollout-lab's decision service, whose rules (statistical rules, shadow agreement, the A/B test) are in the policy it serves, not in the Canary`
          : type === 'rollout'
            ? `rollout webhook ${name}: a failing call fails the check, which the policy cannot simulate (it is assumed to pass)`
            : `${type} webhook ${name} gates or tests outside the metrics (assumed to pass)`,
      });
    });
  }

  const policy: Policy = {
    version: 1,
    name: doc.name || 'flagger canary',
    description: `Imported from Flagger ${canary.resource} (${strategy === 'canary' ? 'progressive canary' : strategy === 'ab' ? 'A/B testing' : 'Blue/Green with mirroring'}).`,
    baseline: { mode: 'concurrent' },
    guards,
    ...(skipCanary ? { skipCanary } : {}),
    stages,
  };
  const quiet = formatDuration(threshold * intervalSeconds);
  const zeroTraffic =
    `Flagger has no hold: with no traffic a metric query returns no value ("Halt advancement no values found"), the check fails and counts toward threshold, so ${threshold} quiet check(s) — ${quiet} — roll the canary back. ` +
    `The imported policy does the same (guards.onNoData 'fail', failures counted in total over the rollout${metrics.minRequests ? `, and a window with fewer than ${metrics.minRequests.value} candidate requests counts as quiet` : ''}).`;
  return { policy, report: { source: 'flagger', mapped, unrepresented, assumptions, zeroTraffic } };
}

/** Percent from a share without float noise: 0.05 → 5. */
function percent(share: number): number {
  return Number((share * 100).toFixed(6));
}

/** `iterations` → the stage's minDuration (iterations × interval), and back (rounded up to whole checks). */
function iterationsField(
  source: SourceLocation,
  iterations: number,
  intervalSeconds: number,
  policyPath: (string | number)[],
): MappedField {
  return {
    source,
    sourceValue: iterations,
    policyPath,
    policyValue: formatDuration(iterations * intervalSeconds),
    note: 'iterations passing checks of one interval each',
    toSource: (v) => {
      const seconds = durationSeconds(v);
      return seconds === undefined ? v : Math.max(1, Math.ceil(seconds / intervalSeconds - 1e-9));
    },
  };
}

/**
 * The shadow gates: the error and p95 ratio rules when the Canary has them (as maxErrorRatio /
 * maxLatencyRatio, mapped back to their thresholds), the workbench defaults otherwise; absolute
 * rules, which a shadow stage cannot judge, are reported.
 */
function shadowGates(
  rules: readonly FlaggerRule[],
  aAt: (...path: (string | number)[]) => SourceLocation,
  mapped: MappedField[],
  stageIndex: number,
  assumptions: ImportAssumption[],
  unrepresented: UnrepresentedField[],
  absolute: readonly FlaggerRule[],
): ShadowGates {
  const gates = defaultShadowGates();
  for (const [metric, key] of [
    ['errorRate', 'maxErrorRatio'],
    ['latencyP95', 'maxLatencyRatio'],
  ] as const) {
    const rule = rules.find((r) => r.type === 'ratio' && r.metric === metric);
    if (rule) {
      gates[key] = rule.limit;
      mapped.push({
        source: rule.source,
        sourceValue: rule.sourceValue,
        policyPath: ['stages', stageIndex, 'gates', key],
        policyValue: rule.limit,
        note: `the ${metric} ratio checked while mirroring is the shadow stage's ${key} (Flagger passes at the bound, the gate needs below it)`,
      });
    } else {
      assumptions.push({
        source: aAt('mirror'),
        text: `no ${metric} ratio to the primary while mirroring: the shadow gate ${key} is the workbench default ${gates[key]}`,
      });
    }
  }
  for (const rule of absolute) {
    unrepresented.push({
      source: rule.source,
      reason: `while mirroring Flagger checks this absolute ${rule.metric} limit every interval; the shadow stage judges only ratios to control and agreement, at its end (the limit applies from the first served stage on)`,
    });
  }
  return gates;
}

/** The names of the Canary's metrics, for a message. */
function metricNames(metrics: unknown): string {
  if (!Array.isArray(metrics)) return 'none';
  const names = metrics.map((m) => (isRecord(m) && typeof m.name === 'string' ? m.name : '?'));
  return names.length > 0 ? names.join(', ') : 'none';
}

/** Analysis fields the policy has no counterpart for, and why. */
const unrepresentedAnalysisFields: readonly [string, string][] = [
  ['primaryReadyThreshold', 'pod readiness of the primary is a deployment concern, not a check the policy simulates'],
  ['canaryReadyThreshold', 'pod readiness of the canary is a deployment concern, not a check the policy simulates'],
  ['sessionAffinity', 'cookie-based session affinity keeps users on the canary; the simulator routes sticky users by its own bucketing'],
  ['alerts', 'alert providers notify people; they do not change the decision'],
  ['stepWeightPromotion', 'the promotion traffic shift after the analysis is not checked, so the policy has no stage for it'],
];

/** Canary spec fields the policy has no counterpart for, and why. */
const unrepresentedSpecFields: readonly [string, string][] = [
  ['progressDeadlineSeconds', 'a rollback when pods do not become ready in time is a deployment failure, not a metric check'],
  ['skipAnalysis', 'skipAnalysis promotes without checks: the policy describes the checks that would run'],
];

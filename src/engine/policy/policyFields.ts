/**
 * The field table of a version-1 policy: each per-field constraint written once — type, range,
 * choices, required, description — checked by `parsePolicy` through the engine's validation
 * machinery (src/engine/validation) and published from the same table as
 * `scenarios/policy.schema.json` (`npm run schemas`). The cross-field rules a JSON Schema cannot
 * state are the table's `check` hooks, beside the fields they relate: stage order, non-decreasing
 * canary shares, min ≤ max duration, check interval within the stage, historical baseline
 * present, instant 100% refused, skipping the canary only with a reason, allow/deny overlap,
 * schedule order, A/B power greater than alpha, the A/B metric list's roles (abMetricRoles, abMetricList),
 * absolute rate limits at most 1, spending only with
 * alpha spending, a failure window only with (and required by) 'mOfN' counting and at least the failure limit. A new rule type is a new variant of `healthRule` here.
 */
import type { CrossFieldCheck, FieldSpec, ObjectSpec, SchemaHeader } from '../validation/index.ts';
import {
  arrayField,
  booleanField,
  choiceField,
  constantField,
  durationField,
  numberField,
  objectField,
  rangePhrase,
  textField,
  validateDocument,
  variantsField,
} from '../validation/index.ts';
import { durationSeconds } from './duration.ts';
import type { StageKind } from './policy.ts';
import { stageKindOrder } from './policy.ts';

type JsonObject = Record<string, unknown>;

const healthMetrics = ['errorRate', 'timeoutRate', 'latencyP50', 'latencyP95', 'latencyP99'];
const rateMetrics = ['errorRate', 'timeoutRate'];
const spendingFunctions = ['obrienFleming', 'pocock'];
const onMaxDuration = choiceField(['rollback', 'hold'], {
  description: 'What the stage does when it reaches maxDuration without a conclusion.',
});
const openUnit = { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true };

/** True when `value` passes `spec` on its own (for cross-field rules that read a field). */
function passes(value: unknown, spec: FieldSpec): boolean {
  return validateDocument(value, spec).length === 0;
}

/** The largest `failureWindow`: the last N outcomes are kept as the bits of one 32-bit integer (controller/failureCount.ts). */
export const maxFailureWindow = 30;

/**
 * `failureWindow` is required for, and only allowed with, `failureCounting: 'mOfN'`, and is at
 * least `failureLimit` (default 1) — on the guards each stage runs with (its own merged over the
 * policy's), reported where the stage's guards say it, else at the policy's `guards`, once.
 */
const failureWindowWithMOfN: CrossFieldCheck = (root, _path, report) => {
  const policyGuards = isObject(root.guards) ? root.guards : {};
  const seen = new Set<string>();
  const once = (path: string, message: string) => {
    if (seen.has(`${path}\n${message}`)) return;
    seen.add(`${path}\n${message}`);
    report(path, message);
  };
  const countingKeys = ['failureCounting', 'failureWindow', 'failureLimit'];
  checkMergedGuards(policyGuards, 'guards', once);
  if (!Array.isArray(root.stages)) return;
  root.stages.forEach((stage, index) => {
    if (!isObject(stage) || !isObject(stage.guards)) return;
    const own = stage.guards;
    if (!countingKeys.some((key) => key in own)) return;
    checkMergedGuards({ ...policyGuards, ...own }, `stages[${index}].guards`, once);
  });
};

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The failure-window rules on one (merged) guards object. */
function checkMergedGuards(guards: JsonObject, path: string, report: (path: string, message: string) => void): void {
  const window = guards.failureWindow;
  if (typeof window !== 'number' && window !== undefined) return;
  if (guards.failureCounting === 'mOfN') {
    if (window === undefined) {
      report(`${path}.failureWindow`, "is required with failureCounting 'mOfN': the N of 'M of the last N checks'");
      return;
    }
    const limit = typeof guards.failureLimit === 'number' ? guards.failureLimit : 1;
    if (Number.isInteger(limit) && window < limit)
      report(
        `${path}.failureWindow`,
        `must be at least failureLimit (${limit}): ${limit} failures cannot fit in the last ${window} checks`,
      );
  } else if (window !== undefined) {
    report(`${path}.failureWindow`, `applies only to failureCounting 'mOfN', not '${String(guards.failureCounting ?? 'consecutive')}'`);
  }
}

const guards = objectField(
  {
    minRequests: numberField({
      min: 1,
      integer: true,
      description: 'Minimum requests per arm per window before a rule may fire (default 100).',
    }),
    failureLimit: numberField({
      min: 1,
      integer: true,
      description: 'Roll back when the count of failing checks (failureCounting) reaches this (default 1).',
    }),
    failureCounting: choiceField(['consecutive', 'total', 'mOfN'], {
      description:
        "How failing checks are counted: 'consecutive' (default; a pass resets), 'total' (Argo failureLimit, Flagger threshold) or 'mOfN' (failureLimit of the last failureWindow evaluated checks).",
    }),
    failureWindow: numberField({
      min: 1,
      max: maxFailureWindow,
      integer: true,
      description: "N of 'mOfN': the most recent evaluated checks looked at; at least failureLimit. Only with 'mOfN'.",
    }),
    failureScope: choiceField(['stage', 'rollout'], {
      description: "Where the counts start again: every stage (default 'stage') or once per rollout ('rollout').",
    }),
    onNoData: choiceField(['hold', 'fail', 'inconclusive'], {
      description:
        "A check window below minRequests (zero traffic included) or without a rule's metric: 'hold' (default; neither counts nor resets), 'fail' (a failing check) or 'inconclusive' (counts toward inconclusiveLimit).",
    }),
    inconclusiveLimit: numberField({
      min: 1,
      integer: true,
      description:
        'Inconclusive checks (same scope as failures) at which the stage pauses until maxDuration / onMaxDuration (default: no limit).',
    }),
  },
  { definition: 'guards', description: 'Guards that decide when rules may fire at all.' },
);

/** An absolute limit on a rate is a probability: at most 1. */
const rateLimitAtMostOne: CrossFieldCheck = (rule, path, report, failed) => {
  if (failed.has('max') || !rateMetrics.includes(rule.metric as string) || typeof rule.max !== 'number') return;
  if (rule.max > 1) report(`${path}.max`, `must be ${rangePhrase({ min: 0, max: 1 })} for a rate metric, got ${rule.max}`);
};

/** `spending` belongs to the alpha-spending method only. */
const spendingOnlyWithAlphaSpending: CrossFieldCheck = (rule, path, report) => {
  if (rule.spending !== undefined && rule.method !== 'alphaSpending') report(`${path}.spending`, "applies only to method 'alphaSpending'");
};

export const healthRule = variantsField(
  'type',
  {
    ratio: objectField(
      {
        type: constantField('ratio'),
        metric: choiceField(healthMetrics, { required: true }),
        maxRatio: numberField({
          required: true,
          min: 0,
          exclusiveMin: true,
          description: 'Largest allowed candidate/reference ratio (framework: error 2, p95 1.5, p50 1.2, timeout 2).',
        }),
      },
      { description: 'Ratio to baseline: the candidate fails when its metric exceeds maxRatio × the reference.' },
    ),
    absolute: objectField(
      {
        type: constantField('absolute'),
        metric: choiceField(healthMetrics, { required: true }),
        max: numberField({ required: true, min: 0, description: 'The limit: a rate between 0 and 1, or a latency in ms.' }),
      },
      { description: 'An absolute limit: the candidate fails when its metric is above max.', check: rateLimitAtMostOne },
    ),
    statistical: objectField(
      {
        type: constantField('statistical'),
        metric: choiceField(rateMetrics, { required: true }),
        minimumEffect: numberField({
          required: true,
          min: 0,
          max: 1,
          exclusiveMax: true,
          description: 'Absolute difference of rates that matters (0.005 = half a percentage point).',
        }),
        alpha: numberField({ ...openUnit, description: 'One-sided false-alarm probability over the whole stage (default 0.05).' }),
        method: choiceField(['alphaSpending', 'alwaysValid'], {
          required: true,
          requiredHint: "'alphaSpending' or 'alwaysValid'",
          description: 'How repeated looks are corrected.',
        }),
        spending: choiceField(spendingFunctions, { description: "Spending function for 'alphaSpending' (default 'obrienFleming')." }),
      },
      {
        description: 'A one-sided test of candidate vs control with a minimum effect, corrected for repeated looks.',
        check: spendingOnlyWithAlphaSpending,
      },
    ),
  },
  { definition: 'healthRule' },
);

function rules(what: string): FieldSpec {
  return arrayField(healthRule, {
    required: true,
    requiredHint: what,
    minItems: 1,
    tooFew: `must list at least one health rule: ${what}`,
    expected: 'an array of health rules',
  });
}

/** minDuration ≤ maxDuration, and the check interval no longer than the stage. */
const stageDurations: CrossFieldCheck = (stage, path, report) => {
  const minDuration = durationSeconds(stage.minDuration);
  const maxDuration = durationSeconds(stage.maxDuration);
  const validMax = maxDuration !== undefined && maxDuration > 0 ? maxDuration : undefined;
  if (minDuration !== undefined && validMax !== undefined && minDuration > validMax) {
    report(`${path}.minDuration`, `(${String(stage.minDuration)}) must not exceed maxDuration (${String(stage.maxDuration)})`);
  }
  const interval = durationSeconds(stage.checkInterval);
  const length = minDuration !== undefined && minDuration > 0 ? minDuration : validMax;
  if (interval !== undefined && interval > 0 && length !== undefined && interval > length) {
    const which = length === minDuration ? 'minDuration' : 'maxDuration';
    report(
      `${path}.checkInterval`,
      `(${String(stage.checkInterval)}) must not be longer than the stage's ${which} (${String(stage[which])})`,
    );
  }
};

function stage(kind: StageKind, description: string, own: Record<string, FieldSpec>, needsMinDuration = true): ObjectSpec {
  return objectField(
    {
      kind: constantField(kind),
      name: textField({ description: 'A label for reports (defaults to the kind and share, e.g. "canary 5%").' }),
      minDuration: durationField({
        required: needsMinDuration,
        description: 'Time the stage must spend in passing checks before it may advance.',
      }),
      maxDuration: durationField({ positive: true, description: 'Longest the stage may run; then onMaxDuration applies.' }),
      checkInterval: durationField({ positive: true, description: 'Expected length of a check window (default 5m).' }),
      onMaxDuration,
      guards,
      ...own,
    },
    { description, check: stageDurations },
  );
}

/** A/B power must exceed alpha (defaults 0.8 and 0.05). */
const powerAboveAlpha: CrossFieldCheck = (test, path, report, failed) => {
  if (failed.has('alpha') || failed.has('power')) return;
  const alpha = typeof test.alpha === 'number' ? test.alpha : 0.05;
  const power = typeof test.power === 'number' ? test.power : 0.8;
  if (!(power > alpha)) report(`${path}.power`, `must be greater than alpha (${alpha}), got ${power}`);
};

/** One A/B metric's fields that depend on its role and kind. */
const abMetricRoles: CrossFieldCheck = (metric, path, report) => {
  if (metric.role === 'success') {
    if (metric.minimumEffect === undefined && metric.name !== 'successRate') {
      report(`${path}.minimumEffect`, 'is required for a success metric: the planned improvement, in the metric’s units');
    }
    if (metric.margin !== undefined) report(`${path}.margin`, "applies only to a guardrail (role 'guardrail')");
  } else if (metric.role === 'guardrail') {
    if (metric.margin === undefined)
      report(`${path}.margin`, 'is required for a guardrail: { absolute } or { relative } non-inferiority margin');
    if (metric.minimumEffect !== undefined) report(`${path}.minimumEffect`, "applies only to a success metric (role 'success')");
  }
  if (metric.cuped === true && metric.kind !== 'mean')
    report(`${path}.cuped`, `applies only to a 'mean' metric, got kind '${String(metric.kind)}'`);
  if (metric.name === 'successRate' && metric.kind !== undefined && metric.kind !== 'proportion') {
    report(`${path}.kind`, `must be 'proportion' for 'successRate' (the successes / outcomes counts), got '${String(metric.kind)}'`);
  }
};

/** A margin is either absolute or relative. */
const oneMargin: CrossFieldCheck = (margin, path, report) => {
  const given = ['absolute', 'relative'].filter((key) => margin[key] !== undefined);
  if (given.length !== 1) report(path, `must give exactly one of absolute, relative, got ${given.length === 0 ? 'neither' : 'both'}`);
};

const abMetric = objectField(
  {
    name: textField({
      required: true,
      nonEmpty: true,
      description: "The key in the windows' values (ArmWindow.values), or 'successRate' for the successes / outcomes counts.",
    }),
    kind: choiceField(['proportion', 'mean', 'ratio'], {
      required: true,
      description: 'proportion: a rate; mean: the mean of x per unit (y the CUPED covariate); ratio: Σx/Σy over units (delta method).',
    }),
    role: choiceField(['success', 'guardrail'], {
      required: true,
      description: 'success: must improve for the candidate to ship; guardrail: must be shown non-inferior.',
    }),
    direction: choiceField(['higher-is-better', 'lower-is-better'], {
      description: "Which way is good (default 'higher-is-better' for success metrics, 'lower-is-better' for guardrails).",
    }),
    minimumEffect: numberField({
      min: 0,
      exclusiveMin: true,
      description: 'Success metrics: the planned improvement, absolute, in the metric’s units.',
    }),
    margin: objectField(
      {
        absolute: numberField({ min: 0, exclusiveMin: true, description: 'How much worse the candidate may be, in the metric’s units.' }),
        relative: numberField({ min: 0, exclusiveMin: true, description: "How much worse, as a share of control's value (0.05 = 5%)." }),
      },
      { description: 'Guardrails: the non-inferiority margin, absolute or relative.', check: oneMargin },
    ),
    cuped: booleanField({ description: 'Mean metrics: adjust with the pre-period covariate y (CUPED). Default false.' }),
  },
  { description: 'One metric of the A/B test with its role in the decision.', check: abMetricRoles },
);

/** At least one success metric, and each name once. */
const abMetricList = (metrics: unknown[], path: string, report: (path: string, message: string) => void): void => {
  const seen = new Map<string, number>();
  let successes = 0;
  metrics.forEach((metric, i) => {
    if (typeof metric !== 'object' || metric === null) return;
    const { name, role } = metric as JsonObject;
    if (role === 'success') successes++;
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first !== undefined) report(`${path}[${i}].name`, `'${name}' is already ${path}[${first}]: names must be unique`);
    else seen.set(name, i);
  });
  if (successes === 0) report(path, "must include at least one success metric (role 'success')");
};

const abTest = objectField(
  {
    metric: choiceField(['successRate'], {
      required: true,
      requiredHint: "the A/B test needs a success metric ('successRate')",
      description: 'The success metric: successes / outcomes of each arm.',
    }),
    alpha: numberField({ ...openUnit, description: 'Two-sided significance level (default 0.05).' }),
    power: numberField({ ...openUnit, description: 'Power to detect minimumEffect, greater than alpha (default 0.8).' }),
    minimumEffect: numberField({
      required: true,
      requiredHint: 'the smallest difference in success rate worth acting on',
      min: 0,
      max: 0.5,
      exclusiveMin: true,
      exclusiveMax: true,
      description: 'Smallest absolute difference in success rate worth acting on.',
    }),
    design: variantsField(
      'type',
      {
        fixed: objectField({ type: constantField('fixed') }, { description: 'One look at the planned sample size.' }),
        groupSequential: objectField(
          {
            type: constantField('groupSequential'),
            looks: numberField({ required: true, min: 2, max: 100, integer: true }),
            spending: choiceField(spendingFunctions, { required: true }),
          },
          { description: 'Lan–DeMets alpha spending over equally spaced looks.' },
        ),
        alwaysValid: objectField({ type: constantField('alwaysValid') }, { description: 'Always-valid inference: look at every window.' }),
      },
      { required: true, requiredHint: "{ type: 'fixed' | 'groupSequential' | 'alwaysValid' }" },
    ),
    baselineRate: numberField({
      ...openUnit,
      description: 'Control success rate used to plan the sample size; estimated from the data when absent.',
    }),
    sampleSize: numberField({ min: 1, integer: true, description: 'Planned outcomes per arm; overrides the computed sample size.' }),
    onInconclusive: choiceField(['hold', 'advance', 'rollback'], {
      description:
        "What the stage does when the test ends without showing a difference (default 'hold'), the same for every design: the fixed design's planned sample, the group-sequential final look, the always-valid design's planned sample as its maximum.",
    }),
    metrics: arrayField(abMetric, {
      minItems: 1,
      tooFew: 'must list at least one metric when given',
      expected: 'an array of metrics { name, kind, role, … }',
      description:
        'Decide on several metrics with roles (ship only if a success metric improved and every guardrail is non-inferior; roll back when a metric is significantly worse).',
      check: abMetricList,
    }),
  },
  { required: true, requiredHint: 'the A/B stage needs a test { metric, minimumEffect, design }', check: powerAboveAlpha },
);

const servingShare = {
  required: true,
  requiredHint: 'the candidate share, between 0 and 1',
  ...openUnit,
  description: 'Candidate share, strictly between 0 and 1.',
};

const stageSpec = variantsField(
  'kind',
  {
    baseline: stage('baseline', 'Collect control metrics before anything changes (the historical baseline).', {
      minRequests: numberField({
        required: true,
        requiredHint: 'control requests the historical baseline must hold',
        min: 1,
        integer: true,
      }),
    }),
    shadow: stage('shadow', 'The candidate sees mirrored traffic and serves nobody.', {
      traffic: numberField({ min: 0, max: 1, exclusiveMin: true, description: 'Share of traffic mirrored to the candidate (default 1).' }),
      comparison: variantsField(
        'method',
        {
          exact: objectField({ method: constantField('exact') }),
          numericTolerance: objectField({ method: constantField('numericTolerance'), tolerance: numberField({ required: true, min: 0 }) }),
          tokenOverlap: objectField({
            method: constantField('tokenOverlap'),
            threshold: numberField({ required: true, min: 0, max: 1, exclusiveMin: true }),
          }),
        },
        { required: true, requiredHint: "shadow mode needs a comparison { method: 'exact' | 'numericTolerance' | 'tokenOverlap' }" },
      ),
      gates: objectField(
        {
          minAgreement: numberField({ required: true, ...openUnit, description: 'Agreement rate must be above this (framework: 0.85).' }),
          maxLatencyRatio: numberField({
            required: true,
            min: 0,
            exclusiveMin: true,
            description: "Candidate p95 must be below this multiple of control's (framework: 1.5).",
          }),
          maxErrorRatio: numberField({
            required: true,
            min: 0,
            exclusiveMin: true,
            description: "Candidate error rate must be below this multiple of control's (framework: 2).",
          }),
          minComparisons: numberField({
            required: true,
            min: 1,
            integer: true,
            description: 'Comparisons needed before the gates are judged (framework: 1,000).',
          }),
        },
        { required: true, requiredHint: 'shadow mode needs gates { minAgreement, maxLatencyRatio, maxErrorRatio, minComparisons }' },
      ),
    }),
    canary: stage('canary', 'The candidate serves a share of traffic, watched by health rules.', {
      traffic: numberField({ ...servingShare, atExclusiveMax: 'must be below 1: a canary at 100% is a full rollout (use a full stage)' }),
      rules: rules('a canary needs health metrics to watch'),
    }),
    ab: stage('ab', 'A/B test: the candidate serves traffic and the test decides; guardrails roll back mid-test.', {
      traffic: numberField(servingShare),
      test: abTest,
      guardrails: rules('an A/B test needs guardrails that roll back when the candidate degrades'),
      segmentKeys: arrayField(textField(), {
        description:
          "Keys to report the test by when it concludes (the windows' segments breakdown; names key=value, or plain names for the first key). Reported, never decisive.",
      }),
    }),
    full: stage(
      'full',
      'The candidate serves everyone; control is kept warm.',
      {
        traffic: constantField(1, { expected: '1 for a full stage' }),
        rules: rules('the full stage keeps watching health against the baseline'),
      },
      false,
    ),
    promote: objectField(
      { kind: constantField('promote'), name: textField() },
      { description: 'The candidate becomes control; the flag is retired after flag.retireAfter at 100%.' },
    ),
  },
  { definition: 'stage' },
);

/** No id both allowed and denied. */
const allowDenyOverlap: CrossFieldCheck = (flag, path, report) => {
  if (!Array.isArray(flag.allow) || !Array.isArray(flag.deny)) return;
  for (const id of flag.allow)
    if (typeof id === 'string' && flag.deny.includes(id)) report(`${path}.allow`, `'${id}' is in both allow and deny`);
};

const schedule = arrayField(
  objectField({
    after: durationField({ required: true }),
    percentage: numberField({ required: true, min: 0, max: 100 }),
  }),
  {
    expected: 'an array of { after, percentage }',
    description: 'Percentages over time, non-decreasing; by default the stages’ shares.',
    check: (steps, path, report) => {
      let previousAfter = -Infinity;
      let previousPercentage = -Infinity;
      steps.forEach((step, i) => {
        if (typeof step !== 'object' || step === null) return;
        const { after, percentage } = step as JsonObject;
        const seconds = durationSeconds(after);
        if (seconds !== undefined) {
          if (seconds < previousAfter) report(`${path}[${i}].after`, 'must not be earlier than the previous step');
          previousAfter = seconds;
        }
        if (typeof percentage === 'number' && percentage >= 0 && percentage <= 100) {
          if (percentage < previousPercentage)
            report(`${path}[${i}].percentage`, `must not decrease (previous ${previousPercentage}, got ${percentage})`);
          previousPercentage = percentage;
        }
      });
    },
  },
);

const flag = objectField(
  {
    name: textField({ required: true, nonEmpty: true }),
    group: textField({ nonEmpty: true, description: 'Bucketing group (Unleash groupId), default the name.' }),
    stickiness: textField({ nonEmpty: true, description: 'The context field that makes users sticky (default userId).' }),
    schedule,
    segments: arrayField(textField(), { expected: 'an array of strings' }),
    allow: arrayField(textField(), { expected: 'an array of strings' }),
    deny: arrayField(textField(), { expected: 'an array of strings' }),
    killSwitch: booleanField(),
    retireAfter: durationField(),
  },
  { description: 'The feature flag that routes traffic.', check: allowDenyOverlap },
);

/** What the cross-stage checks need to know about one stage. */
interface StageSummary {
  index: number;
  kind: StageKind;
  traffic: number | undefined;
}

/** Stage order, one of each kind but canaries, rising canary shares, historical baseline, skipping the canary, instant 100%. */
const stageOrder: CrossFieldCheck = (root, _path, report) => {
  if (!Array.isArray(root.stages)) return;
  const summaries: StageSummary[] = [];
  root.stages.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null || !stageKindOrder.includes((raw as JsonObject).kind as StageKind)) return;
    const stage = raw as JsonObject;
    const kind = stage.kind as StageKind;
    const variant = stageSpec.variants[kind];
    const share = variant.fields.traffic;
    const traffic =
      kind === 'baseline' || kind === 'shadow'
        ? 0
        : kind === 'full' || kind === 'promote'
          ? 1
          : passes(stage.traffic, share)
            ? (stage.traffic as number)
            : undefined;
    summaries.push({ index, kind, traffic });
  });
  let previous: StageSummary | undefined;
  let previousCanary: StageSummary | undefined;
  const seen = new Set<StageKind>();
  for (const stage of summaries) {
    const rank = stageKindOrder.indexOf(stage.kind);
    if (previous && rank < stageKindOrder.indexOf(previous.kind)) {
      report(
        `stages[${stage.index}].kind`,
        `'${stage.kind}' must not come after '${previous.kind}' (stages[${previous.index}]); the order is ${stageKindOrder.join(' < ')}`,
      );
    } else if (stage.kind !== 'canary' && seen.has(stage.kind)) {
      report(`stages[${stage.index}].kind`, `a policy has at most one '${stage.kind}' stage`);
    }
    if (stage.kind === 'canary' && stage.traffic !== undefined) {
      if (previousCanary?.traffic !== undefined && stage.traffic < previousCanary.traffic) {
        report(
          `stages[${stage.index}].traffic`,
          `canary shares must not decrease: ${stage.traffic} follows ${previousCanary.traffic} (stages[${previousCanary.index}])`,
        );
      }
      previousCanary = stage;
    }
    seen.add(stage.kind);
    previous = stage;
  }

  const baseline = root.baseline as JsonObject | undefined;
  if (baseline && typeof baseline === 'object' && baseline.mode === 'historical' && !seen.has('baseline')) {
    report('stages', "baseline mode 'historical' needs a baseline stage (minDuration, minRequests) before the candidate serves anyone");
  }

  const firstServing = summaries.find((s) => s.kind === 'canary' || s.kind === 'ab' || s.kind === 'full');
  const skip = root.skipCanary;
  if (firstServing && !seen.has('canary')) {
    if (skip === undefined) {
      report(
        `stages[${firstServing.index}].kind`,
        `'${firstServing.kind}' follows ${seen.has('shadow') ? 'the shadow stage' : 'the start'} without a canary; add a canary stage, or skipCanary: { reason } to skip it on record`,
      );
    }
  } else if (skip !== undefined && seen.has('canary')) {
    report('skipCanary', 'is set but the policy has a canary stage; remove one of them');
  }
  if (firstServing?.kind === 'full' && !(seen.has('shadow') && skip !== undefined)) {
    report(
      `stages[${firstServing.index}]`,
      'the first stage that serves the candidate sends it 100% of traffic (instant 100%); start with a canary at a small share',
    );
  }
};

/** The field table of a version-1 policy: every per-field rule, and the cross-field rules as hooks. */
export const policyFields: ObjectSpec = objectField(
  {
    $schema: textField(),
    version: constantField(1, { required: true, requiredHint: '1' }),
    name: textField(),
    description: textField(),
    baseline: objectField(
      {
        mode: choiceField(['historical', 'concurrent'], {
          required: true,
          description: 'historical: collected before the rollout; concurrent: control in the same window.',
        }),
      },
      { required: true, requiredHint: "{ mode: 'historical' | 'concurrent' }" },
    ),
    guards,
    onMaxDuration,
    skipCanary: objectField(
      { reason: textField({ required: true, nonEmpty: true, requiredHint: 'why the canary is skipped, on record' }) },
      { description: 'Skip the canary on record (only after a shadow stage may the first serving stage be full).' },
    ),
    flag,
    stages: arrayField(stageSpec, {
      required: true,
      requiredHint: 'an ordered list of stages',
      minItems: 1,
      tooFew: 'must list at least one stage',
      expected: 'an array of stages',
    }),
  },
  {
    check: (root, path, report, failed) => {
      stageOrder(root, path, report, failed);
      failureWindowWithMOfN(root, path, report, failed);
    },
  },
);

/** The head of the published `scenarios/policy.schema.json`. */
export const policySchemaHeader: SchemaHeader = {
  $id: 'https://rollout-lab.dev/schemas/policy-v1.json',
  title: 'Rollout Lab policy, version 1',
  description:
    "A rollout policy for rollout-lab. Generated from the field table of src/engine/policy/policyFields.ts (npm run schemas): it states every per-field constraint; parsePolicy also checks what a JSON Schema cannot: stage order (baseline < shadow < canary < ab < full < promote, one of each except canaries), non-decreasing canary shares, minDuration <= maxDuration, checkInterval within the stage, a baseline stage in historical mode, no instant 100%, skipping the canary only with skipCanary.reason, allow/deny overlap, a non-decreasing flag schedule, A/B power > alpha, absolute limits on rates at most 1, spending only with method alphaSpending, failureWindow required by and only with failureCounting mOfN and at least failureLimit (on each stage's merged guards), A/B metrics: at least one success metric, unique names, minimumEffect on success metrics, a margin (absolute or relative) on guardrails, cuped only on mean metrics.",
};

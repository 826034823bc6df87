/**
 * `parsePolicy`: the public edge of the engine for policies. It checks a loose JSON value against
 * everything a version-1 policy must satisfy and lists EVERY problem by JSON path and reason,
 * e.g. `{ path: 'stages[2].traffic', message: 'must be between 0 and 1 (exclusive), got 1.5' }`.
 *
 * It is the authority on validity: `scenarios/policy.schema.json` publishes the same per-field
 * constraints for editors and other tools, but a JSON Schema cannot express the cross-field rules
 * checked here (stage order, non-decreasing canary shares, min ≤ max duration, check interval
 * within the stage, historical baseline present, instant 100% refused, skipping the canary only
 * with a reason, allow/deny overlap).
 */
import { durationSeconds } from './duration.ts';
import { stageKindOrder } from './policy.ts';
import type { Policy, StageKind } from './policy.ts';

/** One problem in a policy: where (`stages[2].traffic`) and what (`must be between 0 and 1 (exclusive), got 1.5`). */
export interface PolicyError {
  path: string;
  message: string;
}

/** The result of `parsePolicy`: the policy (a deep copy of the input), or all its problems. */
export type ParsePolicyResult = { ok: true; policy: Policy } | { ok: false; errors: PolicyError[] };

/** Formats a problem as `path: message` (`(root)` for the document itself). */
export function formatPolicyError(error: PolicyError): string {
  return `${error.path || '(root)'}: ${error.message}`;
}

type JsonObject = Record<string, unknown>;

const healthMetrics = ['errorRate', 'timeoutRate', 'latencyP50', 'latencyP95', 'latencyP99'];
const rateMetrics = ['errorRate', 'timeoutRate'];
const spendingFunctions = ['obrienFleming', 'pocock'];
const commonStageFields = ['kind', 'name', 'minDuration', 'maxDuration', 'checkInterval', 'onMaxDuration', 'guards'];
const stageFields: Record<StageKind, string[]> = {
  baseline: [...commonStageFields, 'minRequests'],
  shadow: [...commonStageFields, 'traffic', 'comparison', 'gates'],
  canary: [...commonStageFields, 'traffic', 'rules'],
  ab: [...commonStageFields, 'traffic', 'test', 'guardrails', 'segmentKeys'],
  full: [...commonStageFields, 'traffic', 'rules'],
  promote: ['kind', 'name'],
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function quoteList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

/** Collects problems while walking the document; each check is a no-op when the value is fine. */
class Checker {
  readonly errors: PolicyError[] = [];

  add(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  object(value: unknown, path: string): value is JsonObject {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return true;
    this.add(path, `must be an object, got ${describe(value)}`);
    return false;
  }

  /** Unknown fields are rejected by name, so that typos (`minDuraton`) do not silently fall back to defaults. */
  known(value: JsonObject, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.add(join(path, key), `unknown field '${key}' (allowed: ${allowed.join(', ')})`);
    }
  }

  required(value: JsonObject, key: string, path: string, hint = ''): boolean {
    if (value[key] !== undefined) return true;
    this.add(join(path, key), `is required${hint}`);
    return false;
  }

  string(value: unknown, path: string, nonEmpty = false): value is string {
    if (typeof value !== 'string') {
      this.add(path, `must be a string, got ${describe(value)}`);
      return false;
    }
    if (nonEmpty && value.trim() === '') {
      this.add(path, 'must be a non-empty string');
      return false;
    }
    return true;
  }

  stringList(value: unknown, path: string): void {
    if (!Array.isArray(value)) {
      this.add(path, `must be an array of strings, got ${describe(value)}`);
      return;
    }
    value.forEach((item, i) => this.string(item, `${path}[${i}]`));
  }

  choice(value: unknown, choices: readonly string[], path: string): boolean {
    if (typeof value === 'string' && choices.includes(value)) return true;
    this.add(path, `must be one of ${quoteList(choices)}, got ${describe(value)}`);
    return false;
  }

  /**
   * A finite number within bounds. `lower`/`upper` are inclusive unless marked exclusive; the
   * message names the range the way people say it.
   */
  number(
    value: unknown,
    path: string,
    range: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean; integer?: boolean } = {},
  ): value is number {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.add(path, `must be a number, got ${describe(value)}`);
      return false;
    }
    if (range.integer && !Number.isInteger(value)) {
      this.add(path, `must be a whole number, got ${value}`);
      return false;
    }
    const { min, max, exclusiveMin, exclusiveMax } = range;
    const belowMin = min !== undefined && (exclusiveMin ? value <= min : value < min);
    const aboveMax = max !== undefined && (exclusiveMax ? value >= max : value > max);
    if (!belowMin && !aboveMax) return true;
    if (min !== undefined && max !== undefined) {
      const bounds = exclusiveMin && exclusiveMax ? ' (exclusive)' : exclusiveMin ? ` (excluding ${min})` : exclusiveMax ? ` (excluding ${max})` : '';
      this.add(path, `must be between ${min} and ${max}${bounds}, got ${value}`);
    } else if (min !== undefined) {
      this.add(path, `must be ${exclusiveMin ? 'greater than' : 'at least'} ${min}, got ${value}`);
    } else {
      this.add(path, `must be ${exclusiveMax ? 'less than' : 'at most'} ${max}, got ${value}`);
    }
    return false;
  }

  /** A duration: seconds ≥ 0 or `"90s"`/`"5m"`/`"24h"`/`"1h30m"`; returns seconds or undefined. */
  duration(value: unknown, path: string): number | undefined {
    const seconds = durationSeconds(value);
    if (seconds === undefined) {
      this.add(path, `must be a number of seconds (≥ 0) or a duration like "90s", "5m", "24h", got ${describe(value)}`);
    }
    return seconds;
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function checkGuards(check: Checker, value: unknown, path: string): void {
  if (!check.object(value, path)) return;
  check.known(value, ['minRequests', 'failureLimit'], path);
  if (value.minRequests !== undefined) check.number(value.minRequests, `${path}.minRequests`, { min: 1, integer: true });
  if (value.failureLimit !== undefined) check.number(value.failureLimit, `${path}.failureLimit`, { min: 1, integer: true });
}

function checkRule(check: Checker, value: unknown, path: string): void {
  if (!check.object(value, path)) return;
  if (!check.required(value, 'type', path, ": one of 'ratio', 'absolute', 'statistical'")) return;
  if (!check.choice(value.type, ['ratio', 'absolute', 'statistical'], `${path}.type`)) return;
  if (value.type === 'ratio') {
    check.known(value, ['type', 'metric', 'maxRatio'], path);
    if (check.required(value, 'metric', path)) check.choice(value.metric, healthMetrics, `${path}.metric`);
    if (check.required(value, 'maxRatio', path)) check.number(value.maxRatio, `${path}.maxRatio`, { min: 0, exclusiveMin: true });
  } else if (value.type === 'absolute') {
    check.known(value, ['type', 'metric', 'max'], path);
    let isRate = false;
    if (check.required(value, 'metric', path) && check.choice(value.metric, healthMetrics, `${path}.metric`)) {
      isRate = rateMetrics.includes(value.metric as string);
    }
    if (check.required(value, 'max', path)) check.number(value.max, `${path}.max`, isRate ? { min: 0, max: 1 } : { min: 0 });
  } else {
    check.known(value, ['type', 'metric', 'minimumEffect', 'alpha', 'method', 'spending'], path);
    if (check.required(value, 'metric', path)) check.choice(value.metric, rateMetrics, `${path}.metric`);
    if (check.required(value, 'minimumEffect', path)) {
      check.number(value.minimumEffect, `${path}.minimumEffect`, { min: 0, max: 1, exclusiveMax: true });
    }
    if (value.alpha !== undefined) check.number(value.alpha, `${path}.alpha`, { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
    if (check.required(value, 'method', path, ": 'alphaSpending' or 'alwaysValid'")) {
      check.choice(value.method, ['alphaSpending', 'alwaysValid'], `${path}.method`);
    }
    if (value.spending !== undefined) {
      if (value.method !== 'alphaSpending') check.add(`${path}.spending`, "applies only to method 'alphaSpending'");
      else check.choice(value.spending, spendingFunctions, `${path}.spending`);
    }
  }
}

function checkRules(check: Checker, stage: JsonObject, key: string, path: string, what: string): void {
  const rulesPath = `${path}.${key}`;
  if (!check.required(stage, key, path, `: ${what}`)) return;
  const rules = stage[key];
  if (!Array.isArray(rules)) {
    check.add(rulesPath, `must be an array of health rules, got ${describe(rules)}`);
    return;
  }
  if (rules.length === 0) check.add(rulesPath, `must list at least one health rule: ${what}`);
  rules.forEach((rule, i) => checkRule(check, rule, `${rulesPath}[${i}]`));
}

function checkShadow(check: Checker, stage: JsonObject, path: string): void {
  if (stage.traffic !== undefined) check.number(stage.traffic, `${path}.traffic`, { min: 0, max: 1, exclusiveMin: true });
  const comparisonHint = ": shadow mode needs a comparison { method: 'exact' | 'numericTolerance' | 'tokenOverlap' }";
  if (check.required(stage, 'comparison', path, comparisonHint) && check.object(stage.comparison, `${path}.comparison`)) {
    const comparison = stage.comparison;
    const cpath = `${path}.comparison`;
    if (check.required(comparison, 'method', cpath) && check.choice(comparison.method, ['exact', 'numericTolerance', 'tokenOverlap'], `${cpath}.method`)) {
      if (comparison.method === 'exact') check.known(comparison, ['method'], cpath);
      if (comparison.method === 'numericTolerance') {
        check.known(comparison, ['method', 'tolerance'], cpath);
        if (check.required(comparison, 'tolerance', cpath)) check.number(comparison.tolerance, `${cpath}.tolerance`, { min: 0 });
      }
      if (comparison.method === 'tokenOverlap') {
        check.known(comparison, ['method', 'threshold'], cpath);
        if (check.required(comparison, 'threshold', cpath)) {
          check.number(comparison.threshold, `${cpath}.threshold`, { min: 0, max: 1, exclusiveMin: true });
        }
      }
    }
  }
  const gatesHint = ': shadow mode needs gates { minAgreement, maxLatencyRatio, maxErrorRatio, minComparisons }';
  if (check.required(stage, 'gates', path, gatesHint) && check.object(stage.gates, `${path}.gates`)) {
    const gates = stage.gates;
    const gpath = `${path}.gates`;
    check.known(gates, ['minAgreement', 'maxLatencyRatio', 'maxErrorRatio', 'minComparisons'], gpath);
    if (check.required(gates, 'minAgreement', gpath)) {
      check.number(gates.minAgreement, `${gpath}.minAgreement`, { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
    }
    if (check.required(gates, 'maxLatencyRatio', gpath)) check.number(gates.maxLatencyRatio, `${gpath}.maxLatencyRatio`, { min: 0, exclusiveMin: true });
    if (check.required(gates, 'maxErrorRatio', gpath)) check.number(gates.maxErrorRatio, `${gpath}.maxErrorRatio`, { min: 0, exclusiveMin: true });
    if (check.required(gates, 'minComparisons', gpath)) check.number(gates.minComparisons, `${gpath}.minComparisons`, { min: 1, integer: true });
  }
}

function checkAbTest(check: Checker, stage: JsonObject, path: string): void {
  const tpath = `${path}.test`;
  if (!check.required(stage, 'test', path, ': the A/B stage needs a test { metric, minimumEffect, design }')) return;
  if (!check.object(stage.test, tpath)) return;
  const test = stage.test;
  check.known(test, ['metric', 'alpha', 'power', 'minimumEffect', 'design', 'baselineRate', 'sampleSize', 'onInconclusive'], tpath);
  if (check.required(test, 'metric', tpath, ": the A/B test needs a success metric ('successRate')")) {
    check.choice(test.metric, ['successRate'], `${tpath}.metric`);
  }
  const open = { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true };
  const alphaOk = test.alpha === undefined || check.number(test.alpha, `${tpath}.alpha`, open);
  const powerOk = test.power === undefined || check.number(test.power, `${tpath}.power`, open);
  const alpha = typeof test.alpha === 'number' ? test.alpha : 0.05;
  const power = typeof test.power === 'number' ? test.power : 0.8;
  if (alphaOk && powerOk && !(power > alpha)) check.add(`${tpath}.power`, `must be greater than alpha (${alpha}), got ${power}`);
  if (check.required(test, 'minimumEffect', tpath, ': the smallest difference in success rate worth acting on')) {
    check.number(test.minimumEffect, `${tpath}.minimumEffect`, { min: 0, max: 0.5, exclusiveMin: true, exclusiveMax: true });
  }
  if (test.baselineRate !== undefined) check.number(test.baselineRate, `${tpath}.baselineRate`, open);
  if (test.sampleSize !== undefined) check.number(test.sampleSize, `${tpath}.sampleSize`, { min: 1, integer: true });
  if (test.onInconclusive !== undefined) check.choice(test.onInconclusive, ['hold', 'advance', 'rollback'], `${tpath}.onInconclusive`);
  const dpath = `${tpath}.design`;
  if (check.required(test, 'design', tpath, ": { type: 'fixed' | 'groupSequential' | 'alwaysValid' }") && check.object(test.design, dpath)) {
    const design = test.design;
    if (check.required(design, 'type', dpath) && check.choice(design.type, ['fixed', 'groupSequential', 'alwaysValid'], `${dpath}.type`)) {
      if (design.type === 'groupSequential') {
        check.known(design, ['type', 'looks', 'spending'], dpath);
        if (check.required(design, 'looks', dpath)) check.number(design.looks, `${dpath}.looks`, { min: 2, max: 100, integer: true });
        if (check.required(design, 'spending', dpath)) check.choice(design.spending, spendingFunctions, `${dpath}.spending`);
      } else {
        check.known(design, ['type'], dpath);
      }
    }
  }
}

function checkFlag(check: Checker, flag: unknown, path: string): void {
  if (!check.object(flag, path)) return;
  check.known(flag, ['name', 'group', 'stickiness', 'schedule', 'segments', 'allow', 'deny', 'killSwitch', 'retireAfter'], path);
  if (check.required(flag, 'name', path)) check.string(flag.name, `${path}.name`, true);
  if (flag.group !== undefined) check.string(flag.group, `${path}.group`, true);
  if (flag.stickiness !== undefined) check.string(flag.stickiness, `${path}.stickiness`, true);
  if (flag.segments !== undefined) check.stringList(flag.segments, `${path}.segments`);
  if (flag.allow !== undefined) check.stringList(flag.allow, `${path}.allow`);
  if (flag.deny !== undefined) check.stringList(flag.deny, `${path}.deny`);
  if (Array.isArray(flag.allow) && Array.isArray(flag.deny)) {
    for (const id of flag.allow) {
      if (typeof id === 'string' && flag.deny.includes(id)) check.add(`${path}.allow`, `'${id}' is in both allow and deny`);
    }
  }
  if (flag.killSwitch !== undefined && typeof flag.killSwitch !== 'boolean') {
    check.add(`${path}.killSwitch`, `must be true or false, got ${describe(flag.killSwitch)}`);
  }
  if (flag.retireAfter !== undefined) check.duration(flag.retireAfter, `${path}.retireAfter`);
  if (flag.schedule !== undefined) {
    if (!Array.isArray(flag.schedule)) {
      check.add(`${path}.schedule`, `must be an array of { after, percentage }, got ${describe(flag.schedule)}`);
      return;
    }
    let previousAfter = -Infinity;
    let previousPercentage = -Infinity;
    flag.schedule.forEach((step, i) => {
      const spath = `${path}.schedule[${i}]`;
      if (!check.object(step, spath)) return;
      check.known(step, ['after', 'percentage'], spath);
      if (check.required(step, 'after', spath)) {
        const after = check.duration(step.after, `${spath}.after`);
        if (after !== undefined) {
          if (after < previousAfter) check.add(`${spath}.after`, 'must not be earlier than the previous step');
          previousAfter = after;
        }
      }
      if (check.required(step, 'percentage', spath) && check.number(step.percentage, `${spath}.percentage`, { min: 0, max: 100 })) {
        if (step.percentage < previousPercentage) {
          check.add(`${spath}.percentage`, `must not decrease (previous ${previousPercentage}, got ${step.percentage})`);
        }
        previousPercentage = step.percentage;
      }
    });
  }
}

/** What the cross-stage checks need to know about one stage. */
interface StageSummary {
  index: number;
  kind: StageKind;
  traffic: number | undefined;
}

function checkStage(check: Checker, stage: unknown, path: string): StageSummary | undefined {
  if (!check.object(stage, path)) return undefined;
  const hint = `: one of ${quoteList(stageKindOrder)}`;
  if (!check.required(stage, 'kind', path, hint) || !check.choice(stage.kind, stageKindOrder, `${path}.kind`)) return undefined;
  const kind = stage.kind as StageKind;
  check.known(stage, stageFields[kind], path);
  if (stage.name !== undefined) check.string(stage.name, `${path}.name`);
  if (kind === 'promote') return { index: -1, kind, traffic: 1 };

  // Durations, and their relations within the stage.
  const needsMin = kind !== 'full';
  let minDuration: number | undefined;
  if (stage.minDuration !== undefined || needsMin) {
    if (check.required(stage, 'minDuration', path)) minDuration = check.duration(stage.minDuration, `${path}.minDuration`);
  }
  const maxDuration = stage.maxDuration !== undefined ? check.duration(stage.maxDuration, `${path}.maxDuration`) : undefined;
  if (maxDuration !== undefined && maxDuration <= 0) check.add(`${path}.maxDuration`, `must be greater than 0, got ${stage.maxDuration}`);
  if (minDuration !== undefined && maxDuration !== undefined && minDuration > maxDuration) {
    check.add(`${path}.minDuration`, `(${String(stage.minDuration)}) must not exceed maxDuration (${String(stage.maxDuration)})`);
  }
  if (stage.checkInterval !== undefined) {
    const interval = check.duration(stage.checkInterval, `${path}.checkInterval`);
    const length = minDuration !== undefined && minDuration > 0 ? minDuration : maxDuration;
    if (interval !== undefined && interval <= 0) check.add(`${path}.checkInterval`, `must be greater than 0, got ${String(stage.checkInterval)}`);
    else if (interval !== undefined && length !== undefined && interval > length) {
      const which = length === minDuration ? 'minDuration' : 'maxDuration';
      check.add(`${path}.checkInterval`, `(${String(stage.checkInterval)}) must not be longer than the stage's ${which} (${String(stage[which])})`);
    }
  }
  if (stage.onMaxDuration !== undefined) check.choice(stage.onMaxDuration, ['rollback', 'hold'], `${path}.onMaxDuration`);
  if (stage.guards !== undefined) checkGuards(check, stage.guards, `${path}.guards`);

  let traffic: number | undefined;
  const tpath = `${path}.traffic`;
  switch (kind) {
    case 'baseline':
      if (check.required(stage, 'minRequests', path, ': control requests the historical baseline must hold')) {
        check.number(stage.minRequests, `${path}.minRequests`, { min: 1, integer: true });
      }
      traffic = 0;
      break;
    case 'shadow':
      checkShadow(check, stage, path);
      traffic = 0;
      break;
    case 'canary':
    case 'ab':
      if (check.required(stage, 'traffic', path, ': the candidate share, between 0 and 1')) {
        if (kind === 'canary' && stage.traffic === 1) {
          check.add(tpath, 'must be below 1: a canary at 100% is a full rollout (use a full stage)');
        } else if (check.number(stage.traffic, tpath, { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true })) {
          traffic = stage.traffic;
        }
      }
      if (kind === 'canary') checkRules(check, stage, 'rules', path, 'a canary needs health metrics to watch');
      else {
        checkAbTest(check, stage, path);
        checkRules(check, stage, 'guardrails', path, 'an A/B test needs guardrails that roll back when the candidate degrades');
        if (stage.segmentKeys !== undefined) check.stringList(stage.segmentKeys, `${path}.segmentKeys`);
      }
      break;
    case 'full':
      if (stage.traffic !== undefined && stage.traffic !== 1) check.add(tpath, `must be 1 for a full stage, got ${describe(stage.traffic)}`);
      checkRules(check, stage, 'rules', path, 'the full stage keeps watching health against the baseline');
      traffic = 1;
      break;
  }
  return { index: -1, kind, traffic };
}

function checkStages(check: Checker, root: JsonObject): void {
  if (!check.required(root, 'stages', '', ': an ordered list of stages')) return;
  const stages = root.stages;
  if (!Array.isArray(stages)) {
    check.add('stages', `must be an array of stages, got ${describe(stages)}`);
    return;
  }
  if (stages.length === 0) {
    check.add('stages', 'must list at least one stage');
    return;
  }
  const summaries: StageSummary[] = [];
  stages.forEach((stage, index) => {
    const summary = checkStage(check, stage, `stages[${index}]`);
    if (summary) summaries.push({ ...summary, index });
  });

  // Order: baseline < shadow < canary < ab < full < promote; one of each except canaries.
  let previous: StageSummary | undefined;
  let previousCanary: StageSummary | undefined;
  const seen = new Set<StageKind>();
  for (const stage of summaries) {
    const rank = stageKindOrder.indexOf(stage.kind);
    if (previous && rank < stageKindOrder.indexOf(previous.kind)) {
      check.add(
        `stages[${stage.index}].kind`,
        `'${stage.kind}' must not come after '${previous.kind}' (stages[${previous.index}]); the order is ${stageKindOrder.join(' < ')}`,
      );
    } else if (stage.kind !== 'canary' && seen.has(stage.kind)) {
      check.add(`stages[${stage.index}].kind`, `a policy has at most one '${stage.kind}' stage`);
    }
    if (stage.kind === 'canary' && stage.traffic !== undefined) {
      if (previousCanary?.traffic !== undefined && stage.traffic < previousCanary.traffic) {
        check.add(
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
    check.add('stages', "baseline mode 'historical' needs a baseline stage (minDuration, minRequests) before the candidate serves anyone");
  }

  const firstServing = summaries.find((s) => s.kind === 'canary' || s.kind === 'ab' || s.kind === 'full');
  const skip = root.skipCanary;
  if (firstServing && !seen.has('canary')) {
    if (skip === undefined) {
      check.add(
        `stages[${firstServing.index}].kind`,
        `'${firstServing.kind}' follows ${seen.has('shadow') ? 'the shadow stage' : 'the start'} without a canary; add a canary stage, or skipCanary: { reason } to skip it on record`,
      );
    }
  } else if (skip !== undefined && seen.has('canary')) {
    check.add('skipCanary', 'is set but the policy has a canary stage; remove one of them');
  }
  if (firstServing?.kind === 'full' && !(seen.has('shadow') && skip !== undefined)) {
    check.add(
      `stages[${firstServing.index}]`,
      'the first stage that serves the candidate sends it 100% of traffic (instant 100%); start with a canary at a small share',
    );
  }
}

/**
 * Validates `json` as a version-1 rollout policy. Returns `{ ok: true, policy }` (a deep copy, so
 * later edits to the input do not change it) or `{ ok: false, errors }` listing every problem
 * found, each with its JSON path. Never throws. Cost O(size of the document).
 */
export function parsePolicy(json: unknown): ParsePolicyResult {
  const check = new Checker();
  if (!check.object(json, '')) return { ok: false, errors: check.errors };
  const root = json;
  check.known(root, ['$schema', 'version', 'name', 'description', 'baseline', 'guards', 'onMaxDuration', 'skipCanary', 'flag', 'stages'], '');
  if (root.$schema !== undefined) check.string(root.$schema, '$schema');
  if (check.required(root, 'version', '', ': 1') && root.version !== 1) check.add('version', `must be 1, got ${describe(root.version)}`);
  if (root.name !== undefined) check.string(root.name, 'name');
  if (root.description !== undefined) check.string(root.description, 'description');
  if (check.required(root, 'baseline', '', ": { mode: 'historical' | 'concurrent' }") && check.object(root.baseline, 'baseline')) {
    check.known(root.baseline, ['mode'], 'baseline');
    if (check.required(root.baseline, 'mode', 'baseline')) check.choice(root.baseline.mode, ['historical', 'concurrent'], 'baseline.mode');
  }
  if (root.guards !== undefined) checkGuards(check, root.guards, 'guards');
  if (root.onMaxDuration !== undefined) check.choice(root.onMaxDuration, ['rollback', 'hold'], 'onMaxDuration');
  if (root.skipCanary !== undefined && check.object(root.skipCanary, 'skipCanary')) {
    check.known(root.skipCanary, ['reason'], 'skipCanary');
    if (check.required(root.skipCanary, 'reason', 'skipCanary', ': why the canary is skipped, on record')) {
      check.string(root.skipCanary.reason, 'skipCanary.reason', true);
    }
  }
  if (root.flag !== undefined) checkFlag(check, root.flag, 'flag');
  checkStages(check, root);
  if (check.errors.length > 0) return { ok: false, errors: check.errors };
  return { ok: true, policy: JSON.parse(JSON.stringify(root)) as Policy };
}

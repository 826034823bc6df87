import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import { durationSeconds, formatDuration, parseDuration } from '../../../src/engine/policy/duration.ts';
import { absoluteRule, defaultHealthRules, ratioRule, statisticalRule } from '../../../src/engine/policy/healthRules.ts';
import { formatPolicyError, parsePolicy } from '../../../src/engine/policy/parsePolicy.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { abStage, baselineStage, canaryStage, fullStage, promoteStage, shadowStage } from '../../../src/engine/policy/stages.ts';
import { schemaErrors } from './schemaChecker.ts';

const schema = JSON.parse(readFileSync('scenarios/policy.schema.json', 'utf8'));

/** Parses and returns the error list (empty when valid). */
function errorsOf(json: unknown): string[] {
  const result = parsePolicy(json);
  return result.ok ? [] : result.errors.map(formatPolicyError);
}

/** The default policy, modified by `edit` (on a fresh copy). */
function edited(edit: (policy: any) => void): unknown {
  const policy = JSON.parse(JSON.stringify(defaultPolicy()));
  edit(policy);
  return policy;
}

describe('durations', () => {
  it('parses seconds and unit strings once', () => {
    expect(durationSeconds('24h')).toBe(86400);
    expect(durationSeconds('5m')).toBe(300);
    expect(durationSeconds('90s')).toBe(90);
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('2d')).toBe(172800);
    expect(durationSeconds('1w')).toBe(604800);
    expect(durationSeconds('1.5h')).toBe(5400);
    expect(durationSeconds(42)).toBe(42);
    for (const bad of ['', 'abc', '5', '5 m', '-5m', 'h', -1, Infinity, null, {}]) expect(durationSeconds(bad)).toBeUndefined();
    expect(() => parseDuration('soon', 'stages[0].minDuration')).toThrow(/stages\[0\]\.minDuration must be seconds/);
    expect(formatDuration(86400)).toBe('24h');
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(90)).toBe('1m30s');
  });
});

describe('parsePolicy', () => {
  it('accepts the default policy and returns a deep copy', () => {
    const input = defaultPolicy();
    const result = parsePolicy(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy).toEqual(input);
    expect(result.policy).not.toBe(input);
    expect(result.policy.stages.map((s) => s.kind)).toEqual(['baseline', 'shadow', 'canary', 'canary', 'ab', 'full', 'promote']);
  });

  it('reproduces the framework thresholds in the default policy', () => {
    const policy = defaultPolicy();
    const [baseline, shadow, canary5, canary25, ab, full] = policy.stages as any[];
    expect(baseline).toMatchObject({ kind: 'baseline', minDuration: '24h' });
    expect(shadow).toMatchObject({
      kind: 'shadow',
      minDuration: '24h',
      gates: { minAgreement: 0.85, maxLatencyRatio: 1.5, maxErrorRatio: 2, minComparisons: 1000 },
    });
    expect(canary5).toMatchObject({ kind: 'canary', traffic: 0.05, minDuration: '2h' });
    expect(canary25).toMatchObject({ kind: 'canary', traffic: 0.25, minDuration: '6h' });
    expect(ab).toMatchObject({ kind: 'ab', traffic: 0.5, minDuration: '24h', maxDuration: '48h' });
    expect(full).toMatchObject({ kind: 'full', traffic: 1 });
    for (const rules of [canary5.rules, canary25.rules, ab.guardrails, full.rules]) {
      expect(rules).toEqual([
        { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
        { type: 'ratio', metric: 'latencyP95', maxRatio: 1.5 },
        { type: 'ratio', metric: 'latencyP50', maxRatio: 1.2 },
        { type: 'ratio', metric: 'timeoutRate', maxRatio: 2 },
      ]);
    }
  });

  it('names the path and the reason of a share out of range', () => {
    expect(errorsOf(edited((p) => (p.stages[2].traffic = 1.5)))).toEqual([
      'stages[2].traffic: must be between 0 and 1 (exclusive), got 1.5',
    ]);
    expect(errorsOf(edited((p) => (p.stages[4].traffic = 0)))).toEqual(['stages[4].traffic: must be between 0 and 1 (exclusive), got 0']);
    expect(errorsOf(edited((p) => (p.stages[1].traffic = -0.1)))).toEqual([
      'stages[1].traffic: must be between 0 and 1 (excluding 0), got -0.1',
    ]);
  });

  it('refuses stages out of order and decreasing canary shares', () => {
    expect(errorsOf(edited((p) => ([p.stages[1], p.stages[2]] = [p.stages[2], p.stages[1]])))).toEqual([
      "stages[2].kind: 'shadow' must not come after 'canary' (stages[1]); the order is baseline < shadow < canary < ab < full < promote",
    ]);
    expect(errorsOf(edited((p) => ([p.stages[2], p.stages[3]] = [p.stages[3], p.stages[2]])))).toEqual([
      'stages[3].traffic: canary shares must not decrease: 0.05 follows 0.25 (stages[2])',
    ]);
    expect(errorsOf(edited((p) => p.stages.splice(5, 0, fullStage())))).toEqual(["stages[6].kind: a policy has at most one 'full' stage"]);
  });

  it('refuses a ratio ≤ 0, an A/B stage with no metric, min > max duration, a check interval longer than the stage', () => {
    expect(errorsOf(edited((p) => (p.stages[2].rules[0].maxRatio = 0)))).toEqual([
      'stages[2].rules[0].maxRatio: must be greater than 0, got 0',
    ]);
    expect(errorsOf(edited((p) => delete p.stages[4].test.metric))).toEqual([
      "stages[4].test.metric: is required: the A/B test needs a success metric ('successRate')",
    ]);
    expect(errorsOf(edited((p) => (p.stages[4].minDuration = '72h')))).toEqual([
      'stages[4].minDuration: (72h) must not exceed maxDuration (48h)',
    ]);
    expect(errorsOf(edited((p) => (p.stages[2].checkInterval = '3h')))).toEqual([
      "stages[2].checkInterval: (3h) must not be longer than the stage's minDuration (2h)",
    ]);
  });

  it('rejects unknown fields by name and wrong types', () => {
    expect(errorsOf(edited((p) => (p.stages[2].minDuraton = '2h')))).toEqual([
      "stages[2].minDuraton: unknown field 'minDuraton' (allowed: kind, name, minDuration, maxDuration, checkInterval, onMaxDuration, guards, traffic, rules)",
    ]);
    expect(errorsOf(edited((p) => (p.colour = 'blue')))[0]).toMatch(/^colour: unknown field 'colour'/);
    expect(errorsOf(edited((p) => (p.stages[2].traffic = '5%')))).toEqual(['stages[2].traffic: must be a number, got "5%"']);
    expect(errorsOf(edited((p) => (p.stages[0].minDuration = 'a day')))).toEqual([
      'stages[0].minDuration: must be a number of seconds (≥ 0) or a duration like "90s", "5m", "24h", got "a day"',
    ]);
    expect(errorsOf(edited((p) => (p.version = 2)))).toEqual(['version: must be 1, got 2']);
    expect(errorsOf(null)).toEqual(['(root): must be an object, got null']);
    expect(errorsOf(edited((p) => (p.stages = {})))).toEqual(['stages: must be an array of stages, got an object']);
  });

  it('makes a canary without metrics impossible', () => {
    expect(errorsOf(edited((p) => delete p.stages[2].rules))).toEqual([
      'stages[2].rules: is required: a canary needs health metrics to watch',
    ]);
    expect(errorsOf(edited((p) => (p.stages[2].rules = [])))).toEqual([
      'stages[2].rules: must list at least one health rule: a canary needs health metrics to watch',
    ]);
  });

  it('makes shadow mode without a comparison impossible', () => {
    expect(errorsOf(edited((p) => delete p.stages[1].comparison))).toEqual([
      "stages[1].comparison: is required: shadow mode needs a comparison { method: 'exact' | 'numericTolerance' | 'tokenOverlap' }",
    ]);
    expect(errorsOf(edited((p) => delete p.stages[1].gates.minAgreement))).toEqual(['stages[1].gates.minAgreement: is required']);
    expect(errorsOf(edited((p) => (p.stages[1].comparison = { method: 'numericTolerance' })))).toEqual([
      'stages[1].comparison.tolerance: is required',
    ]);
  });

  it('refuses instant 100%: a policy whose first serving stage is full', () => {
    const instant = { version: 1, baseline: { mode: 'concurrent' }, stages: [fullStage(), promoteStage()] };
    expect(errorsOf(instant)).toEqual([
      "stages[0].kind: 'full' follows the start without a canary; add a canary stage, or skipCanary: { reason } to skip it on record",
      'stages[0]: the first stage that serves the candidate sends it 100% of traffic (instant 100%); start with a canary at a small share',
    ]);
    // Even with a reason, 100% right after the baseline is refused; after a shadow stage it is allowed on record.
    expect(errorsOf({ ...instant, skipCanary: { reason: 'hotfix' } })).toEqual([
      'stages[0]: the first stage that serves the candidate sends it 100% of traffic (instant 100%); start with a canary at a small share',
    ]);
    expect(errorsOf({ ...instant, skipCanary: { reason: 'hotfix' }, stages: [shadowStage(), fullStage()] })).toEqual([]);
    expect(errorsOf(edited((p) => (p.stages[2].traffic = 1)))).toEqual([
      'stages[2].traffic: must be below 1: a canary at 100% is a full rollout (use a full stage)',
    ]);
  });

  it('refuses skipping the canary without a reason', () => {
    const skipping = edited((p) => p.stages.splice(2, 2));
    expect(errorsOf(skipping)).toEqual([
      "stages[2].kind: 'ab' follows the shadow stage without a canary; add a canary stage, or skipCanary: { reason } to skip it on record",
    ]);
    expect(errorsOf({ ...(skipping as object), skipCanary: { reason: '  ' } })).toEqual([
      'skipCanary.reason: must be a non-empty string, got "  "',
    ]);
    expect(errorsOf({ ...(skipping as object), skipCanary: { reason: 'same weights, new serving stack; shadow is enough' } })).toEqual([]);
    expect(errorsOf(edited((p) => (p.skipCanary = { reason: 'x' })))).toEqual([
      'skipCanary: is set but the policy has a canary stage; remove one of them',
    ]);
  });

  it('needs a baseline stage in historical mode', () => {
    expect(errorsOf(edited((p) => p.stages.shift()))).toEqual([
      "stages: baseline mode 'historical' needs a baseline stage (minDuration, minRequests) before the candidate serves anyone",
    ]);
    expect(errorsOf(edited((p) => ((p.baseline.mode = 'concurrent'), p.stages.shift())))).toEqual([]);
  });

  it('reports several problems together', () => {
    const errors = errorsOf(
      edited((p) => {
        p.stages[2].traffic = 1.5;
        p.stages[3].rules[1].maxRatio = -1;
        delete p.stages[4].test.metric;
        p.stages[4].test.alpha = 2;
        p.flag.allow = ['u1'];
        p.flag.deny = ['u1'];
        p.guards.failureLimit = 0;
      }),
    );
    expect(errors).toEqual([
      'guards.failureLimit: must be at least 1, got 0',
      "flag.allow: 'u1' is in both allow and deny",
      'stages[2].traffic: must be between 0 and 1 (exclusive), got 1.5',
      'stages[3].rules[1].maxRatio: must be greater than 0, got -1',
      "stages[4].test.metric: is required: the A/B test needs a success metric ('successRate')",
      'stages[4].test.alpha: must be between 0 and 1 (exclusive), got 2',
    ]);
  });

  it('composes from helpers', () => {
    const policy: Policy = {
      version: 1,
      baseline: { mode: 'concurrent' },
      guards: { minRequests: 50, failureLimit: 2 },
      stages: [
        canaryStage({
          traffic: 0.01,
          rules: [...defaultHealthRules(), absoluteRule('errorRate', 0.05), statisticalRule('errorRate', { minimumEffect: 0.002 })],
        }),
        canaryStage({ traffic: 0.1, minDuration: '1h', rules: [ratioRule('errorRate', 1.5)] }),
        abStage({ test: { minimumEffect: 0.01, design: { type: 'groupSequential', looks: 4, spending: 'pocock' } } }),
        fullStage(),
        promoteStage(),
      ],
    };
    expect(errorsOf(policy)).toEqual([]);
  });
});

/** Valid policies of different shapes, for the schema agreement test. */
function validPolicies(): unknown[] {
  return [
    defaultPolicy(),
    { version: 1, baseline: { mode: 'concurrent' }, stages: [canaryStage({ traffic: 0.05 }), fullStage()] },
    {
      version: 1,
      baseline: { mode: 'historical' },
      skipCanary: { reason: 'config-only change' },
      flag: {
        name: 'f',
        schedule: [
          { after: 0, percentage: 0 },
          { after: '1h', percentage: 50 },
        ],
        allow: ['qa'],
        deny: ['vip'],
        retireAfter: 604800,
      },
      stages: [
        baselineStage({ minDuration: 3600, minRequests: 10 }),
        shadowStage({ comparison: { method: 'tokenOverlap', threshold: 0.8 } }),
        abStage({
          test: { minimumEffect: 0.01, design: { type: 'alwaysValid' } },
          guardrails: [statisticalRule('timeoutRate', { minimumEffect: 0, method: 'alphaSpending', spending: 'pocock' })],
        }),
        fullStage({ rules: [absoluteRule('latencyP99', 2000)] }),
        promoteStage({ name: 'done' }),
      ],
    },
  ];
}

describe('scenarios/policy.schema.json', () => {
  it('accepts the default policy and other valid policies', () => {
    for (const policy of validPolicies()) {
      expect(errorsOf(policy)).toEqual([]);
      expect(schemaErrors(policy, schema)).toEqual([]);
    }
  });

  it('rejects what parsePolicy rejects field by field', () => {
    const invalid = [
      edited((p) => (p.stages[2].traffic = 1.5)),
      edited((p) => (p.stages[2].rules[0].maxRatio = 0)),
      edited((p) => delete p.stages[4].test.metric),
      edited((p) => (p.stages[2].minDuraton = '2h')),
      edited((p) => (p.stages[0].minDuration = 'a day')),
      edited((p) => (p.stages[2].rules = [])),
      edited((p) => delete p.stages[1].comparison),
      edited((p) => (p.version = 2)),
      edited((p) => (p.skipCanary = { reason: '' })),
      edited((p) => (p.stages[5].traffic = 0.5)),
    ];
    for (const policy of invalid) {
      expect(errorsOf(policy).length).toBeGreaterThan(0);
      expect(schemaErrors(policy, schema).length).toBeGreaterThan(0);
    }
  });
});

describe('scenarios/default-policy.json', () => {
  it('is defaultPolicy() (regenerate with WRITE_DEFAULT_POLICY=1 npx vitest run test/engine/policy)', () => {
    const text = JSON.stringify(defaultPolicy(), null, 2) + '\n';
    if (process.env.WRITE_DEFAULT_POLICY) writeFileSync('scenarios/default-policy.json', text);
    expect(readFileSync('scenarios/default-policy.json', 'utf8')).toBe(text);
  });
});

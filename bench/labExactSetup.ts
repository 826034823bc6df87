/**
 * The exact bench's setup (bench/exact.ts), shared with the test that checks the vector chain on
 * it (test/sim/exact/evaluateExactSettings.test.ts): the lab's two worlds and the framework default
 * reduced to what the exact evaluator covers (`coveredPolicy`).
 */
import { readFileSync } from 'node:fs';
import { defaultPolicy } from '../src/engine/policy/defaultPolicy.ts';
import type { HealthRule, Policy } from '../src/engine/policy/policy.ts';
import type { Scenario } from '../src/sim/scenario.ts';
import { parseScenario } from '../src/sim/scenario.ts';

/** The lab's two worlds: scenarios/identical-candidate.json (healthy), and the same with 3× the candidate's errors. */
export function labWorlds(): { healthy: Scenario; regressed: Scenario } {
  // Run from the repository root (as `npm run bench`).
  const base = JSON.parse(readFileSync('scenarios/identical-candidate.json', 'utf8'));
  const parse = (json: unknown): Scenario => {
    const parsed = parseScenario(json);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return parsed.scenario;
  };
  return {
    healthy: parse({ ...base, name: 'healthy candidate' }),
    regressed: parse({ ...base, name: 'regressed candidate', candidate: { ...base.candidate, errorRate: 3 * base.candidate.errorRate } }),
  };
}

/**
 * The framework default without its shadow and A/B stages, its latency ratio rules written as
 * absolute limits at the same multiples of the models' true p95 (400 ms) and p50 (120 ms) — the
 * laws have no exact form for a historical latency reference (exactSupport.ts).
 */
export function coveredPolicy(controlTimeoutRate: number): Policy {
  const policy = defaultPolicy();
  const absolute = (rules: HealthRule[]): HealthRule[] =>
    rules.map((rule) =>
      rule.type === 'ratio' && rule.metric === 'latencyP95'
        ? { type: 'absolute', metric: 'latencyP95', max: 1.5 * 400 }
        : rule.type === 'ratio' && rule.metric === 'latencyP50'
          ? { type: 'absolute', metric: 'latencyP50', max: 1.2 * 120 }
          : rule.type === 'ratio' && rule.metric === 'timeoutRate'
            ? { type: 'absolute', metric: 'timeoutRate', max: rule.maxRatio * controlTimeoutRate }
            : rule,
    );
  const stages = policy.stages
    .filter((stage) => stage.kind !== 'shadow' && stage.kind !== 'ab')
    .map((stage) => (stage.kind === 'canary' || stage.kind === 'full' ? { ...stage, rules: absolute(stage.rules) } : stage));
  return { ...policy, name: 'framework default without shadow and A/B, latency limits absolute', stages };
}

/**
 * The lab's two worlds — a healthy candidate and a regressed one — as scenario documents built
 * from the lab's settings (traffic, both models, the fault, a shared outage), parsed, and the
 * regressed candidate in words. Plain functions, no DOM.
 */

import identicalCandidate from '../../../scenarios/identical-candidate.json';
import { formatPolicyError } from '../../engine/policy/parsePolicy.ts';
import { parseScenario, type Scenario, type ScenarioProblem } from '../../sim/scenario.ts';
import type { LabFault, LabLatency, LabModelBehaviour, LabSettings } from './labSettings.ts';

/** A message listing every problem, from `parsePolicy` / `parseScenario` errors. */
function problems(what: string, errors: readonly { path: string; message: string }[]): RangeError {
  return new RangeError(`${what}: ${errors.map((error) => formatPolicyError(error)).join('; ')}`);
}

/** The scenario documents (JSON as in `scenarios/`) of the lab's two worlds. */
export interface LabScenarioDocuments {
  healthy: Record<string, unknown>;
  regressed: Record<string, unknown>;
}

function latencyDocument(latency: LabLatency): Record<string, unknown> {
  if (latency.kind === 'lognormal') return { kind: 'lognormal', median: latency.median, p95: latency.p95 };
  if (latency.kind === 'gamma') return { kind: 'gamma', shape: latency.shape, scale: latency.mean / latency.shape };
  return { kind: 'exponential', mean: latency.mean };
}

/** A model made worse from the start: error rate × `errorFactor`, every latency parameter in ms × `latencyFactor`. */
function worsened(model: LabModelBehaviour, fault: LabFault): LabModelBehaviour {
  const latency = model.latency;
  const scaled: LabLatency =
    latency.kind === 'lognormal'
      ? { ...latency, median: latency.median * fault.latencyFactor, p95: latency.p95 * fault.latencyFactor }
      : { ...latency, mean: latency.mean * fault.latencyFactor };
  return { ...model, errorRate: model.errorRate * fault.errorFactor, latency: scaled };
}

function modelDocument(model: LabModelBehaviour, base: Record<string, unknown>): Record<string, unknown> {
  return {
    ...base,
    latency: latencyDocument(model.latency),
    errorRate: model.errorRate,
    ...(model.timeout === null ? {} : { timeout: model.timeout }),
  };
}

/**
 * The candidate fault of the regressed world as a scenario fault document; null for `none` and
 * for `start` (a candidate worse from the start is written as a worse candidate model).
 */
export function labFaultDocument(fault: LabFault): Record<string, unknown> | null {
  const effect = { errorRateMultiplier: fault.errorFactor, latencyMultiplier: fault.latencyFactor };
  switch (fault.kind) {
    case 'none':
      return null;
    case 'start':
      return null;
    case 'step':
      return { kind: 'step', at: fault.at, effect };
    case 'ramp':
      return { kind: 'ramp', start: fault.at, end: fault.end, effect };
    case 'leak':
      return { kind: 'leak', effect };
    case 'bursts':
      return { kind: 'bursts', start: fault.at, every: fault.every, duration: fault.duration, effect };
  }
}

/**
 * The two worlds every setting is judged in, as scenario documents: `scenarios/identical-candidate.json`
 * with the lab's traffic (rate, daily cycle, users), both models (latency, error rate, timeout)
 * and the shared outage; the healthy world has no candidate fault (a rollback is a false rollback
 * when the candidate is never worse than the truth's tolerance), the regressed world has the
 * lab's fault (framework lab default: 3× the errors from the start). These are what an export
 * cites as evidence.
 */
export function labScenarioDocuments(settings: LabSettings): LabScenarioDocuments {
  const { kind, errorFactor, latencyFactor } = settings.fault;
  if (kind !== 'none' && !(errorFactor > 1 || latencyFactor > 1)) {
    throw new RangeError(
      `the fault must make the candidate worse: errors × or latency × must be greater than 1, got ${errorFactor} and ${latencyFactor}`,
    );
  }
  const base = identicalCandidate as unknown as {
    traffic: Record<string, unknown>;
    control: Record<string, unknown>;
    candidate: Record<string, unknown>;
  } & Record<string, unknown>;
  const outage = settings.outage
    ? [
        {
          kind: 'outage',
          start: settings.outage.start,
          duration: settings.outage.duration,
          effect: { errorRateMultiplier: settings.outage.errorFactor },
        },
      ]
    : [];
  const fault = labFaultDocument(settings.fault);
  const world = (name: string, description: string, faults: unknown[], candidate = settings.candidate) => {
    const { $schema: _schema, ...rest } = base;
    return {
      ...rest,
      name,
      description,
      traffic: {
        ...base.traffic,
        requestsPerSecond: settings.requestsPerSecond,
        dailyCycle: { ...(base.traffic.dailyCycle as object), amplitude: settings.dailyAmplitude },
        users: { ...(base.traffic.users as object), count: settings.users },
      },
      control: modelDocument(settings.control, base.control),
      candidate: modelDocument(candidate, base.candidate),
      ...(faults.length > 0 ? { faults } : {}),
    };
  };
  return {
    healthy: world(
      'healthy candidate',
      'The candidate without a fault: every rollback of a candidate that is never worse is a false rollback.',
      outage,
    ),
    regressed: world(
      'regressed candidate',
      kind === 'none'
        ? 'No fault is injected: the candidate is the healthy one.'
        : `The candidate is ${faultLabel(settings.fault).replace(/^an? /, '')}: every promotion of a worse candidate is a missed regression.`,
      fault === null ? outage : [fault, ...outage],
      kind === 'start' ? worsened(settings.candidate, settings.fault) : settings.candidate,
    ),
  };
}

/** Every problem of the lab's two worlds, by JSON path (`parseScenario`), each path prefixed by its world. */
export function labScenarioProblems(settings: LabSettings): ScenarioProblem[] {
  const documents = labScenarioDocuments(settings);
  const found: ScenarioProblem[] = [];
  for (const [world, document] of [
    ['healthy', documents.healthy],
    ['regressed', documents.regressed],
  ] as const) {
    const parsed = parseScenario(document);
    if (!parsed.ok) {
      for (const error of parsed.errors) {
        // A problem common to both worlds is listed once.
        if (world === 'regressed' && found.some((seen) => seen.path === error.path && seen.message === error.message)) continue;
        found.push(error);
      }
    }
  }
  return found;
}

/** The lab's two worlds, parsed (`parseScenario`): throws a `RangeError` listing every problem. */
export function labScenarios(settings: LabSettings): { healthy: Scenario; regressed: Scenario } {
  const documents = labScenarioDocuments(settings);
  const parse = (document: Record<string, unknown>) => {
    const parsed = parseScenario(document);
    if (!parsed.ok) throw problems(`the ${String(document.name)} scenario is invalid`, parsed.errors);
    return parsed.scenario;
  };
  return { healthy: parse(documents.healthy), regressed: parse(documents.regressed) };
}

/** The regressed candidate in words: "a candidate with 3× the errors from the start". */
export function faultLabel(fault: LabFault): string {
  const effect = [
    fault.errorFactor !== 1 ? `${fault.errorFactor}× the errors` : '',
    fault.latencyFactor !== 1 ? `${fault.latencyFactor}× the latency` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  switch (fault.kind) {
    case 'none':
      return 'the candidate without a fault';
    case 'start':
      return `a candidate with ${effect} from the start`;
    case 'step':
      return `a candidate with ${effect} from ${fault.at}`;
    case 'ramp':
      return `a candidate ramping to ${effect} from ${fault.at} to ${fault.end}`;
    case 'leak':
      return `a leaking candidate (${effect} per hour served)`;
    case 'bursts':
      return `a candidate with bursts of ${effect} for ${fault.duration} every ${fault.every}`;
  }
}

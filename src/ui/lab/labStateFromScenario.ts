/**
 * "Start from a library scenario" in the policy lab: the lab's scenario controls filled from a
 * parsed scenario (traffic, both models, the candidate's first fault, a shared outage). Plain
 * function, no DOM.
 */
import type { LatencyDistribution } from '../../sim/latencyModel.ts';
import type { Fault, ModelBehaviour, Scenario } from '../../sim/scenario.ts';
import type { LabState } from './labState.ts';

/** z₀.₉₅ of the standard normal, as `latencyModel.ts` uses it to relate a lognormal's p95 and sigma. */
const z95 = 1.6448536269514722;

/** Rounds for display: 4 significant digits, written without exponent noise. */
function short(value: number): string {
  return String(Number(value.toPrecision(4)));
}

/** Seconds as the shortest exact duration text: 5400 → "90m", 7200 → "2h", 45 → "45s". */
export function durationText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${short(seconds)}s`;
}

function latencyFields(prefix: 'control' | 'candidate', latency: LatencyDistribution): Partial<LabState> {
  switch (latency.kind) {
    case 'lognormal': {
      // p95 = median·exp(z₀.₉₅·σ) when the document gave sigma.
      const p95 = latency.p95 ?? latency.median * Math.exp(z95 * (latency.sigma ?? 0));
      return { [`${prefix}Latency`]: 'lognormal', [`${prefix}Median`]: short(latency.median), [`${prefix}P95`]: short(p95) };
    }
    case 'gamma':
      return {
        [`${prefix}Latency`]: 'gamma',
        [`${prefix}Shape`]: short(latency.shape),
        [`${prefix}Mean`]: short(latency.shape * latency.scale),
      };
    case 'exponential':
      return { [`${prefix}Latency`]: 'exponential', [`${prefix}Mean`]: short(latency.mean) };
    default:
      // Mixtures and empirical laws cannot be edited in the lab: keep the lab's latency.
      return {};
  }
}

function modelFields(prefix: 'control' | 'candidate', model: ModelBehaviour): Partial<LabState> {
  return {
    ...latencyFields(prefix, model.latency),
    [`${prefix}ErrorRate`]: short(model.errorRate),
    [`${prefix}Timeout`]: model.timeout === undefined ? '' : short(model.timeout),
  };
}

function faultFields(fault: Fault | undefined): Partial<LabState> {
  if (fault === undefined || fault.kind === 'outage') return { faultKind: 'none' };
  const effect = {
    regressionFactor: short(fault.effect.errorRateMultiplier),
    faultLatency: short(fault.effect.latencyMultiplier),
  };
  switch (fault.kind) {
    case 'step':
      return { faultKind: fault.at === 0 ? 'start' : 'step', faultAt: durationText(fault.at), ...effect };
    case 'ramp':
      return { faultKind: 'ramp', faultAt: durationText(fault.start), faultEnd: durationText(fault.end), ...effect };
    case 'leak':
      return { faultKind: 'leak', ...effect };
    case 'bursts':
      return {
        faultKind: 'bursts',
        faultAt: durationText(fault.start),
        faultEvery: durationText(fault.every),
        faultFor: durationText(fault.duration),
        ...effect,
      };
  }
}

/** Candidate latency ÷ control's when the two laws are the same up to a scale factor (lognormal median and p95, gamma mean with equal shape, exponential mean); else null. */
function latencyScale(control: LatencyDistribution, candidate: LatencyDistribution): number | null {
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  if (control.kind === 'lognormal' && candidate.kind === 'lognormal') {
    const p95 = (law: typeof control) => law.p95 ?? law.median * Math.exp(z95 * (law.sigma ?? 0));
    const scale = candidate.median / control.median;
    return close(p95(candidate) / p95(control), scale) ? scale : null;
  }
  if (control.kind === 'gamma' && candidate.kind === 'gamma')
    return close(control.shape, candidate.shape) ? candidate.scale / control.scale : null;
  if (control.kind === 'exponential' && candidate.kind === 'exponential') return candidate.mean / control.mean;
  return null;
}

/**
 * A scenario whose candidate is simply worse than control from the start (no fault; the same
 * latency law scaled, a larger error rate, the same timeout): the lab's "worse from the start"
 * fault on a healthy candidate equal to control. Null when the scenario is not of that shape.
 */
function worseFromTheStart(scenario: Scenario): Partial<LabState> | null {
  const { control, candidate } = scenario;
  const latencyFactor = latencyScale(control.latency, candidate.latency);
  if (latencyFactor === null || control.timeout !== candidate.timeout || !(control.errorRate > 0)) return null;
  const errorFactor = candidate.errorRate / control.errorRate;
  if (!(errorFactor >= 1 && latencyFactor >= 1 && (errorFactor > 1 || latencyFactor > 1))) return null;
  return {
    ...modelFields('candidate', control),
    faultKind: 'start',
    regressionFactor: short(errorFactor),
    faultLatency: short(latencyFactor),
  };
}

/**
 * The lab's scenario controls for `scenario`: requests/s, daily-cycle amplitude (0 when none),
 * users; each model's latency (lognormal as median and p95 — p95 = median·exp(1.6449·σ) when the
 * scenario gives σ —, gamma as shape and mean = shape·scale, exponential as mean; mixtures and
 * empirical laws are left as they are), error rate and timeout; the candidate's first fault
 * (none when it has none — an additive extra error rate is not carried over; a candidate that is
 * only a scaled-up control becomes a healthy candidate equal to control plus "worse from the
 * start" with those factors); the first shared outage (its error multiplier). Policy controls
 * are untouched.
 */
export function labStateFromScenario(scenario: Scenario): Partial<LabState> {
  const candidateFault = scenario.faults.find((fault) => fault.kind !== 'outage');
  const outage = scenario.faults.find((fault): fault is Extract<Fault, { kind: 'outage' }> => fault.kind === 'outage');
  const worse = candidateFault === undefined ? worseFromTheStart(scenario) : null;
  return {
    requestsPerSecond: short(scenario.traffic.requestsPerSecond),
    dailyAmplitude: short(scenario.traffic.dailyCycle?.amplitude ?? 0),
    users: String(scenario.traffic.users.count),
    ...modelFields('control', scenario.control),
    ...modelFields('candidate', scenario.candidate),
    ...faultFields(candidateFault),
    ...(outage
      ? {
          outageStart: durationText(outage.start),
          outageFor: durationText(outage.duration),
          outageErrors: short(outage.effect.errorRateMultiplier),
        }
      : { outageStart: '' }),
    ...worse,
  };
}

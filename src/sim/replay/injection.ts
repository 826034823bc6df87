/**
 * Candidate regressions injected on top of a replayed log: the `--inject` SPEC.
 *
 *   SPEC := item ("," item)*
 *   item := ["leak:"] ("latency" | "errors") ("*" FACTOR | "+" AMOUNT) ["/h"]
 *
 * - `latency*1.3` every candidate latency × 1.3; `latency+50ms` (units ms, s, us; default ms)
 *   every latency + 50 ms — both applied to the candidate's empirical latencies, so exact;
 * - `errors*2` the candidate's error rate × 2; `errors+0.01` (or `errors+1%`) + 0.01;
 * - `leak:…/h` a slow leak growing with the hours the candidate has served (the simulator's
 *   `leak` fault, whose effect at strength h is 1 + h·(m − 1) for a multiplier and h·extra for
 *   an extra error rate — linear, not compounding): `leak:latency*1.01/h` (+1 % of the base per
 *   hour), `leak:errors+0.001/h`, `leak:errors*1.1/h`, and `leak:latency+2ms/h`, which the
 *   simulator can only express as a multiplier: it becomes 1 + (2 ms / median latency) per hour,
 *   exact at the median and proportional elsewhere.
 */
import type { LatencyUnit } from './parseLatency.ts';

/** One injected change to the candidate. */
export type Injection =
  | { kind: 'latencyScale'; factor: number }
  | { kind: 'latencyShift'; milliseconds: number }
  | { kind: 'errorScale'; factor: number }
  | { kind: 'errorShift'; rate: number }
  | { kind: 'leak'; target: 'latency' | 'errors'; operation: 'scale' | 'shift'; perHour: number };

const ITEM = /^(leak:)?\s*(latency|errors?)\s*([*+])\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*(ms|s|us|%)?\s*(\/\s*h)?$/i;
const MILLISECONDS: Record<LatencyUnit, number> = { ms: 1, s: 1000, us: 0.001 };

/**
 * Parses an `--inject` SPEC (grammar in the module comment). Throws a RangeError naming the item
 * and the reason. O(length).
 */
export function parseInjection(spec: string): Injection[] {
  if (spec.trim() === '') throw new RangeError('injection must not be empty');
  return spec.split(',').map((raw) => {
    const item = raw.trim();
    const match = ITEM.exec(item);
    if (!match) {
      throw new RangeError(`injection '${item}' must look like latency*1.3, latency+50ms, errors*2, errors+0.01 or leak:latency+2ms/h`);
    }
    const [, leak, targetText, operator, amountText, unitText, perHour] = match;
    const target = targetText.toLowerCase() === 'latency' ? 'latency' : 'errors';
    const unit = unitText?.toLowerCase();
    let amount = Number(amountText);
    if (leak && !perHour) throw new RangeError(`injection '${item}' is a leak: write its rate per hour, e.g. ${item}/h`);
    if (!leak && perHour) throw new RangeError(`injection '${item}' has a rate per hour: write it as a leak, leak:${item}`);
    if (operator === '*') {
      if (unit !== undefined) throw new RangeError(`injection '${item}': a factor takes no unit`);
      if (!(amount > 0)) throw new RangeError(`injection '${item}': the factor must be greater than 0`);
    } else if (target === 'latency') {
      if (unit === '%') throw new RangeError(`injection '${item}': a latency shift takes ms, s or us`);
      amount *= MILLISECONDS[(unit ?? 'ms') as LatencyUnit];
    } else {
      if (unit !== undefined && unit !== '%') throw new RangeError(`injection '${item}': an error-rate shift takes a rate or a percentage`);
      if (unit === '%') amount /= 100;
      if (!(amount <= 1)) throw new RangeError(`injection '${item}': an extra error rate must be at most 1`);
    }
    const operation = operator === '*' ? 'scale' : 'shift';
    if (leak) return { kind: 'leak', target, operation, perHour: amount };
    if (target === 'latency')
      return operation === 'scale' ? { kind: 'latencyScale', factor: amount } : { kind: 'latencyShift', milliseconds: amount };
    return operation === 'scale' ? { kind: 'errorScale', factor: amount } : { kind: 'errorShift', rate: amount };
  });
}

/** A leak fault as the scenario document writes it. */
export interface LeakFault {
  kind: 'leak';
  effect: { errorRateMultiplier: number; extraErrorRate: number; latencyMultiplier: number };
}

/** The candidate after injection: its latencies (ms), error rate, and the leak faults to add. */
export interface InjectedCandidate {
  latencies: Float64Array;
  errorRate: number;
  faults: LeakFault[];
}

/**
 * Applies `injections` in order to a candidate with `latencies` (ms; not modified — a copy is
 * returned) and `errorRate` (clamped to [0, 1] after each step). `medianLatency` converts an
 * additive latency leak to a multiplier (see the module comment). O(latencies × injections).
 */
export function applyInjections(
  latencies: Float64Array,
  errorRate: number,
  injections: readonly Injection[],
  medianLatency: number,
): InjectedCandidate {
  const values = Float64Array.from(latencies);
  let rate = errorRate;
  const faults: LeakFault[] = [];
  for (const injection of injections) {
    switch (injection.kind) {
      case 'latencyScale':
        for (let i = 0; i < values.length; i++) values[i] *= injection.factor;
        break;
      case 'latencyShift':
        for (let i = 0; i < values.length; i++) values[i] = Math.max(0, values[i] + injection.milliseconds);
        break;
      case 'errorScale':
        rate = Math.min(1, rate * injection.factor);
        break;
      case 'errorShift':
        rate = Math.min(1, Math.max(0, rate + injection.rate));
        break;
      case 'leak': {
        const effect = { errorRateMultiplier: 1, extraErrorRate: 0, latencyMultiplier: 1 };
        if (injection.target === 'latency') {
          effect.latencyMultiplier = injection.operation === 'scale' ? injection.perHour : 1 + injection.perHour / medianLatency;
        } else if (injection.operation === 'scale') {
          effect.errorRateMultiplier = injection.perHour;
        } else {
          effect.extraErrorRate = injection.perHour;
        }
        faults.push({ kind: 'leak', effect });
        break;
      }
    }
  }
  return { latencies: values, errorRate: rate, faults };
}

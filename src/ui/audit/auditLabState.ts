/**
 * "Open in Policy lab": the lab's form filled with an imported policy and the audit's worlds, so
 * the lab measures the user's own rollout at their traffic. The policy becomes the lab's imported
 * base (`labImportedPolicy.ts`) with every lab knob set to the import's own value (`knobValue`),
 * so the lab starts from the import unchanged; the lab's extra rules are switched off. The worlds
 * are the audit's (`auditScenario`), read back from the scenarios it builds rather than restated:
 * their rate, models and regression become the lab's traffic, models and a fault from the start.
 * Pure: no DOM.
 */
import { knobValue } from '../../engine/policy/policyKnobs.ts';
import type { AuditWorlds } from '../../sim/audit/auditScenario.ts';
import type { ModelBehaviour } from '../../sim/scenario.ts';
import { formatLabImport, type LabImportedPolicy } from '../lab/labImportedPolicy.ts';
import { labKnobs } from '../lab/labSettings.ts';
import { type LabState, labKnobFields } from '../lab/labState.ts';

/** The lab's form fields for the imported policy: the import itself, its knob values, its baseline; no extra rules. */
export function labStateFromImport(imported: LabImportedPolicy): Partial<LabState> {
  const patch: Partial<LabState> = {
    imported: formatLabImport(imported),
    baselineMode: imported.policy.baseline.mode,
    absError: '',
    absP95: '',
    statEffect: '',
  };
  for (const knob of labKnobs) {
    const value = knobValue(imported.policy, knob) as number | string | undefined;
    // A knob the import does not carry (no timeout-rate rule, say) keeps the lab's value: it changes nothing.
    if (value === undefined) continue;
    const field = labKnobFields[knob].field;
    (patch as Record<string, string>)[field] = knob === 'checkInterval' ? String((value as number) / 60) : String(value);
  }
  return patch;
}

/** The lab's form fields of one model (lognormal latency, error rate, timeout) of an audit world. */
function modelFields(model: ModelBehaviour, prefix: 'control' | 'candidate'): Partial<LabState> {
  const latency = model.latency;
  if (latency.kind !== 'lognormal' || latency.p95 === undefined) return {};
  return {
    [`${prefix}Latency`]: 'lognormal',
    [`${prefix}Median`]: String(Number(latency.median.toPrecision(6))),
    [`${prefix}P95`]: String(Number(latency.p95.toPrecision(6))),
    [`${prefix}ErrorRate`]: String(model.errorRate),
    [`${prefix}Timeout`]: model.timeout === undefined ? '' : String(Number(model.timeout.toPrecision(6))),
  };
}

/** The lab's traffic, models and fault for the audit's worlds, and what the lab cannot carry over, in a sentence each. */
export interface LabWorldFields {
  patch: Partial<LabState>;
  notes: string[];
}

/**
 * The audit's two worlds as the lab's scenario fields: the rate with no daily cycle, both models
 * as the healthy world's control, and the regressed world's step fault at time 0 as the lab's
 * "worse from the start" fault (errors ×, latency ×). An added error rate becomes the factor it
 * amounts to; a timeout regression, which the lab's fault has no control for, is named in `notes`.
 */
export function labStateFromWorlds(worlds: AuditWorlds): LabWorldFields {
  const { healthy, regressed } = worlds;
  const notes: string[] = [];
  const patch: Partial<LabState> = {
    requestsPerSecond: String(healthy.traffic.requestsPerSecond),
    dailyAmplitude: '0',
    users: String(healthy.traffic.users.count),
    ...modelFields(healthy.control, 'control'),
    ...modelFields(healthy.control, 'candidate'),
    outageStart: '',
  };
  const step = regressed.faults.find((fault) => fault.kind === 'step');
  if (step !== undefined && step.kind === 'step') {
    const effect = step.effect;
    const errorRate = healthy.control.errorRate;
    const regressedErrorRate = errorRate * effect.errorRateMultiplier + effect.extraErrorRate;
    patch.faultKind = 'start';
    patch.regressionFactor = errorRate > 0 ? String(Number((regressedErrorRate / errorRate).toPrecision(6))) : '1';
    patch.faultLatency = String(effect.latencyMultiplier);
    if (errorRate === 0 && regressedErrorRate > 0)
      notes.push("an error rate added to a service without errors: the lab's fault only multiplies, so its regression has no error term");
  }
  if (regressed.candidate.timeout !== healthy.control.timeout)
    notes.push("the timeout regression: the lab's fault has no timeout control, so the lab's regressed candidate keeps today's timeouts");
  return { patch, notes };
}

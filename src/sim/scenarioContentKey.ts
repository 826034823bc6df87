/**
 * A scenario's content as a text: equal for two scenarios exactly when their contents are equal,
 * as plain data in the same property order. The one test of "same scenario" for the memos that
 * outlive a call: the lab's exact worker keeps scenarios by it (workers/labExactEndpoint.ts), and
 * the evaluator keeps a scenario object's compiled worlds while it is unchanged
 * (exact/evaluateExact.ts `scenarioWorlds`).
 *
 * JSON with the values JSON would conflate told apart — NaN, ±Infinity and −0 (JSON writes null,
 * null and 0) and undefined properties (JSON drops them) — so that no two different scenarios share
 * a key. Two equal scenarios written in another property order get two keys: a miss, never a wrong
 * answer. O(size of the scenario).
 */
import type { Scenario } from './scenario.ts';

/** Marks a value JSON cannot tell apart; a string starting with it is escaped by doubling it. */
const marker = '\u0000';

/** The content text of `scenario` (module comment). */
export function scenarioContentKey(scenario: Scenario): string {
  return JSON.stringify(scenario, (_key, value: unknown) => {
    if (typeof value === 'number')
      return Number.isFinite(value) && !Object.is(value, -0) ? value : `${marker}${Object.is(value, -0) ? '-0' : value}`;
    if (value === undefined) return `${marker}undefined`;
    if (typeof value === 'string' && value.startsWith(marker)) return `${marker}${value}`;
    return value;
  });
}

/**
 * What each endpoint of the decision service means, apart from HTTP (httpRouter.ts routes to
 * these): a write (`decide`, `kill`, `reset`) checks its body and becomes a `Change` that the
 * event store (rolloutLedger.ts) applies in its one queue and answers once on disk; a read
 * (`state`, `gate`, the listing) looks at the durable view only. Errors are `HttpError`s with
 * the status and the field (400, 409).
 */
import { initialState } from '../../engine/controller/controllerState.ts';
import { killSwitch, step } from '../../engine/controller/step.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import type { DecisionResult } from './decisionResult.ts';
import { resultOf } from './decisionResult.ts';
import { HttpError, parseJsonBody } from './httpBody.ts';
import type { Change, RolloutLedger } from './rolloutLedger.ts';
import { freshRollout } from './rolloutLedger.ts';
import { parseDecideBody } from './windowIdentity.ts';

/** The writes, by action name. */
export type WriteAction = 'decide' | 'kill' | 'reset';

/** One rollout's summary, as the listing and `state` give it. */
export interface RolloutSummary {
  rollout: string;
  generation: number;
  eventCount: number;
  result: DecisionResult;
}

/** The endpoints' meaning (module comment). */
export interface RolloutHandlers {
  /** Applies a write whose body is the JSON `text`; resolves with the answer once it is durable. */
  write(action: WriteAction, rollout: string, text: string): Promise<unknown>;
  /** `GET state`: the summary and the state with its last `events` events (query value: a count, `all`, default 20). */
  state(rollout: string, events: string | null): unknown;
  /** `gate`: open (200) unless the verdict is failing (412). */
  gate(rollout: string): { status: 200 | 412; body: unknown };
  /** `GET /v1/rollouts`: every durable rollout's summary. */
  list(): { rollouts: RolloutSummary[] };
}

function checkObject(body: unknown, shape: string, allowed: string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, `(root): must be an object ${shape}`);
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key))
      throw new HttpError(400, `${key}: unknown field '${key}' (allowed: ${allowed.join(', ')})`, [
        { path: key, message: `unknown field '${key}'` },
      ]);
  }
  if (record.time !== undefined && (typeof record.time !== 'number' || !Number.isFinite(record.time))) {
    throw new HttpError(400, `time: must be a number of seconds, got ${JSON.stringify(record.time)}`, [
      { path: 'time', message: 'must be a number of seconds' },
    ]);
  }
  return record;
}

function parseReason(record: Record<string, unknown>, required: boolean): string | undefined {
  if (record.reason === undefined && !required) return undefined;
  if (typeof record.reason !== 'string' || record.reason.trim() === '' || record.reason.length > 1000) {
    throw new HttpError(400, 'reason: must be a non-empty string of at most 1000 characters', [
      { path: 'reason', message: 'must be a non-empty string of at most 1000 characters' },
    ]);
  }
  return record.reason;
}

function parseKill(body: unknown): { reason: string; time?: number } {
  const record = checkObject(body, '{ "reason": "...", "time"?: seconds }', ['reason', 'time']);
  return { reason: parseReason(record, true)!, time: record.time as number | undefined };
}

function parseReset(body: unknown): { reason?: string; time?: number; generation?: number } {
  const record = checkObject(body, '{ "reason"?: "...", "time"?: seconds, "generation"?: n }', ['reason', 'time', 'generation']);
  if (record.generation !== undefined && !(Number.isSafeInteger(record.generation) && (record.generation as number) >= 1)) {
    throw new HttpError(
      400,
      `generation: must be a whole number ≥ 1 (the generation the reset creates), got ${JSON.stringify(record.generation)}`,
      [{ path: 'generation', message: 'must be a whole number ≥ 1' }],
    );
  }
  return {
    reason: parseReason(record, false),
    time: record.time as number | undefined,
    generation: record.generation as number | undefined,
  };
}

/**
 * The handlers of a service for `policy` over the event store `ledger`; `now` is the clock of
 * a kill or reset sent without a time, in seconds.
 */
export function createRolloutHandlers(options: { policy: Policy; ledger: RolloutLedger; now: () => number }): RolloutHandlers {
  const { policy, ledger, now } = options;

  function decide(body: unknown): Change {
    const { windows, identity } = parseDecideBody(body);
    return (rollout) => {
      const counted = rollout.windows.get(identity.id);
      if (counted) {
        if (counted.hash !== identity.hash) {
          throw new HttpError(
            409,
            `window '${identity.id}' of rollout '${rollout.id}' was already counted with different content (event ${counted.eventIndex}); a window counts once — send a new id or start time for new data`,
            undefined,
            undefined,
            { rollout: rollout.id, window: identity.id, eventIndex: counted.eventIndex },
          );
        }
        const event = rollout.state!.events[counted.eventIndex];
        return {
          line: null,
          answer: {
            rollout: rollout.id,
            window: identity.id,
            duplicate: true,
            result: resultOf(rollout),
            reasons: event.reasons,
            event,
            eventIndex: counted.eventIndex,
          },
        };
      }
      const last = rollout.lastWindow;
      if (last && !(identity.startTime > last.startTime)) {
        throw new HttpError(
          409,
          `window '${identity.id}' of rollout '${rollout.id}' starts at ${identity.startTime}, not after the last counted window '${last.id}' (start ${last.startTime}): windows count once and in order; this one is refused`,
          undefined,
          undefined,
          { rollout: rollout.id, window: identity.id, lastWindow: { id: last.id, startTime: last.startTime } },
        );
      }
      rollout.state ??= initialState(policy, identity.startTime);
      const stepped = step(rollout.state, windows, policy);
      const events = rollout.state.events;
      const event = events[events.length - 1];
      const countedWindow = { ...identity, eventIndex: events.length - 1 };
      rollout.windows.set(identity.id, countedWindow);
      rollout.lastWindow = countedWindow;
      rollout.eventCount = events.length;
      return {
        line: { rollout: rollout.id, generation: rollout.generation, window: identity, event },
        answer: { rollout: rollout.id, window: identity.id, result: resultOf(rollout), reasons: stepped.reasons, event },
      };
    };
  }

  function kill(body: unknown): Change {
    const request = parseKill(body);
    return (rollout) => {
      const time = request.time ?? now();
      rollout.state ??= initialState(policy, time);
      const killed = killSwitch(rollout.state, request.reason, time, policy);
      const event = rollout.state.events[rollout.state.events.length - 1];
      rollout.eventCount = rollout.state.events.length;
      return {
        line: { rollout: rollout.id, generation: rollout.generation, event },
        answer: { rollout: rollout.id, result: resultOf(rollout), reasons: killed.reasons, event },
      };
    };
  }

  function reset(body: unknown): Change {
    const request = parseReset(body);
    return (rollout) => {
      // With `generation`, a resend of a reset whose answer was lost changes nothing (a second
      // reset would wipe the windows counted since); a reset from an outdated view is refused.
      if (request.generation !== undefined && request.generation === rollout.generation) {
        return { line: null, answer: { rollout: rollout.id, generation: rollout.generation, duplicate: true, result: resultOf(rollout) } };
      }
      if (request.generation !== undefined && request.generation !== rollout.generation + 1) {
        throw new HttpError(
          409,
          `generation: rollout '${rollout.id}' is at generation ${rollout.generation}; a reset creates ${rollout.generation + 1}, not ${request.generation}`,
          undefined,
          undefined,
          { rollout: rollout.id, generation: rollout.generation },
        );
      }
      const previous = { generation: rollout.generation, eventCount: rollout.eventCount, result: resultOf(rollout) };
      Object.assign(rollout, freshRollout(rollout.id, rollout.generation + 1));
      const time = request.time ?? now();
      return {
        line: { rollout: rollout.id, reset: { generation: rollout.generation, reason: request.reason ?? null, time } },
        answer: { rollout: rollout.id, generation: rollout.generation, previous, result: resultOf(rollout) },
      };
    };
  }

  function summary(id: string): RolloutSummary {
    const rollout = ledger.get(id);
    return { rollout: id, generation: rollout?.generation ?? 0, eventCount: rollout?.eventCount ?? 0, result: resultOf(rollout) };
  }

  return {
    write(action, rollout, text) {
      // A reset may have an empty body; decide and kill may not.
      const change =
        action === 'decide' ? decide(parseJsonBody(text)) : action === 'kill' ? kill(parseJsonBody(text)) : reset(parseJsonBody(text, {}));
      return ledger.commit(rollout, change);
    },
    state(id, eventsQuery) {
      // The log can be long: the last `events` entries (default 20; `all` for every one).
      const wanted = eventsQuery ?? '20';
      const limit = wanted === 'all' ? Infinity : Number(wanted);
      if (!(limit >= 0) || (limit !== Infinity && !Number.isInteger(limit)))
        throw new HttpError(400, `events: must be a whole number ≥ 0 or 'all', got '${wanted}'`);
      const rollout = ledger.get(id);
      const state = rollout?.state ?? null;
      const count = state ? rollout!.eventCount : 0;
      const events = state ? state.events.slice(limit === Infinity ? 0 : Math.max(0, count - limit), count) : [];
      return { ...summary(id), state: state ? { ...state, events } : null };
    },
    gate(id) {
      const result = resultOf(ledger.get(id));
      const open = result.verdict !== 'failing';
      return { status: open ? 200 : 412, body: { rollout: id, open, result } };
    },
    list() {
      return { rollouts: ledger.ids().map(summary) };
    },
  };
}

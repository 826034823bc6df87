// The decision service's parts without a socket: the router's path table and the handlers over
// an in-memory event store. The expected values are the service's documented answers
// (src/cli/serve/decisionService.ts header; docs/production.md).
import { describe, expect, it } from 'vitest';
import { openEventStore } from '../../src/cli/serve/eventStore.ts';
import { HttpError } from '../../src/cli/serve/httpBody.ts';
import { route } from '../../src/cli/serve/httpRouter.ts';
import { createRolloutHandlers } from '../../src/cli/serve/rolloutHandlers.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';

describe('route', () => {
  it('maps the paths of the default and of named rollouts', () => {
    expect(route('/v1/decide')).toEqual({ rollout: 'default', action: 'decide' });
    expect(route('/v1/rollouts/checkout-v2/gate')).toEqual({ rollout: 'checkout-v2', action: 'gate' });
    expect(route('/v1/rollouts')).toEqual({ special: 'list' });
    expect(route('/healthz')).toEqual({ special: 'health' });
  });
  it('answers 404 for an unknown path', () => {
    expect(() => route('/v2/decide')).toThrow(HttpError);
    const thrown = (() => {
      try {
        route('/v1/rollouts/a/promote');
      } catch (error) {
        return error as HttpError;
      }
    })();
    expect(thrown?.status).toBe(404);
    expect(thrown?.message).toMatch(/^no such endpoint '\/v1\/rollouts\/a\/promote'/);
  });
});

describe('handlers over a memory event store', () => {
  const make = () => {
    const policy = defaultPolicy();
    const ledger = openEventStore({ policy });
    return createRolloutHandlers({ policy, ledger, now: () => 1000 });
  };
  it('a rollout nobody wrote to waits, inconclusive, with the gate open', () => {
    const handlers = make();
    expect(handlers.list()).toEqual({ rollouts: [] });
    const gate = handlers.gate('a');
    expect(gate.status).toBe(200);
    expect(gate.body).toMatchObject({ rollout: 'a', open: true, result: { verdict: 'inconclusive', status: 'waiting', eventIndex: null } });
    expect(() => handlers.state('a', 'some')).toThrow("events: must be a whole number ≥ 0 or 'all', got 'some'");
  });
  it('the kill switch rolls back, closes the gate (412) and is listed', async () => {
    const handlers = make();
    const answer = (await handlers.write('kill', 'a', JSON.stringify({ reason: 'pager', time: 50 }))) as {
      result: { verdict: string; status: string; eventIndex: number };
    };
    expect(answer.result).toMatchObject({ verdict: 'failing', status: 'rolledBack', eventIndex: 0 });
    expect(handlers.gate('a').status).toBe(412);
    expect(handlers.list().rollouts.map((r) => [r.rollout, r.generation, r.eventCount])).toEqual([['a', 0, 1]]);
    await expect(Promise.resolve().then(() => handlers.write('kill', 'a', '{}'))).rejects.toThrow(
      'reason: must be a non-empty string of at most 1000 characters',
    );
    const reset = (await handlers.write('reset', 'a', '')) as { generation: number; previous: { eventCount: number } };
    expect(reset).toMatchObject({ generation: 1, previous: { generation: 0, eventCount: 1 } });
    expect(handlers.gate('a').status).toBe(200);
  });
});

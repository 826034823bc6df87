import { describe, expect, it } from 'vitest';
import type { RequestReplayResult, RunOutcome } from '../../../src/sim/replay/replayReport.ts';
import {
  addRunPair,
  addWorldOutcome,
  detectionSummary,
  initReplayTally,
  initWorldTally,
  worldSummary,
} from '../../../src/sim/replay/replayReport.ts';
import { formatDetectionTime, inAppWords, requestReplayVerdict } from '../../../src/ui/replay/replayVerdict.ts';

const promote: RunOutcome = { decision: 'promote', stage: 'full', decisionTime: 86_400, reasons: [], failingChecks: null, starved: null };
const rollback = (time: number): RunOutcome => ({
  decision: 'rollback',
  stage: 'canary 5%',
  decisionTime: time,
  reasons: ['canary 5% · ratio errorRate'],
  failingChecks: 2,
  starved: null,
});

/**
 * A replay result built with the replay's own tallies: `pairs` of (healthy, regressed) outcomes
 * and `own` outcomes on the log's own windows.
 */
function result(pairs: [RunOutcome, RunOutcome][], own: RunOutcome[]): RequestReplayResult {
  const tally = initReplayTally();
  for (const [healthy, regressed] of pairs) addRunPair(tally, healthy, regressed, 600);
  const ownTally = initWorldTally();
  for (const outcome of own) addWorldOutcome(ownTally, outcome);
  const healthy = worldSummary(tally.healthy);
  const ownSummary = worldSummary(ownTally);
  return {
    log: { requests: 27_000, firstTime: 0, spanSeconds: 21 * 86_400, users: 300 },
    errorDefinition: {
      rule: 'status == FAILED',
      description: '',
      statuses: [],
      rejectedStatuses: [],
      requests: 27_000,
      errors: 398,
      errorRate: 398 / 27_000,
    },
    routing: { by: 'user', column: 'user_id', group: 'rollout' },
    blockLength: { minutes: 30, how: 'politisWhite', errorSeries: 30, latencySeries: 12, explanation: '' },
    rolloutSeconds: 86_400,
    shorterThanRollout: false,
    regression: {
      injections: [{ kind: 'latencyScale', factor: 1.3 }],
      description: 'every candidate latency × 1.3',
      onset: '',
      missedMeaning: '',
    },
    replicates: pairs.length,
    seed: 1,
    falseRollbackRate: healthy.rollbackRate,
    healthy,
    detection: detectionSummary(tally),
    ownWindows: {
      runs: own.length,
      startEverySeconds: 3600,
      nonOverlappingRuns: 21,
      falseRollbackRate: ownSummary.rollbackRate,
      summary: ownSummary,
    },
  };
}

describe('requestReplayVerdict', () => {
  it('speaks in whole sentences and app words, and says when the log itself disagrees with the replay', () => {
    // Healthy: 2 rollbacks in 100 replays; the log's own windows: 30 of 100. Regressed: 90 caught, 2 in both, 8 missed.
    const pairs: [RunOutcome, RunOutcome][] = [
      ...Array.from({ length: 2 }, (): [RunOutcome, RunOutcome] => [rollback(3600), rollback(3000)]),
      ...Array.from({ length: 90 }, (): [RunOutcome, RunOutcome] => [promote, rollback(4200)]),
      ...Array.from({ length: 8 }, (): [RunOutcome, RunOutcome] => [promote, promote]),
    ];
    const own = [...Array.from({ length: 30 }, () => rollback(1800)), ...Array.from({ length: 70 }, () => promote)];
    const verdict = requestReplayVerdict(result(pairs, own));
    expect(verdict.tone).toBe('bad');
    // Wilson 95% intervals: 2/100 → [0.55%, 7.0%], 30/100 → [21.9%, 39.6%], 90/100 → [82.6%, 94.5%], 8/100 → [4.1%, 15.0%]
    // (statsmodels 0.13.5 `proportion_confint(x, 100, method='wilson')`, Debian's python3-statsmodels).
    expect(verdict.text).toBe(
      "The policy rolls back a healthy candidate in 2.0% [0.6%, 7.0%] of 100 replays; on the log's own windows it did in 30.0% [21.9%, 39.6%] of 100 runs. " +
        "The two disagree: the log's own history rolled back more often than the replay, so the replay is optimistic for this policy. " +
        'With every candidate latency × 1.3, it rolls back in 90.0% [82.6%, 94.5%] of replays only because of the regression, rolls back in 2.0% [0.6%, 7.0%] where the noise alone would have done it too, and misses it (promotes the candidate) in 8.0% [4.1%, 15.0%]. ' +
        'On this traffic the policy needs other thresholds.',
    );
    expect(verdict.text).not.toMatch(/--|\bThe policy the\b/);
  });

  it('is good when both false-rollback estimates are low and detection is high, and warns about starved stages', () => {
    const pairs = Array.from({ length: 200 }, (): [RunOutcome, RunOutcome] => [promote, rollback(4200)]);
    const own = Array.from({ length: 200 }, () => promote);
    expect(requestReplayVerdict(result(pairs, own)).tone).toBe('good');
    const starved: RunOutcome = {
      ...promote,
      decision: 'undecided',
      decisionTime: null,
      starved: { stage: 'canary 5%', ending: 'timedOut', per: 'window', seen: 41, needed: 1000 },
    };
    const verdict = requestReplayVerdict(
      result([...pairs.slice(0, 190), ...Array.from({ length: 10 }, (): [RunOutcome, RunOutcome] => [starved, starved])], own),
    );
    expect(verdict.tone).toBe('warn');
    expect(verdict.text).toContain('10 of 200 healthy replays ended in a stage that never got the requests it needs');
    expect(verdict.text).toMatch(/Give the starved stages more traffic or time before trusting these rates\.$/);
  });
});

describe('inAppWords', () => {
  it("names the app's controls instead of command-line options", () => {
    expect(inAppWords("status 'SUCCEED' is neither an HTTP code nor a known word; say what counts as an error with --error-when")).toBe(
      'status \'SUCCEED\' is neither an HTTP code nor a known word; say what counts as an error with the box "What counts as an error"',
    );
    expect(inAppWords('12 of 20 latencies are whole numbers from 0 to 60: if they are seconds, say --latency-unit s')).toBe(
      '12 of 20 latencies are whole numbers from 0 to 60: if they are seconds, say the "Latency unit" list: s',
    );
    expect(inAppWords("replaying it would reuse the log's blocks (allow that with --allow-wrap), or give a longer log")).toBe(
      'replaying it would reuse the log\'s blocks (allow that with the box "Replay a log shorter than the rollout by reusing its blocks"), or give a longer log',
    );
    expect(inAppWords('no options here')).toBe('no options here');
  });
});

describe('formatDetectionTime', () => {
  it('reads seconds, as the replay reports them, and writes them as a policy duration', () => {
    expect(formatDetectionTime(100_800)).toBe('28h');
    expect(formatDetectionTime(5400)).toBe('1h30m');
    expect(formatDetectionTime(149.6)).toBe('2m30s');
    expect(formatDetectionTime(null)).toBe('—');
  });
});

/**
 * The exact chain over checks (src/sim/exact/stageChain.ts) against a dynamic programme written
 * independently in Python (scripts/reference/exact_chain.py, scipy 1.10.1), on the issue's
 * hand-checkable cases and one of our own. The per-check probabilities are the script's (scipy
 * Poisson and binomial sums), so what is tested here is the chain: failure limits, holds,
 * minimum and maximum durations, the horizon.
 *
 * The issue's cases (a single 2-hour canary at 5% of 100 req/s, 5-minute checks, identical model
 * with 0.1% errors, error-ratio 2× against a known baseline 0.1%):
 *   per-check P(fail) with Poisson arrivals q = Σ_n Poisson(n; 1500) · P(Bin(n, 0.001) > 0.002 n)
 *     = 0.12602679280635645 (scipy);
 *   A. failure limit 1:  P(false rollback) = 1 − (1 − q)^24 = 0.960558369954671 (issue: 0.96056);
 *   B. exactly 1,500 requests: q = P(Bin(1500, 0.001) ≥ 4) = 0.06554825724701141,
 *      1 − (1 − q)^24 = 0.8034988575167361 (issue: 0.80350);
 *   C. two consecutive failures required, 24 checks (horizon 2 h): 0.2828084369928321 (issue:
 *      0.28281). The controller needs 24 PASSING checks (a failing check holds and does not count
 *      toward the minimum duration), so with a longer horizon the stage runs on:
 *   C'. the same with a long horizon: 0.319035866537832.
 *   D. (ours) low traffic, Λ = 30 per window, minRequests 30 (holds), error rate 2%, absolute limit
 *      5%, failure limit 2, 2 h minimum, 4 h maximum with onMaxDuration 'rollback', horizon 10 h:
 *      per check (hold, pass, fail) = (0.4757169861063216, 0.45315642107582066, 0.07112659281786392),
 *      P(rollback) = 0.7574500234519443, P(advance → promote) = 0.2425499765482979.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/engine/controller/compilePolicy.ts';
import { exactSummary } from '../../../src/sim/exact/exactTally.ts';
import { runStageChain } from '../../../src/sim/exact/stageChain.ts';
import { constantLaws, handCanaryPolicy, handWorld } from '../../helpers/exactChainCases.ts';

const qPoisson = 0.12602679280635645;
const qFixed = 0.06554825724701141;

describe('the exact chain over checks', () => {
  it('A. Poisson arrivals, failure limit 1: P(false rollback) = 0.960558369954671', () => {
    const summary = exactSummary(
      runStageChain(
        handWorld('7d'),
        compilePolicy(handCanaryPolicy({ failureLimit: 1 })),
        constantLaws({ hold: 0, pass: 1 - qPoisson, fail: qPoisson }),
      ),
    );
    expect(summary.falseRollbackRate.rate).toBeCloseTo(0.960558369954671, 11);
    expect(summary.promoteRate.rate).toBeCloseTo(1 - 0.960558369954671, 11);
    expect(summary.neglectedMass).toBeLessThan(1e-12);
    // Decided at the k-th check with probability (1 − q)^(k−1) q (rollback) or at the 24th (promote).
    expect(summary.decisionTimeDistribution['300']).toBeCloseTo(qPoisson, 14);
    expect(summary.decisionTimeDistribution['7200']).toBeCloseTo((1 - qPoisson) ** 23 * qPoisson + (1 - qPoisson) ** 24, 14);
  });

  it('B. exactly 1,500 requests per window: P(false rollback) = 0.8034988575167361', () => {
    const summary = exactSummary(
      runStageChain(
        handWorld('7d'),
        compilePolicy(handCanaryPolicy({ failureLimit: 1 })),
        constantLaws({ hold: 0, pass: 1 - qFixed, fail: qFixed }),
      ),
    );
    expect(summary.falseRollbackRate.rate).toBeCloseTo(0.8034988575167361, 11);
  });

  it('C. two consecutive failures within 24 checks (horizon 2 h): 0.2828084369928321; C′. with a long horizon: 0.319035866537832', () => {
    const check = { hold: 0, pass: 1 - qPoisson, fail: qPoisson };
    const short = exactSummary(runStageChain(handWorld('2h'), compilePolicy(handCanaryPolicy({ failureLimit: 2 })), constantLaws(check)));
    expect(short.rollbackRate.rate).toBeCloseTo(0.2828084369928321, 11);
    expect(short.promoteRate.rate).toBeCloseTo(0.039441630045141056, 11);
    expect(short.undecidedRate.rate).toBeCloseTo(0.6777499329584367, 11);
    const long = exactSummary(runStageChain(handWorld('7d'), compilePolicy(handCanaryPolicy({ failureLimit: 2 })), constantLaws(check)));
    expect(long.rollbackRate.rate).toBeCloseTo(0.319035866537832, 11);
    expect(long.promoteRate.rate).toBeCloseTo(0.6809641334582438, 11);
  });

  it('D. holds, failure limit 2 and a 4-hour maximum with rollback: 0.7574500234519443', () => {
    const check = { hold: 0.4757169861063216, pass: 0.45315642107582066, fail: 0.07112659281786392 };
    const summary = exactSummary(
      runStageChain(handWorld('10h'), compilePolicy(handCanaryPolicy({ failureLimit: 2, minRequests: 30 }, '4h')), constantLaws(check)),
    );
    expect(summary.rollbackRate.rate).toBeCloseTo(0.7574500234519443, 11);
    expect(summary.promoteRate.rate).toBeCloseTo(0.2425499765482979, 11);
    expect(summary.undecidedRate.rate).toBeCloseTo(0, 11);
  });

  it('the kill switch rolls back at the end of the first window', () => {
    const policy = { ...handCanaryPolicy({ failureLimit: 1 }), flag: { name: 'hand', killSwitch: true } };
    const summary = exactSummary(runStageChain(handWorld('7d'), compilePolicy(policy), constantLaws({ hold: 0, pass: 1, fail: 0 })));
    expect(summary.rollbackRate.rate).toBe(1);
    expect(summary.decisionTimeDistribution).toEqual({ '300': 1 });
  });
});

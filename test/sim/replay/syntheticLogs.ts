/** Helpers of the synthetic-log replay tests: the policy of scripts/reference/synthetic_logs.py and its logs. */

import type { SyntheticProcess } from '../../../scripts/syntheticLogs.ts';
import { syntheticLogCsv } from '../../../scripts/syntheticLogs.ts';
import { absoluteRule } from '../../../src/engine/policy/healthRules.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { canaryStage, promoteStage } from '../../../src/engine/policy/stages.ts';
import { parseColumnMapping } from '../../../src/sim/replay/columnMapping.ts';
import { parseErrorRule } from '../../../src/sim/replay/errorRule.ts';
import type { ParsedLog } from '../../../src/sim/replay/parseLog.ts';
import { parseLog } from '../../../src/sim/replay/parseLog.ts';
import reference from '../../fixtures/logs/synthetic-replay.json';

/** The policy of scripts/reference/synthetic_logs.py. */
export function syntheticPolicy(): Policy {
  return {
    version: 1,
    name: 'synthetic check',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: reference.policy.minRequests, failureLimit: 1 },
    onMaxDuration: 'rollback',
    flag: { name: 'synthetic', stickiness: 'userId' },
    stages: [
      canaryStage({
        traffic: reference.policy.canaryTraffic,
        minDuration: '2h',
        maxDuration: '3h',
        checkInterval: '10m',
        rules: [absoluteRule('errorRate', reference.policy.absoluteErrorRateLimit)],
      }),
      promoteStage(),
    ],
  } as Policy;
}

/** The synthetic log of `process`, parsed with `status == FAILED` as the error rule. */
export function syntheticLog(process: SyntheticProcess, days = 14): ParsedLog {
  const clustered = process.kind === 'clustered';
  return parseLog(syntheticLogCsv({ process, days, requestsPerMinute: reference.policy.requestsPerMinute, seed: 1 }), {
    mapping: parseColumnMapping(`timestamp=timestamp,latency=latency_ms,status=status${clustered ? ',user=user' : ''}`),
    errorRule: parseErrorRule('status == FAILED'),
  });
}

/**
 * The full table of issue 15's check (c): type I error (A/A) and power (at the planned effect) of
 * the fixed, group-sequential (4 looks, O'Brien–Fleming type) and always-valid (mSPRT, τ² = Δ²)
 * designs for proportion, mean, mean with CUPED (ρ = 0.7) and ratio metrics, on the simulator's
 * windows in both fidelity modes (src/sim/metricValuesDesignCheck.ts: 8 windows of 15 minutes,
 * 300,000 users, α = 0.05 two-sided, power 0.8). test/sim/metricValuesDesignCheck.test.ts checks
 * the same table at 300 replicates in the windowed mode; this prints it with more.
 *
 * Then returning users: the same stage with 2,000 users, who come back in several windows, so
 * user-windows are not independent — with cumulative per-user values (`valuesSince`, the
 * simulator's default) every metric keeps its level; with user-windows added as independent units
 * the ratio metric with a persistent user effect (σ_u = 0.5) inflates the fixed design's type I
 * error, beside the mean metric without user effect, which keeps its level.
 *
 * Last, the A/B stage with a metric list end to end through the engine (`endToEnd`).
 *
 * Run from the root of the tree: `npx tsc -p tsconfig.cli.json --outDir /tmp/bench-metrics && node
 * /tmp/bench-metrics/bench/metricDesignCheck.js [WINDOW_REPLICATES] [REQUEST_REPLICATES] [END_TO_END_RUNS]`
 * (defaults 2000, 400 and 200; 0 skips a part).
 */
import { readFileSync } from 'node:fs';
import { formatPolicyError, parsePolicy } from '../src/engine/policy/index.ts';
import type { DesignCheckResult } from '../src/sim/metricValuesDesignCheck.ts';
import { designCheckAnalyses, designCheckTable, designCheckWorld, designRates, simulateLooks } from '../src/sim/metricValuesDesignCheck.ts';
import { prepareSimulation, runOne } from '../src/sim/runner.ts';
import { parseScenario } from '../src/sim/scenario.ts';

const windowReplicates = Number(process.argv[2] ?? 2000);
const requestReplicates = Number(process.argv[3] ?? 400);
const endToEndReplicates = Number(process.argv[4] ?? 200);

const percent = (cell: DesignCheckResult, design: 'fixed' | 'groupSequential' | 'alwaysValid') =>
  `${(100 * cell[design].rate).toFixed(1)} ± ${(100 * cell[design].standardError).toFixed(1)}`;

for (const [mode, replicates] of [
  ['window', windowReplicates],
  ['request', requestReplicates],
] as const) {
  if (replicates === 0) continue;
  const start = process.cpuUsage();
  const table = designCheckTable({ mode, replicates, seed: 'bench-design-check' });
  const cpu = process.cpuUsage(start);
  console.log(
    `\n${mode} mode, ${replicates} replicates per cell (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU); rates in %, ± one standard error`,
  );
  console.log(
    '| metric | planned Δ | type I fixed | type I group-seq. | type I always-valid | power fixed | power group-seq. | power always-valid |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of table) {
    console.log(
      `| ${row.label} | ${row.plannedEffect.toPrecision(3)} | ${percent(row.nullCell, 'fixed')} | ${percent(row.nullCell, 'groupSequential')} | ${percent(row.nullCell, 'alwaysValid')} | ${percent(row.effectCell, 'fixed')} | ${percent(row.effectCell, 'groupSequential')} | ${percent(row.effectCell, 'alwaysValid')} |`,
    );
  }
}

if (windowReplicates > 0) returningUsers();
if (endToEndReplicates > 0) endToEnd();

function returningUsers(): void {
  // Returning users: 2,000 users, ~7,200 requests in the stage (≈ 3.6 per user, over several windows).
  const traces = (valueUnits: 'user' | 'userWindow') =>
    simulateLooks({
      world: designCheckWorld({ accuracy: 0.3, revenueMean: 50, costScale: 0.5 }, 2000),
      mode: 'window',
      metrics: designCheckAnalyses.map((analysis) => analysis.metric),
      windows: 8,
      windowDuration: 900,
      seed: 'bench-recurring-users',
      replicates: windowReplicates,
      valueUnits,
    });
  const byUnits = { user: traces('user'), userWindow: traces('userWindow') };
  console.log(
    `\nreturning users (2,000 users), A/A, ${windowReplicates} replicates: fixed-design type I error in %, and the empirical variance of the final estimate over the mean variance the analysis computed`,
  );
  console.log('| metric | cumulative per user (valuesSince): type I | variance ratio | user-windows added: type I | variance ratio |');
  console.log('|---|---|---|---|---|');
  const varianceRatio = (cell: readonly Float64Array[], meanVariance: number) => {
    const finals = cell.map((trace) => trace[trace.length - 2]);
    const mean = finals.reduce((sum, x) => sum + x, 0) / finals.length;
    return (finals.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (finals.length - 1) / meanVariance).toFixed(2);
  };
  designCheckAnalyses.forEach((analysis, i) => {
    const cells = (['user', 'userWindow'] as const).map((units) => {
      const cell = designRates(byUnits[units][i], { looks: 4, alpha: 0.05, mixingVariance: 1 });
      return `${percent(cell, 'fixed')} | ${varianceRatio(byUnits[units][i], cell.meanFinalVariance)}`;
    });
    console.log(`| ${analysis.label} | ${cells[0]} | ${cells[1]} |`);
  });
}

/**
 * End to end through the engine's A/B stage with a metric list (scenarios/ab-metrics-longer-answers.json):
 * identical models (A/A) and the candidate with 10% more tokens per request, under each design,
 * with onInconclusive 'advance': the split of outcomes and the mean time to the decision.
 */
function endToEnd(): void {
  const document = JSON.parse(readFileSync('scenarios/ab-metrics-longer-answers.json', 'utf8'));
  const designs = [{ type: 'fixed' }, { type: 'groupSequential', looks: 4, spending: 'obrienFleming' }, { type: 'alwaysValid' }];
  console.log(`\nend to end (engine A/B stage with metrics, windowed mode, onInconclusive 'advance'), ${endToEndReplicates} runs per cell`);
  console.log(
    '| candidate | design | promoted, no difference | promoted, candidate better | rolled back, a metric worse | other | mean hours to decision |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const [label, median] of [
    ['identical (A/A)', 300],
    ['+10% tokens per request', 330],
  ] as const) {
    const raw = structuredClone(document);
    raw.candidate.values.tokens.value.median = median;
    const parsed = parseScenario(raw);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    for (const design of designs) {
      const policyJson = structuredClone(document.policy);
      policyJson.stages[0].test.design = design;
      const policy = parsePolicy(policyJson);
      if (!policy.ok) throw new Error(policy.errors.map(formatPolicyError).join('; '));
      const simulation = prepareSimulation(parsed.scenario, policy.policy, 'window', 'bench-ab-metrics');
      const counts = { inconclusive: 0, better: 0, worse: 0, other: 0 };
      let hours = 0;
      for (let i = 0; i < endToEndReplicates; i++) {
        const run = runOne(simulation, i);
        if (run.decision === 'promote' && run.abWinner === null) counts.inconclusive += 1;
        else if (run.decision === 'promote' && run.abWinner === 'candidate') counts.better += 1;
        else if (run.decision === 'rollback' && run.abWinner === 'control') counts.worse += 1;
        else counts.other += 1;
        hours += (run.decisionTime ?? 0) / 3600 / endToEndReplicates;
      }
      const share = (count: number) => `${((100 * count) / endToEndReplicates).toFixed(1)} %`;
      console.log(
        `| ${label} | ${design.type} | ${share(counts.inconclusive)} | ${share(counts.better)} | ${share(counts.worse)} | ${share(counts.other)} | ${hours.toFixed(2)} |`,
      );
    }
  }
}

/**
 * The full table of issue 15's check (c): type I error (A/A) and power (at the planned effect) of
 * the fixed, group-sequential (4 looks, O'Brien–Fleming type) and always-valid (mSPRT, τ² = Δ²)
 * designs for proportion, mean, mean with CUPED (ρ = 0.7) and ratio metrics, on the simulator's
 * windows in both fidelity modes (src/sim/metricValuesDesignCheck.ts: 8 windows of 15 minutes,
 * 300,000 users, α = 0.05 two-sided, power 0.8). test/sim/metricValuesDesignCheck.test.ts checks
 * the same table at 300 replicates in the windowed mode; this prints it with more.
 *
 * Then the limit of contract C3's units: the same stage with 2,000 users, who come back in several
 * windows, so user-windows are not independent — the ratio metric with a persistent user effect
 * (σ_u = 0.5) shows the inflation of the fixed design's type I error that pooling user-windows
 * causes, beside the mean metric without user effect, which keeps its level.
 *
 * Run: `npx tsc -p tsconfig.cli.json --outDir /tmp/bench-metrics && node
 * /tmp/bench-metrics/bench/metricDesignCheck.js [WINDOW_REPLICATES] [REQUEST_REPLICATES]`
 * (defaults 2000 and 400).
 */
import type { DesignCheckResult } from '../src/sim/metricValuesDesignCheck.ts';
import { designCheckAnalyses, designCheckTable, designCheckWorld, designRates, simulateLooks } from '../src/sim/metricValuesDesignCheck.ts';

const windowReplicates = Number(process.argv[2] ?? 2000);
const requestReplicates = Number(process.argv[3] ?? 400);

const percent = (cell: DesignCheckResult, design: 'fixed' | 'groupSequential' | 'alwaysValid') =>
  `${(100 * cell[design].rate).toFixed(1)} ± ${(100 * cell[design].standardError).toFixed(1)}`;

for (const [mode, replicates] of [
  ['window', windowReplicates],
  ['request', requestReplicates],
] as const) {
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

// Returning users: 2,000 users, ~7,200 requests in the stage (≈ 3.6 per user, over several windows).
const recurring = simulateLooks({
  world: designCheckWorld({ accuracy: 0.3, revenueMean: 50, costScale: 0.5 }, 2000),
  mode: 'window',
  metrics: designCheckAnalyses.map((analysis) => analysis.metric),
  windows: 8,
  windowDuration: 900,
  seed: 'bench-recurring-users',
  replicates: windowReplicates,
});
console.log(
  `\nreturning users (2,000 users, user-windows pooled as independent units), A/A, ${windowReplicates} replicates: fixed-design type I error`,
);
designCheckAnalyses.forEach((analysis, i) => {
  const cell = designRates(recurring[i], { looks: 4, alpha: 0.05, mixingVariance: 1 });
  console.log(`  ${analysis.label}: ${percent(cell, 'fixed')} %`);
});

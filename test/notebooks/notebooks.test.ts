/**
 * Executes every notebook with the runner, in Node, and checks that no cell fails, that every
 * notebook draws at least one figure, and that the numbers the prose relies on are right —
 * against independent implementations (scripts/reference/notebooks.py, base R).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellResult, NotebookRun } from '../../notebooks/index.ts';
import { isFigure, isTable, notebooks, runNotebook } from '../../notebooks/index.ts';
import type { SegmentsAnalysis } from '../../src/engine/analysis/segments.ts';
import type { SegmentReport } from '../../src/engine/controller/segmentReport.ts';
import type { SampleSizeResult } from '../../src/engine/stats/sampleSize.ts';
import type { ParsedLog } from '../../src/sim/replay/parseLog.ts';
import { expectRelative } from '../helpers/close.ts';

const runs = new Map<string, NotebookRun>();

beforeAll(async () => {
  for (const notebook of notebooks) runs.set(notebook.id, await runNotebook(notebook));
}, 60_000);

/** The value of the cell `name` of notebook `id` (fails the test when the cell did not run). */
function cellValue<T>(id: string, name: string): T {
  const result = runs.get(id)?.results.find((cell) => cell.name === name);
  expect(result, `${id} has a cell '${name}'`).toBeDefined();
  expect(result!.status, `${id} › ${name}: ${result!.error ?? ''}`).toBe('ok');
  return result!.value as T;
}

function rows<T>(id: string, name: string): T[] {
  const value = cellValue<unknown>(id, name);
  expect(isTable(value)).toBe(true);
  return (value as { table: T[] }).table;
}

describe('every notebook', () => {
  it('is listed with the five notebooks of issue 6 and the replay notebook of issue 12', () => {
    expect(notebooks.map((notebook) => notebook.id)).toEqual([
      'sizing-an-ab-test',
      'the-cost-of-peeking',
      'ratio-thresholds-at-low-traffic',
      'simpsons-paradox-in-rollouts',
      'tuning-thresholds-on-a-replayed-log',
      'replay-keeps-the-bursts',
    ]);
  });

  for (const notebook of notebooks) {
    describe(notebook.id, () => {
      it('runs every code cell without an error', () => {
        const run = runs.get(notebook.id)!;
        const failures = run.results.filter((cell: CellResult) => cell.status === 'error' || cell.status === 'skipped');
        expect(failures.map((cell) => `${cell.name}: ${cell.error}`)).toEqual([]);
        expect(run.ok).toBe(true);
        expect(run.results).toHaveLength(notebook.cells.length);
      });

      it('has prose, code and at least one figure with data', () => {
        expect(notebook.cells.some((cell) => cell.kind === 'markdown')).toBe(true);
        expect(notebook.cells.filter((cell) => cell.kind === 'code').length).toBeGreaterThanOrEqual(2);
        const figures = runs
          .get(notebook.id)!
          .results.map((cell) => cell.value)
          .filter(isFigure);
        expect(figures.length).toBeGreaterThanOrEqual(1);
        for (const { figure, caption } of figures) {
          expect(caption.length).toBeGreaterThan(20);
          expect(Array.isArray(figure.marks) && figure.marks.length > 0).toBe(true);
          // Every mark built from data has rows (Plot marks keep their data on `.data`).
          for (const mark of figure.marks ?? []) {
            const data = (mark as { data?: unknown }).data;
            if (Array.isArray(data)) expect(data.length).toBeGreaterThan(0);
          }
        }
      });
    });
  }
});

describe('sizing an A/B test', () => {
  const id = 'sizing-an-ab-test';

  it('gives the pooled sample size of R power.prop.test', () => {
    const pooled = cellValue<SampleSizeResult>(id, 'pooled');
    // R 4.x: power.prop.test(p1 = 0.10, p2 = 0.12, power = 0.8)$n = 3840.84748243445
    expectRelative(pooled.nPerArmExact, 3840.84748243445, 1e-8);
    expect(pooled.nPerArm).toBe(3841);
  });

  it('gives the arcsine sample size of statsmodels NormalIndPower', () => {
    const arcsine = cellValue<SampleSizeResult>(id, 'arcsine');
    // statsmodels 0.13.5: NormalIndPower().solve_power(proportion_effectsize(0.12, 0.10), alpha=0.05, power=0.8) = 3834.595739884031
    expectRelative(arcsine.nPerArmExact, 3834.595739884031, 1e-8);
    expect(arcsine.nPerArm).toBe(3835);
  });

  it('converts sample sizes into days of traffic', () => {
    const days = rows<{ lift: number; nTotal: number; days: number }>(id, 'daysNeeded');
    expect(days.map((row) => row.lift)).toEqual([0.1, 0.2, 0.3]);
    const twentyPercent = days.find((row) => row.lift === 0.2)!;
    expect(twentyPercent.nTotal).toBe(2 * 3841);
    expect(twentyPercent.days).toBe(Math.ceil((2 * 3841) / 2000));
    // Sample size grows with 1/effect²: a +10% lift needs about four times the users of +20%.
    expect(days[0].nTotal / days[1].nTotal).toBeGreaterThan(3.5);
    expect(days[0].nTotal / days[1].nTotal).toBeLessThan(4.2);
  });
});

describe('the cost of peeking', () => {
  const id = 'the-cost-of-peeking';

  it('gives the exact naive false-positive rate at five looks', () => {
    const table = rows<{ looks: number; falsePositiveRate: number }>(id, 'naiveRates');
    // scipy 1.10.1 multivariate_normal.cdf (Genz), 5 looks, Corr = sqrt(j/k), |z| < 1.959964: 1 − P = 0.14168904016952677
    expect(table.find((row) => row.looks === 5)!.falsePositiveRate).toBeCloseTo(0.14168904016952677, 5);
    expect(table.find((row) => row.looks === 1)!.falsePositiveRate).toBeCloseTo(0.05, 12);
    const rates = table.map((row) => row.falsePositiveRate);
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
  });

  it('confirms it by a seeded Monte-Carlo simulation within its standard error', () => {
    const simulation = cellValue<{
      replicates: number;
      exactNaiveRate: number;
      naiveRate: number;
      groupSequentialRate: number;
      alwaysValidRate: number;
      standardErrorsFromExact: number;
    }>(id, 'simulation');
    const n = simulation.replicates;
    expect(n).toBe(20000);
    // Tolerance: 4 standard errors √(p(1 − p)/N) of each rate.
    const se = (p: number) => Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(simulation.naiveRate - 0.14168904016952677)).toBeLessThan(4 * se(0.1417));
    expect(Math.abs(simulation.standardErrorsFromExact)).toBeLessThan(4);
    // O'Brien–Fleming boundaries spend exactly α = 0.05 under H0.
    expect(Math.abs(simulation.groupSequentialRate - 0.05)).toBeLessThan(4 * se(0.05));
    // The mixture SPRT is valid at any stopping time: at most α (it is conservative with 5 looks).
    expect(simulation.alwaysValidRate).toBeLessThan(0.05 + 4 * se(0.05));
  });

  it('shows O’Brien–Fleming boundaries of rpact', () => {
    const boundaries = cellValue<{ obrienFleming: { z: number[] } }>(id, 'boundaries');
    // rpact 3.3.4: getDesignGroupSequential(kMax = 5, alpha = 0.05, sided = 2, typeOfDesign = "asOF")$criticalValues
    const rpact = [4.876884949, 3.357011922, 2.680280067, 2.289816774, 2.031032048];
    rpact.forEach((z, k) => expect(Math.abs(boundaries.obrienFleming.z[k] - z)).toBeLessThan(2e-6));
  });
});

describe('why ratio thresholds misfire at low traffic', () => {
  const id = 'ratio-thresholds-at-low-traffic';

  it('computes the exact per-window false-alarm probability of scipy', () => {
    const fire = cellValue<(n: number, p: number) => number>(id, 'fireProbability');
    // scipy 1.10.1: sum(binom.pmf(k, n, p) * binom.sf(2k, n, p)) — scripts/reference/notebooks.py
    expect(fire(100, 0.01)).toBeCloseTo(0.2620381558225132, 12);
    expect(fire(1000, 0.01)).toBeCloseTo(0.06161362638931679, 12);
    expect(fire(200, 0.02)).toBeCloseTo(0.15201121535654688, 12);
    expectRelative(fire(5000, 0.01), 0.0003947557644637243, 1e-9);
  });

  it('compounds it over a 24-check canary', () => {
    const table = rows<{ requestsPerArm: number; falseRollbackOver24Checks: number }>(id, 'overCanary');
    // scipy 1.10.1: 1 − (1 − P(fire | n = 100, p = 0.01))^24
    expect(table.find((row) => row.requestsPerArm === 100)!.falseRollbackOver24Checks).toBeCloseTo(0.9993195224841118, 10);
  });

  it('simulates the controller: the ratio rule rolls back healthy candidates, the statistical rule does not', () => {
    const table = rows<{ rule: string; falseRollbackRate: number; detectionRate: number }>(id, 'simulated');
    const [ratio, statistical] = table;
    expect(ratio.rule).toMatch(/^ratio/);
    expect(statistical.rule).toMatch(/^statistical/);
    // 400 replicates: standard error at most 0.025; the bounds below are > 6 SE from the observed rates.
    expect(ratio.falseRollbackRate).toBeGreaterThan(0.5);
    expect(ratio.detectionRate).toBeGreaterThan(0.9);
    // The always-valid one-sided test at α = 0.05 over the stage: at most α, up to 4 SE (0.011).
    expect(statistical.falseRollbackRate).toBeLessThan(0.05 + 4 * Math.sqrt((0.05 * 0.95) / 400));
    expect(statistical.detectionRate).toBeGreaterThan(0.8);
  });
});

describe("Simpson's paradox in rollouts", () => {
  const id = 'simpsons-paradox-in-rollouts';

  it('flags the kidney-stone paradox with the z-test of statsmodels', () => {
    const kidney = cellValue<SegmentsAnalysis>(id, 'kidney');
    expect(kidney.simpsonParadox).toBe(true);
    expect(kidney.paradoxKind).toBe('every-segment');
    expect(kidney.aggregate.higher).toBe('B (nephrolithotomy)');
    expect(kidney.segments.map((segment) => segment.higher)).toEqual(['A (open surgery)', 'A (open surgery)']);
    // statsmodels 0.13.5 proportions_ztest([273, 289], [350, 350]) = (-1.5200619980786936, 0.12849539443997515)
    expect(kidney.aggregate.z).toBeCloseTo(-1.5200619980786936, 10);
    expect(kidney.aggregate.pValue).toBeCloseTo(0.12849539443997515, 10);
  });

  it('flags the canary whose segment mix hides a better candidate', () => {
    const canary = cellValue<{ analysis: SegmentsAnalysis }>(id, 'canary');
    expect(canary.analysis.simpsonParadox).toBe(true);
    expect(canary.analysis.aggregate.winner).toBe('control');
    expect(canary.analysis.segments.every((segment) => segment.higher === 'candidate')).toBe(true);
  });

  it("reports the controller's segment report: a paradox only when the arms' mixes differ", () => {
    const { canaryReport, abReport } = cellValue<{ canaryReport: SegmentReport; abReport: SegmentReport }>(id, 'reports');
    // scipy 1.10.1 chi2_contingency([[8000, 2000], [500, 1500]], correction=False) → χ² 2440.3361344537816, p 0.0 (underflows);
    // chi2_contingency([[800, 3200], [800, 3200]], correction=False) → χ² 0.0, p 1.0.
    expect(canaryReport.simpsonParadox).toBe(true);
    expect(canaryReport.mixPValue!).toBeLessThan(1e-300);
    expect(canaryReport.message).toContain(
      "The arms' segment mixes differ (χ² 2440, p < 1e-300): a randomised assignment should not do this; check it.",
    );
    expect(abReport.simpsonParadox).toBe(false);
    expect(abReport.mixPValue).toBe(1);
    expect(abReport.message).toContain(
      "The aggregate (candidate 88.0% vs control 88.0%) averages opposite effects by segment away; the arms' segment mixes match (χ² 0, p 1).",
    );
    expect(abReport.message).toContain("Route per segment ('mobile' → candidate, 'web' → control)");
    // 0.2 · 0.88 + 0.8 · 0.90 − 0.88 (either model alone: 0.88) = 0.016.
    expect(abReport.routingGain).toBeCloseTo(0.016, 12);
  });
});

describe('tuning thresholds on a replayed log', () => {
  const id = 'tuning-thresholds-on-a-replayed-log';

  it('parses the bundled log completely', () => {
    const log = cellValue<ParsedLog>(id, 'log');
    const report = cellValue<{ rowsAccepted: number; rowsRejected: number; errorRate: number }>(id, 'logReport');
    // `wc -l` minus the header, and awk -F, '$3=="500"||$3=="503"||$3=="timeout"' | wc -l on the CSV: 7062 rows, 77 errors.
    expect(log.rows).toBe(7062);
    expect(report.rowsRejected).toBe(0);
    expect(report.errorRate).toBeCloseTo(77 / 7062, 12);
  });

  it('sweeps the threshold: hourly checks always misfire, six-hour checks trade false rollbacks for detection', () => {
    const sweep = cellValue<{ checkInterval: string; maxRatio: number; falseRollbackRate: number; detectionRate: number }[]>(id, 'sweep');
    const hourly = sweep.filter((point) => point.checkInterval === '1h');
    const sixHourly = sweep.filter((point) => point.checkInterval === '6h');
    expect(hourly).toHaveLength(6);
    expect(sixHourly).toHaveLength(6);
    for (const point of hourly) expect(point.falseRollbackRate).toBeGreaterThan(0.9);
    // Common random numbers: with the same windows, a larger k can only roll back less often.
    for (let i = 1; i < sixHourly.length; i++) {
      expect(sixHourly[i].falseRollbackRate).toBeLessThanOrEqual(sixHourly[i - 1].falseRollbackRate);
      expect(sixHourly[i].detectionRate).toBeLessThanOrEqual(sixHourly[i - 1].detectionRate);
    }
    expect(sixHourly[0].falseRollbackRate - sixHourly[5].falseRollbackRate).toBeGreaterThan(0.3);
    expect(sixHourly[0].detectionRate).toBeGreaterThan(0.95);
  });
});

describe('replay-keeps-the-bursts', () => {
  const id = 'replay-keeps-the-bursts';

  it("agrees with the log's own windows where the old i.i.d. replay does not", () => {
    const comparison = cellValue<{ maxRatio: number; method: string; falseRollbackRate: number; lower: number; upper: number }[]>(
      id,
      'comparison',
    );
    expect(comparison).toHaveLength(9);
    const find = (k: number, method: string) => comparison.find((row) => row.maxRatio === k && row.method.startsWith(method))!;
    for (const k of [2, 3, 4]) {
      const own = find(k, "the log's own windows");
      const replay = find(k, 'request replay');
      // The intervals of the request replay and of the log's own windows overlap (prose: "lands close").
      expect(replay.lower).toBeLessThan(own.upper);
      expect(own.lower).toBeLessThan(replay.upper);
    }
    // Prose: at k = 3 and 4 the i.i.d. replay promises far fewer false rollbacks; at k = 2 more.
    for (const k of [3, 4]) expect(find(k, 'old replay').upper).toBeLessThan(find(k, "the log's own windows").lower);
    expect(find(2, 'old replay').lower).toBeGreaterThan(find(2, "the log's own windows").upper);
  });
});

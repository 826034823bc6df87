import * as Plot from '@observablehq/plot';
import { normalSampler } from '../src/engine/random/normal.ts';
import { streamFor } from '../src/engine/random/streams.ts';
import { alwaysValidTest } from '../src/engine/stats/alwaysValid.ts';
import { normalQuantile } from '../src/engine/stats/distributions.ts';
import type { GroupSequentialBoundaries } from '../src/engine/stats/groupSequential.ts';
import {
  equallySpacedFractions,
  groupSequentialBoundaries,
  naiveRepeatedTestingFalsePositiveRate,
} from '../src/engine/stats/groupSequential.ts';
import { wilsonInterval } from '../src/engine/stats/wilson.ts';
import type { Notebook } from './notebook.ts';

/** Naive repeated testing against group-sequential and always-valid tests, exactly and by simulation. */
const notebook: Notebook = {
  id: 'the-cost-of-peeking',
  title: 'The cost of peeking',
  summary:
    'Checking an A/B test at every look with an unadjusted p < 0.05 rolls back (or ships) far more often than 5%. The exact rate against the number of looks, what group-sequential and always-valid tests do instead, and a seeded simulation that confirms it.',
  cells: [
    {
      kind: 'markdown',
      text: `# The cost of peeking

A rollout controller looks at its metrics every few minutes. If each look runs an ordinary two-sided z-test at α = 5% and acts on the first significant result, the chance of acting on pure noise is no longer 5%: every look is another chance. This is *naive repeated significance testing* (Armitage, McPherson & Rowe, 1969).

Under the null hypothesis the z-statistics of successive looks are correlated Gaussian variables — Corr(Z_j, Z_k) = √(t_j / t_k) for information fractions t_j ≤ t_k — so the false-positive rate over K looks is a multivariate normal probability. The engine computes it exactly by recursive numerical integration (Jennison & Turnbull 2000, §19.2), with no simulation.`,
    },
    {
      kind: 'code',
      name: 'naiveRates',
      run: () => {
        const rows = [1, 2, 3, 4, 5, 10, 15, 20, 30, 50].map((looks) => ({
          looks,
          falsePositiveRate: naiveRepeatedTestingFalsePositiveRate(looks, 0.05, 2),
        }));
        return { table: rows, caption: 'Exact false-positive rate of naive testing at α = 0.05 (two-sided), equally spaced looks' };
      },
    },
    {
      kind: 'markdown',
      text: `Five looks already give about **14%**, nearly three times the nominal 5%; fifty looks give about a third. The rate keeps growing (slowly, like the law of the iterated logarithm) — with unlimited looks it tends to 1.

## Two ways to look without paying

- **Group-sequential boundaries** (Lan & DeMets 1983) spend the 5% over the planned looks. O'Brien–Fleming-type spending demands overwhelming evidence early (|z| > 4.88 at the first of five looks) and nearly the fixed-sample threshold at the end (2.03); Pocock-type spending uses an almost constant threshold (from 2.44 down to 2.39).
- **Always-valid tests** (the mixture SPRT of Johari et al. 2022) need no plan at all: their p-value may be checked after every window, forever, and still rejects a true null at most 5% of the time. The price is a wider interval at any fixed sample size.`,
    },
    {
      kind: 'code',
      name: 'boundaries',
      run: () => {
        const informationFractions = equallySpacedFractions(5);
        return {
          obrienFleming: groupSequentialBoundaries({ informationFractions, alpha: 0.05, sides: 2, spending: 'obrienFleming' }),
          pocock: groupSequentialBoundaries({ informationFractions, alpha: 0.05, sides: 2, spending: 'pocock' }),
        };
      },
    },
    {
      kind: 'code',
      name: 'boundaryFigure',
      run: ({ boundaries }: { boundaries: { obrienFleming: GroupSequentialBoundaries; pocock: GroupSequentialBoundaries } }) => {
        const points = [
          ...boundaries.obrienFleming.z.map((z, k) => ({ design: "O'Brien–Fleming", look: k + 1, z })),
          ...boundaries.pocock.z.map((z, k) => ({ design: 'Pocock', look: k + 1, z })),
          ...boundaries.pocock.z.map((_, k) => ({ design: 'naive (1.96 at every look)', look: k + 1, z: normalQuantile(0.975) })),
        ];
        return {
          caption:
            'Critical |z| at each of five looks: each group-sequential design keeps the overall false-positive rate at 5%; the naive threshold does not.',
          figure: {
            width: 640,
            height: 300,
            x: { label: 'Look', ticks: 5, tickFormat: 'd' },
            y: { label: 'Critical |z|', zero: true, grid: true },
            color: { legend: true },
            marks: [
              Plot.line(points, { x: 'look', y: 'z', stroke: 'design', strokeWidth: 2 }),
              Plot.dot(points, { x: 'look', y: 'z', fill: 'design', r: 3, tip: true }),
            ],
          },
        };
      },
    },
    {
      kind: 'markdown',
      text: `## A seeded simulation confirms it

We simulate 20,000 A/A tests with five equally spaced looks. Each replicate draws its Gaussian score increments from its own seeded stream (\`streamFor(seed, replicate)\`), so the result is reproducible. Every replicate is judged three ways: naive (|Z_k| > 1.96 at any look), O'Brien–Fleming boundaries, and an always-valid mixture SPRT on the running mean (mixing variance τ² = 1 on the scale of one look's information). The naive rate must match the exact value within Monte-Carlo error (the standard error is √(p(1 − p)/N) ≈ 0.0025); the two corrected designs must stay near or below 5%.`,
    },
    {
      kind: 'code',
      name: 'simulation',
      run: ({ boundaries }: { boundaries: { obrienFleming: GroupSequentialBoundaries } }) => {
        const replicates = 20000;
        const looks = 5;
        const critical = normalQuantile(0.975);
        let naive = 0;
        let groupSequential = 0;
        let alwaysValid = 0;
        for (let replicate = 0; replicate < replicates; replicate++) {
          const draw = normalSampler(streamFor('notebook: the cost of peeking', replicate));
          let score = 0;
          let naiveHit = false;
          let sequentialHit = false;
          let test = alwaysValidTest.init({ alpha: 0.05, mixingVariance: 1 });
          for (let look = 1; look <= looks; look++) {
            score += draw();
            const z = score / Math.sqrt(look);
            if (Math.abs(z) > critical) naiveHit = true;
            if (Math.abs(z) > boundaries.obrienFleming.z[look - 1]) sequentialHit = true;
            test = alwaysValidTest.update(test, { estimate: score / look, variance: 1 / look });
          }
          if (naiveHit) naive++;
          if (sequentialHit) groupSequential++;
          if (alwaysValidTest.value(test).rejected) alwaysValid++;
        }
        const exact = naiveRepeatedTestingFalsePositiveRate(looks, 0.05, 2);
        const naiveRate = naive / replicates;
        return {
          replicates,
          exactNaiveRate: exact,
          naiveRate,
          naiveInterval: wilsonInterval({ successes: naive, total: replicates }),
          standardErrorsFromExact: (naiveRate - exact) / Math.sqrt((exact * (1 - exact)) / replicates),
          groupSequentialRate: groupSequential / replicates,
          alwaysValidRate: alwaysValid / replicates,
        };
      },
    },
    {
      kind: 'code',
      name: 'peekingFigure',
      run: ({ simulation }: { simulation: { naiveRate: number; exactNaiveRate: number } }) => {
        const exact = Array.from({ length: 20 }, (_, i) => ({ looks: i + 1, rate: naiveRepeatedTestingFalsePositiveRate(i + 1, 0.05, 2) }));
        return {
          caption:
            'Exact false-positive rate of naive repeated testing (line) against the number of looks; the dot is the simulated rate at five looks.',
          figure: {
            width: 640,
            height: 300,
            x: { label: 'Number of looks', grid: true },
            y: { label: 'False-positive rate', tickFormat: '.0%', zero: true, grid: true },
            marks: [
              Plot.ruleY([0.05], { stroke: '#888', strokeDasharray: '4 3' }),
              Plot.line(exact, { x: 'looks', y: 'rate', strokeWidth: 2 }),
              Plot.dot([{ looks: 5, rate: simulation.naiveRate }], { x: 'looks', y: 'rate', r: 5, fill: '#c33', tip: true }),
            ],
          },
        };
      },
    },
    {
      kind: 'markdown',
      text: `**Lesson.** A rollout rule that tests every window must either plan its looks and spend α across them (group-sequential, \`method: 'alphaSpending'\` in a policy's statistical rule) or use a test that is valid at any stopping time (\`method: 'alwaysValid'\`, the default). An unadjusted p < 0.05 at every check is not a 5% rule.`,
    },
  ],
};

export default notebook;

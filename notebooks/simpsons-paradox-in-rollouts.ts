import * as Plot from '@observablehq/plot';
import kidneyStonesCsv from '../scenarios/data/kidney_stones_charig1986.csv?raw';
import type { SegmentCounts, SegmentsAnalysis } from '../src/engine/analysis/segments.ts';
import { analyzeSegments } from '../src/engine/analysis/segments.ts';
import type { SegmentTally } from '../src/engine/controller/controllerState.ts';
import { segmentReports } from '../src/engine/controller/segmentReport.ts';
import type { Notebook } from './notebook.ts';

/** Simpson's paradox: the kidney-stone data, then a canary whose segment mix hides a better model. */
const notebook: Notebook = {
  id: 'simpsons-paradox-in-rollouts',
  title: "Simpson's paradox in rollouts",
  summary:
    'A variant can win in every segment and lose overall. The classic kidney-stone data, then a canary that looks worse than control only because it was shown to a harder mix of users.',
  cells: [
    {
      kind: 'markdown',
      text: `# Simpson's paradox in rollouts

Charig et al. (BMJ 1986) compared two treatments of kidney stones: **A**, open surgery, and **B**, percutaneous nephrolithotomy. Overall B succeeded more often. Yet for small stones A did better, and for large stones A did better too. Both statements are true: the treatments were given to different mixes of patients, and large stones — harder to treat — went mostly to A.

The data ship with Rollout Lab (\`scenarios/data/kidney_stones_charig1986.csv\`, as tabulated by Julious & Mullee, BMJ 1994). We read the CSV and hand it to the engine's \`analyzeSegments\`.`,
    },
    {
      kind: 'code',
      name: 'kidneySegments',
      run: (): SegmentCounts[] => {
        const rows = kidneyStonesCsv
          .trim()
          .split('\n')
          .slice(1)
          .map((line) => line.split(','))
          .map(([treatment, , size, successes, total]) => ({ treatment, size, successes: Number(successes), total: Number(total) }));
        const sizes = [...new Set(rows.map((row) => row.size))];
        return sizes.map((size) => {
          const counts = (treatment: string) => {
            const row = rows.find((candidate) => candidate.size === size && candidate.treatment === treatment);
            if (!row) throw new Error('no row for treatment ' + treatment + ', ' + size + ' stones');
            return { successes: row.successes, total: row.total };
          };
          return { name: size + ' stones', first: counts('A'), second: counts('B') };
        });
      },
    },
    {
      kind: 'code',
      name: 'kidney',
      run: ({ kidneySegments }: { kidneySegments: SegmentCounts[] }) => {
        return analyzeSegments({ variants: ['A (open surgery)', 'B (nephrolithotomy)'], segments: kidneySegments });
      },
    },
    {
      kind: 'code',
      name: 'kidneyVerdict',
      run: ({ kidney }: { kidney: SegmentsAnalysis }) => {
        return {
          simpsonParadox: kidney.simpsonParadox,
          paradoxKind: kidney.paradoxKind,
          explanation: kidney.explanation,
          recommendation: kidney.recommendation,
        };
      },
    },
    {
      kind: 'code',
      name: 'kidneyFigure',
      run: ({ kidney }: { kidney: SegmentsAnalysis }) => {
        const slices = [
          ...kidney.segments.map((segment) => ({ slice: segment.segment, comparison: segment })),
          { slice: 'all patients', comparison: kidney.aggregate },
        ];
        const points = slices.flatMap(({ slice, comparison }) =>
          [comparison.first, comparison.second].map((variant) => ({
            slice,
            variant: variant.variant,
            rate: variant.rate,
            lower: variant.interval.lower,
            upper: variant.interval.upper,
          })),
        );
        return {
          caption: 'Success rate with 95% Wilson intervals: A is higher within each stone size, B is higher overall.',
          figure: {
            width: 640,
            height: 240,
            marginLeft: 150,
            marginRight: 90,
            x: { label: 'Success rate', tickFormat: '.0%', grid: true },
            y: { label: null, axis: null },
            fy: { label: null, domain: slices.map((slice) => slice.slice) },
            color: { legend: true },
            marks: [
              Plot.ruleY(points, { x1: 'lower', x2: 'upper', y: 'variant', fy: 'slice', stroke: 'variant' }),
              Plot.dot(points, { x: 'rate', y: 'variant', fy: 'slice', fill: 'variant', r: 4, tip: true }),
            ],
          },
        };
      },
    },
    {
      kind: 'markdown',
      text: `## The same trap in a rollout

Rollouts create the same confounding whenever the candidate's traffic is not a random sample of control's. Typical causes: the canary is enabled first for one app version, one region or one platform; sticky bucketing by user id over-represents heavy users; a feature flag targets a segment.

Below, the candidate model is **better in both segments** — 96% against 95% successful answers on desktop, 82% against 80% on mobile — but the canary was shown mostly to mobile users (the new app version), where every model does worse. Counts are the rates times each arm's traffic.`,
    },
    {
      kind: 'code',
      name: 'canarySegments',
      run: (): SegmentCounts[] => {
        const segments = [
          { name: 'desktop', controlRate: 0.95, candidateRate: 0.96, controlUsers: 8000, candidateUsers: 500 },
          { name: 'mobile', controlRate: 0.8, candidateRate: 0.82, controlUsers: 2000, candidateUsers: 1500 },
        ];
        return segments.map((segment) => ({
          name: segment.name,
          first: { successes: Math.round(segment.controlRate * segment.controlUsers), total: segment.controlUsers },
          second: { successes: Math.round(segment.candidateRate * segment.candidateUsers), total: segment.candidateUsers },
        }));
      },
    },
    {
      kind: 'code',
      name: 'canary',
      run: ({ canarySegments }: { canarySegments: SegmentCounts[] }) => {
        const analysis = analyzeSegments({ variants: ['control', 'candidate'], segments: canarySegments });
        return {
          table: [
            ...analysis.segments.map((segment) => ({ slice: segment.segment, ...rates(segment) })),
            { slice: 'overall', ...rates(analysis.aggregate) },
          ],
          caption: analysis.explanation,
          analysis,
        };

        function rates(comparison: SegmentsAnalysis['aggregate']) {
          return {
            control: comparison.first.rate,
            candidate: comparison.second.rate,
            controlMinusCandidate: comparison.difference,
            pValue: comparison.pValue,
            winner: comparison.winner,
          };
        }
      },
    },
    {
      kind: 'markdown',
      text: `The aggregate comparison says *roll back*: the candidate's overall success rate is several points lower, and significantly so. Every segment says *promote*. The engine flags the paradox and names the confounder (control's traffic is concentrated in the easier desktop segment, the candidate's in the harder mobile one), and its routing recommendation standardises both variants to the same traffic mix.

**Lesson.** Compare variants within segments — or on randomised, equally mixed traffic — before acting on an aggregate. A canary that is not a random sample of users is an observational study, not an experiment.`,
    },
    {
      kind: 'markdown',
      text: `## What the controller reports

An A/B stage with \`segmentKeys\` tallies the windows' per-segment outcomes and, when its test concludes, attaches a report by segment to the decision (\`rule: 'segments'\`). Before calling a reversal Simpson's paradox, it tests whether the two arms spread over the segments in the same proportions (Pearson χ², flagged below p = 0.001, as a sample-ratio mismatch is): a reversal needs different mixes. Below, the report on the canary's counts above, and on a randomised A/B test in which the candidate is 8 points better on mobile (a fifth of the traffic) and 2 points worse on web, so that the aggregate shows nothing (the library's *segments hiding a winner* scenario).`,
    },
    {
      kind: 'code',
      name: 'reports',
      run: ({ canarySegments }: { canarySegments: SegmentCounts[] }) => {
        const tally = (control: [number, number], candidate: [number, number]): SegmentTally => ({
          controlSuccesses: control[0],
          controlOutcomes: control[1],
          candidateSuccesses: candidate[0],
          candidateOutcomes: candidate[1],
        });
        const confounded = Object.fromEntries(
          canarySegments.map((s) => [s.name, tally([s.first.successes, s.first.total], [s.second.successes, s.second.total])]),
        );
        const randomised = { mobile: tally([640, 800], [704, 800]), web: tally([2880, 3200], [2816, 3200]) };
        const [canaryReport] = segmentReports(confounded, ['device'], 0.05);
        const [abReport] = segmentReports(randomised, ['device'], 0.05);
        return {
          table: [
            {
              test: 'canary shown mostly to mobile',
              simpsonParadox: canaryReport.simpsonParadox,
              mixPValue: canaryReport.mixPValue,
              routingGain: canaryReport.routingGain,
            },
            {
              test: 'randomised A/B, opposite effects',
              simpsonParadox: abReport.simpsonParadox,
              mixPValue: abReport.mixPValue,
              routingGain: abReport.routingGain,
            },
          ],
          caption: abReport.message,
          canaryReport,
          abReport,
        };
      },
    },
    {
      kind: 'markdown',
      text: `The canary's report calls it Simpson's paradox and asks to check the assignment: the arms' device mixes differ beyond any doubt. The randomised test's mixes match: its report says the aggregate averaged two real, opposite effects away (when the point estimates happen to reverse, it adds *cancellation, not Simpson's paradox*), and recommends routing mobile to the candidate and web to control, about 1.6 points of success rate above either model alone. Both reports are exploratory: the rollout's decision stays with the pre-registered aggregate test.`,
    },
  ],
};

export default notebook;

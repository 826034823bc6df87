import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import { formatPercent } from '../../engine/text/format.ts';
import type { RollbackRuleCounts } from '../../sim/firstRollbackRules.ts';

/** One bar: a rule and the share of healthy rollouts it rolled back. */
export interface RollbackRuleBar {
  rule: string;
  count: number;
  /** count / replicates. */
  share: number;
}

/** The chart's title. */
export const rollbackRulesTitle = 'False rollbacks by the rule that fired';

/** The bars of the chart, most frequent rule first. */
export function rollbackRuleBars(counts: RollbackRuleCounts): RollbackRuleBar[] {
  return Object.entries(counts.byRule)
    .map(([rule, count]) => ({ rule, count, share: counts.replicates > 0 ? count / counts.replicates : 0 }))
    .sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
}

/**
 * Plot spec of the healthy candidate's rollbacks by the rule behind each: a horizontal bar per
 * rule, its length the share of all healthy rollouts it rolled back (so the bars add up to the
 * false-rollback rate).
 */
export function rollbackRulesPlot(bars: readonly RollbackRuleBar[]): PlotOptions {
  return {
    title: rollbackRulesTitle,
    subtitle: 'Healthy candidate: the share of all rollouts rolled back by each rule (the bars add up to the false-rollback rate).',
    ariaLabel: rollbackRulesTitle,
    width: 520,
    height: 60 + 32 * Math.max(1, bars.length),
    marginLeft: 170,
    x: {
      label: 'Share of healthy rollouts rolled back',
      domain: [0, Math.max(0.05, ...bars.map((bar) => bar.share))],
      tickFormat: '.0%',
      grid: true,
    },
    y: { label: null, domain: bars.map((bar) => bar.rule) },
    marks: [
      Plot.barX(bars, { x: 'share', y: 'rule', fill: '#d62728', fillOpacity: 0.75, tip: true }),
      Plot.text(bars, { x: 'share', y: 'rule', text: (bar: RollbackRuleBar) => formatPercent(bar.share), dx: 4, textAnchor: 'start' }),
      Plot.ruleX([0]),
    ],
  };
}

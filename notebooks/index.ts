/**
 * Every notebook, in reading order. A notebook is a file `notebooks/<id>.ts` that default-exports
 * a `Notebook`; test/notebooks/index.test.ts fails when a file is missing from this list.
 */
import type { Notebook } from './notebook.ts';
import ratioThresholdsAtLowTraffic from './ratio-thresholds-at-low-traffic.ts';
import replayKeepsTheBursts from './replay-keeps-the-bursts.ts';
import simpsonsParadoxInRollouts from './simpsons-paradox-in-rollouts.ts';
import sizingAnAbTest from './sizing-an-ab-test.ts';
import theCostOfPeeking from './the-cost-of-peeking.ts';
import tuningThresholdsOnAReplayedLog from './tuning-thresholds-on-a-replayed-log.ts';

export type {
  Cell,
  CellResult,
  CellStatus,
  CodeCell,
  Figure,
  MarkdownCell,
  Notebook,
  NotebookRun,
  RunNotebookOptions,
  Scope,
  Table,
} from './notebook.ts';
export { isFigure, isTable, notebookProblems, runNotebook } from './notebook.ts';

/** The notebooks, in reading order. */
export const notebooks: readonly Notebook[] = [
  sizingAnAbTest,
  theCostOfPeeking,
  ratioThresholdsAtLowTraffic,
  simpsonsParadoxInRollouts,
  tuningThresholdsOnAReplayedLog,
  replayKeepsTheBursts,
];

/** The notebook with this id, or undefined. */
export function notebookById(id: string): Notebook | undefined {
  return notebooks.find((notebook) => notebook.id === id);
}

/** The notebook UI: importing this module registers `<rl-notebook-list>` and `<rl-notebook-view>`. */
export { NotebookList } from './notebookList.ts';
export type { NotebookRunStatus } from './notebookRunController.ts';
export { NotebookRunController } from './notebookRunController.ts';
export { NotebookView } from './notebookView.ts';

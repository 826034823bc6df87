import { css } from 'lit';

/**
 * The app's look, shared by every view: system fonts (no web fonts, nothing from the network),
 * a calm palette, visible focus rings for keyboard users.
 */
export const theme = css`
  :host {
    display: block;
    color: #1d2330;
    font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  }
  h2 { font-size: 1.35rem; margin: 0 0 0.25rem; }
  h3 { font-size: 1.05rem; margin: 1.75rem 0 0.5rem; }
  p.lede { margin: 0 0 1.25rem; color: #4a5468; max-width: 48rem; }
  /* min-inline-size: a fieldset is min-content wide by default, and would push a wide table out of its column. */
  fieldset { border: 1px solid #d5dae5; border-radius: 6px; padding: 0.75rem 1rem 1rem; margin: 0 0 1rem; min-inline-size: 0; }
  legend { font-weight: 600; padding: 0 0.3rem; }
  .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 0.75rem; }
  label { display: flex; flex-direction: column; gap: 0.2rem; font-size: 0.85rem; color: #4a5468; }
  input, select, textarea, button {
    font: inherit; color: inherit; padding: 0.3rem 0.5rem; border: 1px solid #b9c0cf; border-radius: 4px; background: #fff;
  }
  textarea { font-family: ui-monospace, 'SFMono-Regular', Menlo, monospace; font-size: 0.85rem; }
  button { cursor: pointer; background: #f3f5f9; }
  button.primary { background: #2456c7; border-color: #2456c7; color: #fff; }
  :is(input, select, textarea, button, a):focus-visible { outline: 3px solid #8fb0ff; outline-offset: 1px; }
  input[aria-invalid='true'] { border-color: #a3261b; }
  table { border-collapse: collapse; margin: 0.5rem 0 0; width: 100%; }
  caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
  th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #e1e5ee; vertical-align: top; }
  th { font-weight: 600; font-size: 0.85rem; color: #4a5468; }
  .number { font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; }
  .error { color: #a3261b; background: #fdf0ee; border: 1px solid #f0c4bd; border-radius: 4px; padding: 0.5rem 0.75rem; margin: 0.75rem 0; }
  .note { color: #4a5468; font-size: 0.85rem; }
  .verdict { border-radius: 6px; padding: 0.6rem 0.9rem; margin: 0.75rem 0; }
  .verdict.good { background: #edf7ee; border: 1px solid #b7dcbb; }
  .verdict.bad { background: #fdf0ee; border: 1px solid #f0c4bd; }
  .verdict.warn { background: #fff7e6; border: 1px solid #f1d59a; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr)); gap: 1.25rem; }

  /*
   * The workbench (STYLE.md §11): the view's title and the controls in one column, the answer in a
   * panel beside them that stays in view while the page scrolls the controls (sticky; it scrolls
   * itself when taller than the window). Below 68rem they stack — title, answer, controls: the
   * answer is what the reader came for, and a 20rem column beside the controls could not show a plot.
   */
  .workbench {
    display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 6fr); grid-template-rows: auto 1fr;
    grid-template-areas: 'head answer' 'controls answer'; gap: 0 1.5rem; align-items: start;
  }
  .workbench > .head { grid-area: head; min-width: 0; }
  .workbench > .controls { grid-area: controls; min-width: 0; }
  .workbench > .answer {
    grid-area: answer; position: sticky; top: 0.75rem; max-height: calc(100vh - 1.5rem); overflow-y: auto; overscroll-behavior: contain;
    box-sizing: border-box; min-width: 0; padding: 0.75rem 1rem; border: 1px solid #d5dae5; border-radius: 6px; background: #fbfcfe;
  }
  .answer > :first-child { margin-top: 0; }
  .answer h3 { margin: 1rem 0 0.4rem; }
  .answer .verdict { margin: 0.5rem 0; font-size: 0.9rem; line-height: 1.4; }
  .answer table { font-size: 0.9rem; }
  .answer th, .answer td { padding: 0.25rem 0.5rem; }
  /* The answer's rate cells carry an interval or a bound after the number ("82.41% (bounded within ±0.46 points)"): they wrap there rather than push the table's last column out of the panel. */
  .answer td.number { white-space: normal; }
  .answer .charts { grid-template-columns: minmax(0, 1fr); gap: 0.75rem; margin-top: 0.75rem; }
  @media (max-width: 68rem) {
    .workbench { grid-template-columns: minmax(0, 1fr); grid-template-rows: auto; grid-template-areas: 'head' 'answer' 'controls'; }
    .workbench > .answer { position: static; max-height: none; overflow: visible; margin-bottom: 1rem; }
  }
  @media (max-width: 40rem) {
    .workbench > .answer { padding: 0.5rem; }
    .answer .number { white-space: normal; }
    /* A table wider than a phone scrolls sideways inside the panel instead of widening the page. */
    .answer table { display: block; overflow-x: auto; }
  }
`;

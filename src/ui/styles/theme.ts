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
  fieldset { border: 1px solid #d5dae5; border-radius: 6px; padding: 0.75rem 1rem 1rem; margin: 0 0 1rem; }
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
`;

/**
 * The number formats the views import: the one formatter of the whole tool lives in
 * src/engine/text/format.ts (the engine's messages, the CLI and the app read the same forms);
 * this module only names the ones the views use, so a view's import stays short.
 */
export { formatCount, formatInterval, formatPercent, formatPoints, formatPValue } from '../engine/text/format.ts';

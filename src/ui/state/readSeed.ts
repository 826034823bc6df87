import { seedFromText } from '../../engine/random/seedFromText.ts';

/**
 * A seed as typed in a form or held in the URL (`#/lab?seed=release-2026-12`), read as the CLI
 * reads `--seed`: a whole number is itself, any other text is the engine's `seedFromText` of it
 * (seedrandom), so the app and `rollout-lab simulate --seed release-2026-12` run the same
 * streams. Surrounding spaces are ignored. Throws a RangeError for an empty field.
 */
export function readSeed(text: string, label = 'seed'): number {
  const trimmed = text.trim();
  if (trimmed === '') throw new RangeError(`${label} is missing: enter a number or a word`);
  return seedFromText(trimmed, label);
}

/**
 * The YAML files the audit reads, as the view keeps them: a list of named texts (`ImportInput`,
 * the importer's own input) — the box the user pastes into ("pasted.yaml") and the files they drop
 * or open, each with its own name so messages, the diff and the download name the user's file.
 * Saved in the audit's view state as compact JSON so a reload keeps them. Pure: no DOM.
 */
import type { ImportInput } from '../../engine/import/importTypes.ts';

/** The name of the box the user pastes YAML into. */
export const pastedInputName = 'pasted.yaml';

/** A first visit: one empty box to paste into. */
export function emptyInputs(): ImportInput[] {
  return [{ name: pastedInputName, text: '' }];
}

/** The view state's text of the inputs (the inverse of `readAuditInputs`). */
export function formatAuditInputs(inputs: readonly ImportInput[]): string {
  return JSON.stringify(inputs.map(({ name, text }) => ({ name, text })));
}

/**
 * The inputs the view state's text holds: one empty box for an empty text. Throws a RangeError
 * when the text is not a list of `{ name, text }` (a hand-edited URL).
 */
export function readAuditInputs(text: string): ImportInput[] {
  if (text.trim() === '') return emptyInputs();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RangeError('files: the saved list is not JSON (paste or open the files again)');
  }
  if (!Array.isArray(value) || value.length === 0) throw new RangeError('files: the saved list must hold at least one file');
  return value.map((item, index) => {
    const input = item as Partial<ImportInput> | null;
    if (
      input === null ||
      typeof input !== 'object' ||
      typeof input.name !== 'string' ||
      typeof input.text !== 'string' ||
      input.name === ''
    ) {
      throw new RangeError(`files[${index}] must be a file with a name and its text`);
    }
    return { name: input.name, text: input.text };
  });
}

/**
 * The inputs with `files` added (opened or dropped): a file of the same name as an input replaces
 * it, and an empty paste box gives way to the files.
 */
export function withFiles(inputs: readonly ImportInput[], files: readonly ImportInput[]): ImportInput[] {
  const names = new Set(files.map((file) => file.name));
  const kept = inputs.filter((input) => !names.has(input.name) && !(input.name === pastedInputName && input.text.trim() === ''));
  return [...kept, ...files.map(({ name, text }) => ({ name, text }))];
}

/** The inputs without the one at `index`; one empty paste box when none is left. */
export function withoutInput(inputs: readonly ImportInput[], index: number): ImportInput[] {
  const rest = inputs.filter((_, i) => i !== index);
  return rest.length === 0 ? emptyInputs() : rest;
}

/** The inputs with the text of the one at `index` replaced (what the user typed in its box). */
export function withText(inputs: readonly ImportInput[], index: number, text: string): ImportInput[] {
  return inputs.map((input, i) => (i === index ? { ...input, text } : input));
}

/** The inputs that hold something to read (a box left empty is not a file). */
export function filledInputs(inputs: readonly ImportInput[]): ImportInput[] {
  return inputs.filter((input) => input.text.trim() !== '');
}

/** The inputs' names for people: "rollout.yaml, analysis.yaml". */
export function inputNames(inputs: readonly ImportInput[]): string {
  return inputs.map((input) => input.name).join(', ');
}

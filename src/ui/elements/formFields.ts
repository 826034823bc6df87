import { html, type TemplateResult } from 'lit';

/**
 * Template helpers for labelled, keyboard-usable form controls. Each control's `name` is the
 * state field it edits, and its label is its accessible name.
 */

/** A labelled text box for a number, kept as typed (see `textField`). */
export function numberInput(
  name: string,
  label: string,
  value: string,
  onChange: (value: string) => void,
  options: { step?: string; min?: string; max?: string; hint?: string } = {},
): TemplateResult {
  return html`<label>
    ${label}
    <input
      name=${name}
      type="text"
      inputmode="decimal"
      autocomplete="off"
      spellcheck="false"
      .value=${value}
      @input=${(event: Event) => onChange((event.target as HTMLInputElement).value)}
    />
    ${options.hint ? html`<span class="note">${options.hint}</span>` : null}
  </label>`;
}

/** A labelled drop-down list. */
export function choiceInput<T extends string>(
  name: string,
  label: string,
  value: T,
  choices: readonly { value: T; label: string }[],
  onChange: (value: T) => void,
): TemplateResult {
  return html`<label>
    ${label}
    <select name=${name} @change=${(event: Event) => onChange((event.target as HTMLSelectElement).value as T)}>
      ${choices.map((choice) => html`<option value=${choice.value} ?selected=${choice.value === value}>${choice.label}</option>`)}
    </select>
  </label>`;
}

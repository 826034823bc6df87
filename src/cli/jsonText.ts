/**
 * What every CLI reader of a JSON file does before `JSON.parse`: drop a UTF-8 byte-order mark
 * (editors on Windows write one; RFC 8259 §8.1 lets a parser ignore it, `JSON.parse` does not)
 * and refuse a document nested deeper than any real input, so that a hostile or corrupt file
 * (100,000 nested arrays) gives one line naming the file rather than a stack overflow in a
 * recursive checker further on.
 */
import { UsageError } from './args.ts';

/** Deepest nesting of arrays and objects a CLI input may have (real scenarios and policies stay below 10). */
export const maxJsonDepth = 100;

/** `text` without a leading U+FEFF byte-order mark. */
export function stripByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Throws a `UsageError` naming `label` and the line and column where `text` opens its
 * `maxDepth + 1`-th nested array or object. An iterative scan that skips strings (with their
 * escapes); it does not check the rest of the syntax, which `JSON.parse` does next. O(length).
 */
export function checkJsonDepth(text: string, label: string, maxDepth = maxJsonDepth): void {
  let depth = 0;
  let inString = false;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > maxDepth) {
        throw new UsageError(`${label} nests arrays and objects more than ${maxDepth} deep (line ${line}, column ${i - lineStart + 1}); refusing to read it`);
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
}

/** The text to hand to `JSON.parse`: byte-order mark dropped, nesting checked (`UsageError` naming `label`). */
export function prepareJsonText(text: string, label: string): string {
  const stripped = stripByteOrderMark(text);
  checkJsonDepth(stripped, label);
  return stripped;
}

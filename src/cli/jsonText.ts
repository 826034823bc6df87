/**
 * JSON text as the CLI reads it: `parseJsonText` gives a one-line error with line and column.
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
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > maxDepth) {
        throw new UsageError(
          `${label} nests arrays and objects more than ${maxDepth} deep (line ${line}, column ${i - lineStart + 1}); refusing to read it`,
        );
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

/** Line and column (1-based) of a character offset in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Where and why `text` is not JSON (RFC 8259), found by a small recursive-descent scan — Node 20's
 * `JSON.parse` messages give neither a position nor a single line. Returns null when the scan
 * finds no error. Cost O(length).
 */
export function findJsonSyntaxError(text: string): { offset: number; reason: string } | null {
  let i = 0;
  const fail = (reason: string): never => {
    throw { offset: i, reason };
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const unexpected = (): never => fail(i >= text.length ? 'unexpected end of file' : `unexpected character ${JSON.stringify(text[i])}`);
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else unexpected();
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail('control character in a string');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('bad escape');
      }
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fail(i >= text.length ? 'unexpected end of file' : `expected a property name, got ${JSON.stringify(text[i])}`);
        string();
        space();
        if (text[i] !== ':') fail(`expected ':' after a property name`);
        i++;
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail(`expected ',' or '}' in an object`);
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail(`expected ',' or ']' in an array`);
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (number) i += number[0].length;
    else unexpected();
  };
  try {
    value();
    space();
    if (i < text.length) unexpected();
    return null;
  } catch (error) {
    return error as { offset: number; reason: string };
  }
}

/** Parses JSON text, throwing a one-line `UsageError` naming `label` and the line/column of a syntax error. */
export function parseJsonText(text: string, label: string): unknown {
  text = prepareJsonText(text, label); // byte-order mark, and a nesting depth the recursive scan below survives
  try {
    return JSON.parse(text);
  } catch (error) {
    const found = findJsonSyntaxError(text);
    if (found === null) throw new UsageError(`${label} is not valid JSON: ${(error as Error).message.split('\n')[0]}`);
    const { line, column } = lineAndColumn(text, found.offset);
    throw new UsageError(`${label} is not valid JSON at line ${line}, column ${column}: ${found.reason}`);
  }
}

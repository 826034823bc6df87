/**
 * `rollout-lab policy validate FILE` and `rollout-lab policy default`, and the policy-file reader
 * that `decide` shares: each failure is one line naming the file (and, for JSON, line and column).
 */
import { readFile } from 'node:fs/promises';
import { defaultPolicy } from '../../engine/policy/defaultPolicy.ts';
import { formatPolicyError, parsePolicy } from '../../engine/policy/parsePolicy.ts';
import type { ParsePolicyResult } from '../../engine/policy/parsePolicy.ts';
import { parseCommandArgs, UsageError } from '../args.ts';
import { prepareJsonText } from '../jsonText.ts';
import type { Command } from '../io.ts';
import { writeJson } from '../io.ts';

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

/** Reads and parses the policy file `path`; I/O and JSON problems throw a one-line `UsageError`. */
export async function readPolicyFile(path: string): Promise<ParsePolicyResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message}`);
  }
  return parsePolicy(parseJsonText(text, path));
}

/**
 * Validates a policy file. Exit 0 and `valid` when valid; exit 2 listing each problem as
 * `path: message` (stdout) when not; exit 2 with one line naming the file when it cannot be read
 * or is not JSON (with the line and column). `--json`: `{ file, valid, errors }`.
 */
export const policyValidateCommand: Command = {
  name: 'policy validate',
  summary: 'check a rollout policy file and list every problem by JSON path',
  usage: 'policy validate FILE [--json]',
  async run(argv, io) {
    const args = parseCommandArgs(argv, {}, 1);
    const file = args.positionals[0];
    if (file === undefined) throw new UsageError('FILE is required (the policy JSON to validate)');
    const result = await readPolicyFile(file);
    if (args.values.json) {
      writeJson(io, { file, valid: result.ok, errors: result.ok ? [] : result.errors });
      return result.ok ? 0 : 2;
    }
    if (result.ok) {
      io.stdout.write(`${file}: valid\n`);
      return 0;
    }
    io.stdout.write(`${file}: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}\n`);
    for (const error of result.errors) io.stdout.write(`  ${formatPolicyError(error)}\n`);
    return 2;
  },
};

/** Prints the built-in default policy (pretty JSON; one line with `--json`). */
export const policyDefaultCommand: Command = {
  name: 'policy default',
  summary: "print the framework's default rollout policy as JSON",
  usage: 'policy default [--json]',
  run(argv, io) {
    const args = parseCommandArgs(argv, {});
    if (args.values.json) writeJson(io, defaultPolicy());
    else io.stdout.write(JSON.stringify(defaultPolicy(), null, 2) + '\n');
    return 0;
  },
};

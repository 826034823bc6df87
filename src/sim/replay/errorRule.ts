/**
 * What counts as a failed request in a log: the `--error-when` expression, a small safe language
 * over the status column, parsed here by recursive descent (never `eval` or `Function`).
 *
 * Grammar (keywords case-insensitive):
 *
 *   expression  := conjunction (("or" | "||") conjunction)*
 *   conjunction := negation (("and" | "&&") negation)*
 *   negation    := ("not" | "!") negation | "(" expression ")" | comparison
 *   comparison  := "status" ("=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=") value
 *                | "status" ["not"] "in" "(" value ("," value)* ")"
 *   value       := number | status class like 5xx | word | 'quoted' | "quoted"
 *
 * Meaning, for a status as it appears in the log (trimmed; words compared case-insensitively,
 * with runs of spaces, `_` and `-` read as one space, so `Timed_Out` = `timed out`):
 * - `status == 503`: the status is the number 503 (`"503"` and `503.0` too);
 * - `status == 5xx`: a number from 500 to 599, or the word `5xx` itself;
 * - `status == error`: the word `error`;
 * - `<`, `<=`, `>`, `>=` take a number and are false for a status that is not a number;
 * - `!=` is the negation of `==`; `in (a, b)` is `== a or == b`;
 * - a quoted value is always a word: `status == '5xx'` matches only the text 5xx.
 *
 * Without `--error-when`, `DEFAULT_ERROR_RULE` applies: HTTP codes 500–599 are errors, 100–499
 * are not (a 4xx is the client's fault, not the model's — the convention of canary analysis on
 * 5xx rates), and a fixed list of words is recognised; any other status (e.g. gRPC code 14,
 * `maybe`, a boolean) is *unrecognised*, and the row is rejected with that reason rather than
 * guessed — the report then tells the user to write `--error-when`.
 */

/** A compiled error rule. */
export interface ErrorRule {
  /** The expression as written, or `default`. */
  source: string;
  /**
   * Whether a request with this raw status failed: true (error), false (success) or undefined
   * (the rule does not recognise the status — only the default rule returns undefined).
   */
  isError(status: string): boolean | undefined;
  /** True when every comparison in the rule is numeric: word statuses then never count as errors. */
  numericOnly: boolean;
}

/** A status read for comparison: the normalised word, and its number when it is one. */
interface StatusValue {
  word: string;
  number: number | undefined;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const STATUS_CLASS = /^[1-9]xx$/;

/** Normalises a status word: trimmed, lower case, runs of spaces, `_` and `-` as one space. */
export function normalizeStatus(status: string): string {
  return status
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
}

function readStatus(status: string): StatusValue {
  const word = normalizeStatus(status);
  return { word, number: NUMBER.test(word) ? Number(word) : undefined };
}

/** Words the default rule reads as a failed request. */
export const DEFAULT_ERROR_WORDS: readonly string[] = [
  'error',
  'err',
  'errored',
  'fail',
  'failed',
  'failure',
  'timeout',
  'timed out',
  'time out',
  'exception',
  'fatal',
  'internal error',
  'unavailable',
  'ko',
  'aborted',
  'crash',
  'crashed',
  '5xx',
];
/** Words the default rule reads as a successful request. */
export const DEFAULT_SUCCESS_WORDS: readonly string[] = [
  'ok',
  'okay',
  'success',
  'succeeded',
  'successful',
  'done',
  'completed',
  'complete',
  'pass',
  'passed',
  '2xx',
  '3xx',
  '4xx',
];

/** The rule used without `--error-when` (see the module comment). */
export const DEFAULT_ERROR_RULE: ErrorRule = {
  source: 'default',
  numericOnly: false,
  isError(status: string): boolean | undefined {
    const value = readStatus(status);
    if (value.number !== undefined) {
      if (!Number.isInteger(value.number) || value.number < 100 || value.number > 599) return undefined;
      return value.number >= 500;
    }
    if (DEFAULT_ERROR_WORDS.includes(value.word)) return true;
    if (DEFAULT_SUCCESS_WORDS.includes(value.word)) return false;
    return undefined;
  },
};

type Token = { kind: 'word'; text: string; quoted: boolean; at: number } | { kind: 'symbol'; text: string; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const character = source[i];
    if (/\s/.test(character)) {
      i++;
    } else if (character === "'" || character === '"') {
      const end = source.indexOf(character, i + 1);
      if (end < 0) throw new RangeError(`error rule has an unclosed quote at position ${i + 1}: ${source}`);
      tokens.push({ kind: 'word', text: source.slice(i + 1, end), quoted: true, at: i });
      i = end + 1;
    } else {
      const two = source.slice(i, i + 2);
      if (['==', '!=', '<>', '<=', '>=', '&&', '||'].includes(two)) {
        tokens.push({ kind: 'symbol', text: two, at: i });
        i += 2;
      } else if ('=<>!(),'.includes(character)) {
        tokens.push({ kind: 'symbol', text: character, at: i });
        i++;
      } else {
        const match = /^[A-Za-z0-9_.+-]+/.exec(source.slice(i));
        if (!match) throw new RangeError(`error rule has an unexpected character '${character}' at position ${i + 1}: ${source}`);
        tokens.push({ kind: 'word', text: match[0], quoted: false, at: i });
        i += match[0].length;
      }
    }
  }
  return tokens;
}

type Predicate = (status: StatusValue) => boolean;

/** A comparison value: a number, a status class (5xx) or a word. */
interface Operand {
  number?: number;
  statusClass?: number;
  word: string;
}

function equals(operand: Operand): Predicate {
  if (operand.number !== undefined) {
    const target = operand.number;
    return (status) => status.number === target;
  }
  if (operand.statusClass !== undefined) {
    const low = operand.statusClass * 100;
    const word = operand.word;
    return (status) => (status.number !== undefined ? status.number >= low && status.number < low + 100 : status.word === word);
  }
  const word = operand.word;
  return (status) => status.word === word;
}

/** Recursive-descent parser over the tokens; `numericOnly` tracks whether any word is compared. */
class RuleParser {
  private position = 0;
  numericOnly = true;

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): Predicate {
    if (this.tokens.length === 0) throw new RangeError('error rule must not be empty');
    const predicate = this.expression();
    if (this.position < this.tokens.length) this.fail(`unexpected '${this.tokens[this.position].text}'`);
    return predicate;
  }

  private fail(reason: string): never {
    const token = this.tokens[this.position];
    const where = token ? `at position ${token.at + 1}` : 'at the end';
    throw new RangeError(`error rule: ${reason} ${where} in '${this.source}'`);
  }

  private peekKeyword(...words: string[]): boolean {
    const token = this.tokens[this.position];
    return token !== undefined && !(token.kind === 'word' && token.quoted) && words.includes(token.text.toLowerCase());
  }

  private expect(text: string): void {
    if (!this.peekKeyword(text)) this.fail(`expected '${text}'`);
    this.position++;
  }

  private expression(): Predicate {
    let left = this.conjunction();
    while (this.peekKeyword('or', '||')) {
      this.position++;
      const first = left;
      const second = this.conjunction();
      left = (status) => first(status) || second(status);
    }
    return left;
  }

  private conjunction(): Predicate {
    let left = this.negation();
    while (this.peekKeyword('and', '&&')) {
      this.position++;
      const first = left;
      const second = this.negation();
      left = (status) => first(status) && second(status);
    }
    return left;
  }

  private negation(): Predicate {
    if (this.peekKeyword('not', '!')) {
      this.position++;
      const inner = this.negation();
      return (status) => !inner(status);
    }
    if (this.peekKeyword('(')) {
      this.position++;
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Predicate {
    if (!this.peekKeyword('status')) this.fail("expected 'status'");
    this.position++;
    let negated = false;
    if (this.peekKeyword('not')) {
      negated = true;
      this.position++;
      if (!this.peekKeyword('in')) this.fail("expected 'in' after 'not'");
    }
    if (this.peekKeyword('in')) {
      this.position++;
      this.expect('(');
      const members: Predicate[] = [equals(this.operand())];
      while (this.peekKeyword(',')) {
        this.position++;
        members.push(equals(this.operand()));
      }
      this.expect(')');
      const any: Predicate = (status) => members.some((member) => member(status));
      return negated ? (status) => !any(status) : any;
    }
    const token = this.tokens[this.position];
    if (!token || token.kind !== 'symbol' || !['=', '==', '!=', '<>', '<', '<=', '>', '>='].includes(token.text)) {
      this.fail("expected a comparison (==, !=, <, <=, >, >=) or 'in'");
    }
    this.position++;
    const operand = this.operand();
    switch (token.text) {
      case '=':
      case '==':
        return equals(operand);
      case '!=':
      case '<>': {
        const equal = equals(operand);
        return (status) => !equal(status);
      }
    }
    if (operand.number === undefined) {
      this.position--;
      this.fail(`'${token.text}' needs a number, got '${operand.word}'`);
    }
    const target = operand.number;
    switch (token.text) {
      case '<':
        return (status) => status.number !== undefined && status.number < target;
      case '<=':
        return (status) => status.number !== undefined && status.number <= target;
      case '>':
        return (status) => status.number !== undefined && status.number > target;
      default:
        return (status) => status.number !== undefined && status.number >= target;
    }
  }

  private operand(): Operand {
    const token = this.tokens[this.position];
    if (!token || token.kind !== 'word') this.fail('expected a value (a number, a class like 5xx, or a word)');
    this.position++;
    const word = normalizeStatus(token.text);
    if (!token.quoted && NUMBER.test(word)) return { number: Number(word), word };
    this.numericOnly = false;
    if (!token.quoted && STATUS_CLASS.test(word)) return { statusClass: Number(word[0]), word };
    if (word === '') this.fail('expected a non-empty value');
    return { word };
  }
}

/**
 * Compiles an `--error-when` expression (grammar and meaning in the module comment) into an
 * `ErrorRule`. Throws a RangeError naming the position and the reason for a syntax error.
 * Compiling is O(length); `isError` is O(size of the expression) per call — callers classify
 * each distinct status once and cache the answer.
 */
export function parseErrorRule(source: string): ErrorRule {
  const parser = new RuleParser(tokenize(source), source.trim());
  const predicate = parser.parse();
  return {
    source: source.trim(),
    numericOnly: parser.numericOnly,
    isError: (status: string) => predicate(readStatus(status)),
  };
}

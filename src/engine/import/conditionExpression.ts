/**
 * Reads the `successCondition` / `failureCondition` of an Argo Rollouts metric: a boolean
 * expression in the expr language (github.com/expr-lang/expr, as argo-rollouts
 * `utils/evaluate/evaluate.go` evaluates it) over the provider's `result`.
 *
 * The readable subset — what real templates write (argo-rollouts docs/features/analysis.md and the
 * issues users file) and what our exporter writes:
 * - `result[0] OP v`, `result OP v`, `v OP result[0]` with OP among `<` `<=` `>` `>=` `==` `!=`;
 * - `v` a number, or `k * {{args.name}}` / `{{args.name}} * k` / `{{args.name}}` (a reference value
 *   passed as an argument: a ratio rule, `k` its factor) — also written `args.name`;
 * - `len(result) OP n`, `isNaN(result)`, `isNaN(result[0])`, `isInf(…)`;
 * - `all(result, {# OP v})`, `any(result, {# OP v})` (`#` each element);
 * - `&&`, `||`, `!` (also `and`, `or`, `not`), parentheses, `true`, `false`, `"text"` strings.
 * Anything else (other functions, arithmetic on the result, several different thresholds on the
 * value in one condition) is refused with the reason, and the importer reports the field.
 *
 * Evaluation follows expr and Go: a comparison with NaN is false; `result[0]` on an empty result
 * is an evaluation error (the measurement's phase is then Error, argo-rollouts
 * `analysis/analysis.go`).
 */

/** A parsed condition. */
export type ConditionNode =
  | { type: 'literal'; value: number | boolean | string; start: number; end: number }
  | { type: 'argument'; name: string }
  | { type: 'result'; index?: number }
  | { type: 'element' }
  | { type: 'call'; name: 'len' | 'isNaN' | 'isInf'; argument: ConditionNode }
  | { type: 'quantifier'; name: 'all' | 'any' | 'none'; over: ConditionNode; predicate: ConditionNode }
  | { type: 'not'; operand: ConditionNode }
  | { type: 'logical'; operator: '&&' | '||'; left: ConditionNode; right: ConditionNode }
  | { type: 'binary'; operator: '*' | '/' | '+' | '-'; left: ConditionNode; right: ConditionNode }
  | { type: 'compare'; operator: CompareOperator; left: ConditionNode; right: ConditionNode };

export type CompareOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';

interface Token {
  kind: 'number' | 'string' | 'word' | 'argument' | 'symbol';
  text: string;
  start: number;
  end: number;
}

const symbols = ['&&', '||', '<=', '>=', '==', '!=', '<', '>', '!', '(', ')', '[', ']', '{', '}', ',', '*', '/', '+', '-', '#'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const argument = /^\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/.exec(rest) ?? /^args\.([A-Za-z0-9_-]+)/.exec(rest);
    if (argument) {
      tokens.push({ kind: 'argument', text: argument[1], start: i, end: i + argument[0].length });
      i += argument[0].length;
      continue;
    }
    const number = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], start: i, end: i + number[0].length });
      i += number[0].length;
      continue;
    }
    const string = /^"([^"\\]*)"|^'([^'\\]*)'/.exec(rest);
    if (string) {
      tokens.push({ kind: 'string', text: string[1] ?? string[2], start: i, end: i + string[0].length });
      i += string[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word) {
      tokens.push({ kind: 'word', text: word[0], start: i, end: i + word[0].length });
      i += word[0].length;
      continue;
    }
    const symbol = symbols.find((candidate) => rest.startsWith(candidate));
    if (symbol === undefined) throw new SyntaxError(`unexpected character '${rest[0]}' at column ${i + 1}`);
    tokens.push({ kind: 'symbol', text: symbol, start: i, end: i + symbol.length });
    i += symbol.length;
  }
  return tokens;
}

/** Parses a condition; a `SyntaxError` says what is not in the readable subset (module comment). */
export function parseCondition(text: string): ConditionNode {
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string): Token => {
    const token = tokens[position];
    if (token === undefined) throw new SyntaxError(`the condition ends early${expected ? `, expected '${expected}'` : ''}`);
    if (expected !== undefined && token.text !== expected) {
      throw new SyntaxError(`expected '${expected}' at column ${token.start + 1}, found '${token.text}'`);
    }
    position += 1;
    return token;
  };
  const isSymbol = (text: string) => peek()?.kind === 'symbol' && peek()?.text === text;
  const isWord = (text: string) => peek()?.kind === 'word' && peek()?.text === text;

  function orExpression(): ConditionNode {
    let left = andExpression();
    while (isSymbol('||') || isWord('or')) {
      take();
      left = { type: 'logical', operator: '||', left, right: andExpression() };
    }
    return left;
  }
  function andExpression(): ConditionNode {
    let left = unary();
    while (isSymbol('&&') || isWord('and')) {
      take();
      left = { type: 'logical', operator: '&&', left, right: unary() };
    }
    return left;
  }
  function unary(): ConditionNode {
    if (isSymbol('!') || isWord('not')) {
      take();
      return { type: 'not', operand: unary() };
    }
    return comparison();
  }
  function comparison(): ConditionNode {
    const left = sum();
    const token = peek();
    if (token?.kind === 'symbol' && ['<', '<=', '>', '>=', '==', '!='].includes(token.text)) {
      take();
      return { type: 'compare', operator: token.text as CompareOperator, left, right: sum() };
    }
    return left;
  }
  function sum(): ConditionNode {
    let left = product();
    while (isSymbol('+') || isSymbol('-')) {
      const operator = take().text as '+' | '-';
      left = { type: 'binary', operator, left, right: product() };
    }
    return left;
  }
  function product(): ConditionNode {
    let left = atom();
    while (isSymbol('*') || isSymbol('/')) {
      const operator = take().text as '*' | '/';
      left = { type: 'binary', operator, left, right: atom() };
    }
    return left;
  }
  function atom(): ConditionNode {
    const token = take();
    if (token.kind === 'number') return { type: 'literal', value: Number(token.text), start: token.start, end: token.end };
    if (token.kind === 'string') return { type: 'literal', value: token.text, start: token.start, end: token.end };
    if (token.kind === 'argument') return { type: 'argument', name: token.text };
    if (token.kind === 'symbol') {
      if (token.text === '(') {
        const inner = orExpression();
        take(')');
        return inner;
      }
      if (token.text === '#') return { type: 'element' };
      if (token.text === '-' && peek()?.kind === 'number') {
        const number = take();
        return { type: 'literal', value: -Number(number.text), start: token.start, end: number.end };
      }
      throw new SyntaxError(`unexpected '${token.text}' at column ${token.start + 1}`);
    }
    switch (token.text) {
      case 'true':
      case 'false':
        return { type: 'literal', value: token.text === 'true', start: token.start, end: token.end };
      case 'result': {
        if (!isSymbol('[')) return { type: 'result' };
        take('[');
        const index = take();
        if (index.kind !== 'number' || !Number.isInteger(Number(index.text))) {
          throw new SyntaxError(`result must be indexed by a whole number, at column ${index.start + 1}`);
        }
        take(']');
        return { type: 'result', index: Number(index.text) };
      }
      case 'len':
      case 'isNaN':
      case 'isInf': {
        take('(');
        const argument = orExpression();
        take(')');
        return { type: 'call', name: token.text, argument };
      }
      case 'all':
      case 'any':
      case 'none': {
        take('(');
        const over = orExpression();
        take(',');
        take('{');
        const predicate = orExpression();
        take('}');
        take(')');
        return { type: 'quantifier', name: token.text, over, predicate };
      }
      default:
        throw new SyntaxError(`'${token.text}' is not a function or value the importer reads (column ${token.start + 1})`);
    }
  }

  const node = orExpression();
  if (position < tokens.length) throw new SyntaxError(`unexpected '${tokens[position].text}' at column ${tokens[position].start + 1}`);
  return node;
}

/** Evaluation failed (expr returns an error, the measurement is Error). */
class EvaluationError extends Error {}

type Value = number | boolean | string | readonly number[];

type ConditionResult = readonly number[] | string;

/**
 * Evaluates a condition for a Prometheus result (`number[]`, empty when the query returned
 * nothing; NaN where a series divided 0 by 0) or a web provider's text result (`string`, read by
 * `result == "text"`; indexing or `len` of it is an error). Arguments take `argumentValue` (their
 * value does not matter for the no-data cases the importer asks about). Returns `'error'` where
 * expr fails. The one evaluator of the condition language: the export's semantics
 * (`evaluateArgoCondition`) use it too.
 */
export function evaluateCondition(node: ConditionNode, result: readonly number[] | string, argumentValue = 1): boolean | 'error' {
  try {
    const value = evaluate(node, result, undefined, argumentValue);
    if (typeof value !== 'boolean') return 'error';
    return value;
  } catch (error) {
    if (error instanceof EvaluationError) return 'error';
    throw error;
  }
}

function numeric(value: Value): number {
  if (typeof value === 'number') return value;
  // A one-element vector compares as its value (the Prometheus provider's scalar-like result).
  if (Array.isArray(value) && value.length === 1) return value[0];
  throw new EvaluationError('not a number');
}

function evaluate(node: ConditionNode, result: ConditionResult, element: number | undefined, argumentValue: number): Value {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'argument':
      return argumentValue;
    case 'element':
      if (element === undefined) throw new EvaluationError('# outside a predicate');
      return element;
    case 'result':
      if (node.index === undefined) return result;
      if (typeof result === 'string') throw new EvaluationError('index into a text result');
      if (node.index >= result.length) throw new EvaluationError('index out of range');
      return result[node.index];
    case 'call': {
      const argument = evaluate(node.argument, result, element, argumentValue);
      if (node.name === 'len') {
        if (!Array.isArray(argument)) throw new EvaluationError('len of a non-list');
        return argument.length;
      }
      const number = numeric(argument);
      return node.name === 'isNaN' ? Number.isNaN(number) : !Number.isFinite(number) && !Number.isNaN(number);
    }
    case 'quantifier': {
      const over = evaluate(node.over, result, element, argumentValue);
      if (!Array.isArray(over)) throw new EvaluationError('quantifier over a non-list');
      const truths = over.map((item) => evaluate(node.predicate, result, item, argumentValue) === true);
      if (node.name === 'all') return truths.every(Boolean);
      if (node.name === 'any') return truths.some(Boolean);
      return !truths.some(Boolean);
    }
    case 'not': {
      const operand = evaluate(node.operand, result, element, argumentValue);
      if (typeof operand !== 'boolean') throw new EvaluationError('! of a non-boolean');
      return !operand;
    }
    case 'logical': {
      const left = evaluate(node.left, result, element, argumentValue);
      if (typeof left !== 'boolean') throw new EvaluationError('logical operand not boolean');
      if (node.operator === '&&' ? !left : left) return left; // expr short-circuits
      const right = evaluate(node.right, result, element, argumentValue);
      if (typeof right !== 'boolean') throw new EvaluationError('logical operand not boolean');
      return right;
    }
    case 'binary': {
      const left = numeric(evaluate(node.left, result, element, argumentValue));
      const right = numeric(evaluate(node.right, result, element, argumentValue));
      if (node.operator === '*') return left * right;
      if (node.operator === '/') return left / right;
      return node.operator === '+' ? left + right : left - right;
    }
    case 'compare': {
      const leftValue = evaluate(node.left, result, element, argumentValue);
      const rightValue = evaluate(node.right, result, element, argumentValue);
      if (typeof leftValue === 'string' || typeof rightValue === 'string') {
        if (node.operator === '==') return leftValue === rightValue;
        if (node.operator === '!=') return leftValue !== rightValue;
        throw new EvaluationError('ordered comparison of text');
      }
      const left = numeric(leftValue as number);
      const right = numeric(rightValue as number);
      switch (node.operator) {
        case '<':
          return left < right;
        case '<=':
          return left <= right;
        case '>':
          return left > right;
        case '>=':
          return left >= right;
        case '==':
          return left === right;
        default:
          return left !== right;
      }
    }
  }
}

/** The one limit a condition puts on the measured value. */
export interface ConditionThreshold {
  /** The comparison with the value on the left: `value OP limit` (flipped when written `limit OP value`). */
  operator: CompareOperator;
  /** The number the value is compared with, or the factor `k` of `k × {{args.reference}}`. */
  limit: number;
  /** The argument of `k × {{args.reference}}` (a ratio to a reference value), when there is one. */
  reference?: string;
  /** Where `limit` is written in the condition text (to write a tuned value back); absent for a bare `{{args.x}}` (factor 1). */
  span?: { start: number; end: number };
  /** The value is each element of the result (`all(result, {…})`), not its first element. */
  everyElement: boolean;
}

const flipped: Record<CompareOperator, CompareOperator> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };

const negatedOperator: Record<CompareOperator, CompareOperator> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<', '==': '!=', '!=': '==' };

function isValue(node: ConditionNode): boolean {
  return node.type === 'element' || (node.type === 'result' && (node.index === undefined || node.index === 0));
}

/** `n`, `k * args.x`, `args.x * k`, `args.x` as a limit; undefined for anything else. */
function limitOf(node: ConditionNode): Pick<ConditionThreshold, 'limit' | 'reference' | 'span'> | undefined {
  if (node.type === 'literal' && typeof node.value === 'number') return { limit: node.value, span: { start: node.start, end: node.end } };
  if (node.type === 'argument') return { limit: 1, reference: node.name };
  if (node.type === 'binary' && node.operator === '*') {
    const [factor, argument] = node.left.type === 'argument' ? [node.right, node.left] : [node.left, node.right];
    if (factor.type === 'literal' && typeof factor.value === 'number' && argument.type === 'argument') {
      return { limit: factor.value, reference: argument.name, span: { start: factor.start, end: factor.end } };
    }
  }
  return undefined;
}

/**
 * The limit the condition puts on the value (`result[0]`, `result` or each `#` of `all`), or
 * undefined when it has none (`true`, `len(result) == 0`). Throws a `SyntaxError` when a
 * comparison reads the value in a way the importer does not (arithmetic on it, a non-constant
 * limit) or when two different limits are set.
 */
export function conditionThreshold(node: ConditionNode): ConditionThreshold | undefined {
  const found: ConditionThreshold[] = [];
  // Under `!` the comparison's sense is inverted: !(v > k) passes exactly when v <= k.
  const visit = (current: ConditionNode, everyElement: boolean, negated = false): void => {
    switch (current.type) {
      case 'compare': {
        const leftIsValue = isValue(current.left);
        const rightIsValue = isValue(current.right);
        if (!leftIsValue && !rightIsValue) {
          if (current.left.type === 'call' && current.left.name === 'len') return;
          if (JSON.stringify(current).includes('"result"')) {
            throw new SyntaxError(
              'a comparison computes with the result; only result[0], result or # compared with a number or k * {{args.x}} is read',
            );
          }
          return;
        }
        const other = leftIsValue ? current.right : current.left;
        if (other.type === 'literal' && typeof other.value === 'string') return; // a text verdict (web provider), no numeric limit
        const limit = limitOf(other);
        if (limit === undefined) throw new SyntaxError('the value is compared with something that is not a number or k * {{args.x}}');
        const operator = leftIsValue ? current.operator : flipped[current.operator];
        found.push({ operator: negated ? negatedOperator[operator] : operator, ...limit, everyElement });
        return;
      }
      case 'logical':
        visit(current.left, everyElement, negated);
        visit(current.right, everyElement, negated);
        return;
      case 'not':
        visit(current.operand, everyElement, !negated);
        return;
      case 'quantifier':
        if (current.name !== 'all')
          throw new SyntaxError(`${current.name}(…) is not read: only all(result, {# OP v}) sets a limit on every element`);
        visit(current.predicate, true, negated);
        return;
      default:
        return;
    }
  };
  visit(node, false);
  if (found.length === 0) return undefined;
  const first = found[0];
  if (found.some((other) => other.limit !== first.limit || other.reference !== first.reference)) {
    throw new SyntaxError('the condition sets several different limits on the value; one is read');
  }
  return first;
}

/** The condition text with the limit at `span` replaced by `value` (for writing a tuned limit back). */
export function replaceLimit(text: string, span: { start: number; end: number }, value: number): string {
  return `${text.slice(0, span.start)}${Number(value.toPrecision(12))}${text.slice(span.end)}`;
}

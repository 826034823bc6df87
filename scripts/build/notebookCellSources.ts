/**
 * Notebook code cells are written once: as the `run` function. What readers see (`source`) is
 * derived from it here, at build time, by a Vite plugin that the app build (`vite build`, the dev
 * server) and the test runner (vitest) both load.
 *
 * Why at build time and not `run.toString()` at run time: the production build minifies function
 * text and strips TypeScript types, so the function's own text is not what the author wrote. The
 * app's Content-Security-Policy forbids `eval`, so the text cannot be the thing that runs either.
 *
 * How: the notebook file is parsed with the TypeScript compiler; every object literal with
 * `kind: 'code'` and a `run` property gets a `source` property, the body of its `run` function exactly as written in
 * the file (comments and layout kept, indentation removed), inserted right after the literal's
 * `{`. Nothing else moves and no line is added, so line numbers in stack traces and source maps
 * stay right. A cell that writes `source` by hand, or whose `run` is not written inline, stops the
 * build with the file, line and cell name: either would bring back a second copy that can drift.
 *
 * Cost: one parse of each notebook file per build (a few milliseconds).
 */
import { resolve } from 'node:path';
import ts from 'typescript';
import type { Plugin } from 'vite';
import { normalizePath } from 'vite';

/** One code cell found in a notebook file. */
export interface CodeCellText {
  name: string;
  /** The body of `run` as written, dedented: the statements of a block body, or the expression. */
  source: string;
  /** Offset just after the object literal's `{`, where the `source` property is inserted. */
  insertAt: number;
}

/** Removes leading and trailing blank lines and the indentation common to all non-blank lines. */
export function dedent(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length > 0 && lines[0].trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const indents = lines.filter((line) => line.trim() !== '').map((line) => line.match(/^ */)![0].length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(common).trimEnd()).join('\n');
}

function property(node: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralElementLike | undefined {
  return node.properties.find(
    (element) =>
      element.name !== undefined && (ts.isIdentifier(element.name) || ts.isStringLiteral(element.name)) && element.name.text === name,
  );
}

function stringValue(element: ts.ObjectLiteralElementLike | undefined): string | undefined {
  if (
    element &&
    ts.isPropertyAssignment(element) &&
    (ts.isStringLiteral(element.initializer) || ts.isNoSubstitutionTemplateLiteral(element.initializer))
  ) {
    return element.initializer.text;
  }
  return undefined;
}

/** The body of an inline `run` (arrow function, function expression or method), or undefined. */
function runBody(element: ts.ObjectLiteralElementLike | undefined): ts.ConciseBody | undefined {
  if (!element) return undefined;
  if (ts.isMethodDeclaration(element)) return element.body;
  if (ts.isPropertyAssignment(element)) {
    let initializer = element.initializer;
    while (ts.isParenthesizedExpression(initializer) || ts.isAsExpression(initializer) || ts.isSatisfiesExpression(initializer))
      initializer = initializer.expression;
    if (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer)) return initializer.body;
  }
  return undefined;
}

/**
 * The code cells of a notebook file, in file order. Throws an Error naming the file, line and cell
 * when a cell writes `source` itself or has no inline `run` whose text could be shown.
 */
export function codeCellTexts(fileName: string, text: string): CodeCellText[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const cells: CodeCellText[] = [];
  const where = (node: ts.Node) => `${fileName}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}`;
  const visit = (node: ts.Node): void => {
    // A code cell is an object literal with `kind: 'code'` and a `run` (a cell's result has no `run`).
    if (ts.isObjectLiteralExpression(node) && stringValue(property(node, 'kind')) === 'code' && property(node, 'run')) {
      const name = stringValue(property(node, 'name')) ?? '(unnamed)';
      if (property(node, 'source')) {
        throw new Error(`${where(node)}: code cell '${name}' writes its source by hand; remove it, the build derives it from run`);
      }
      const body = runBody(property(node, 'run'));
      if (!body)
        throw new Error(
          `${where(node)}: code cell '${name}' must write run inline (an arrow function, function or method) so that its text can be shown`,
        );
      const source = ts.isBlock(body) ? dedent(text.slice(body.getStart(file) + 1, body.end - 1)) : dedent(body.getText(file));
      cells.push({ name, source, insertAt: node.getStart(file) + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return cells;
}

/**
 * The notebook file with a `source` property added to every code cell, or null when the file has
 * no code cells (it is then left alone). Only text is inserted, and never a line break.
 */
export function withCellSources(fileName: string, text: string): string | null {
  const cells = codeCellTexts(fileName, text);
  if (cells.length === 0) return null;
  let result = '';
  let from = 0;
  for (const cell of cells) {
    // JSON.stringify escapes line breaks, so the inserted property never adds a line.
    result += `${text.slice(from, cell.insertAt)} source: ${JSON.stringify(cell.source)},`;
    from = cell.insertAt;
  }
  return result + text.slice(from);
}

/**
 * The Vite plugin: adds `source` to the code cells of the TypeScript files directly inside
 * `folder` (default `notebooks/` under the project root). It runs before TypeScript is stripped
 * (`enforce: 'pre'`), so readers see the types the author wrote.
 */
export function notebookCellSources(folder = 'notebooks'): Plugin {
  let directory = '';
  return {
    name: 'rollout-lab:notebook-cell-sources',
    enforce: 'pre',
    configResolved(config) {
      directory = `${normalizePath(resolve(config.root, folder))}/`;
    },
    transform(code, id) {
      if (id.includes('?') || !id.endsWith('.ts') || !id.startsWith(directory) || id.slice(directory.length).includes('/')) return null;
      const transformed = withCellSources(id, code);
      // Only characters are inserted within existing lines: the identity line mapping stays right.
      return transformed === null ? null : { code: transformed, map: null };
    },
  };
}

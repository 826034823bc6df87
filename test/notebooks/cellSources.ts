/**
 * Reads a notebook file with the TypeScript compiler and pairs, for every code cell (an object
 * literal with `kind: 'code'`), the body of its `run` function as written with its `source`
 * string, so that a test can check that the source shown to readers is the code that runs.
 *
 * Comparison: both texts are parsed as the body of a function and printed back by the
 * TypeScript printer without comments; equal prints mean equal token streams (whitespace,
 * line breaks and comments are the only freedom).
 */
import ts from 'typescript';

/** One code cell as found in a notebook file. */
export interface CellSourcePair {
  name: string;
  /** The body of `run`, dedented (statements of a block body, or the expression). */
  runBody: string;
  /** Whether `run` has a block body (`{ … }`) or an expression body. */
  blockBody: boolean;
  /** The value of the `source` string (cooked), or null when it is not a literal. */
  source: string | null;
}

function propertyInitializer(node: ts.ObjectLiteralExpression, name: string): ts.Expression | ts.MethodDeclaration | undefined {
  for (const property of node.properties) {
    if (property.name && ts.isIdentifier(property.name) && property.name.text === name) {
      if (ts.isPropertyAssignment(property)) return property.initializer;
      if (ts.isMethodDeclaration(property)) return property;
    }
  }
  return undefined;
}

/** Removes leading and trailing blank lines and the indentation common to all non-blank lines. */
export function dedent(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length > 0 && lines[0].trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const indents = lines.filter((line) => line.trim() !== '').map((line) => line.match(/^ */)![0].length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(common)).join('\n');
}

/** The code cells of a notebook file, in file order. */
export function codeCellsOf(fileName: string, text: string): CellSourcePair[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const cells: CellSourcePair[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node)) {
      const kind = propertyInitializer(node, 'kind');
      if (kind && !ts.isMethodDeclaration(kind) && ts.isStringLiteral(kind) && kind.text === 'code') {
        const nameNode = propertyInitializer(node, 'name');
        const sourceNode = propertyInitializer(node, 'source');
        const runNode = propertyInitializer(node, 'run');
        const name = nameNode && !ts.isMethodDeclaration(nameNode) && ts.isStringLiteral(nameNode) ? nameNode.text : '?';
        const source =
          sourceNode && !ts.isMethodDeclaration(sourceNode) && (ts.isNoSubstitutionTemplateLiteral(sourceNode) || ts.isStringLiteral(sourceNode))
            ? sourceNode.text
            : null;
        let body: ts.ConciseBody | undefined;
        if (runNode && (ts.isArrowFunction(runNode) || ts.isFunctionExpression(runNode) || ts.isMethodDeclaration(runNode))) body = runNode.body;
        if (!body) throw new Error(`${fileName}: code cell '${name}' has no run function written inline`);
        const blockBody = ts.isBlock(body);
        const runBody = blockBody ? dedent(text.slice(body.getStart(file) + 1, body.end - 1)) : dedent(body.getText(file));
        cells.push({ name, runBody, blockBody, source });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return cells;
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/**
 * The canonical print of a function body: parsed inside `function cell() { … }` (block bodies)
 * or `const cell = (…);` (expression bodies) and printed without comments. Throws on syntax errors.
 */
export function canonicalBody(body: string, blockBody: boolean): string {
  const wrapped = blockBody ? `function cell() {\n${body}\n}` : `const cell = (\n${body}\n);`;
  const file = ts.createSourceFile('cell.ts', wrapped, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const diagnostics = (file as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (diagnostics.length > 0) {
    throw new Error(`does not parse: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`);
  }
  return printer.printFile(file);
}

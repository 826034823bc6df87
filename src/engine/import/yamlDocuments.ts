/**
 * The one path that reads a user's Kubernetes YAML for the importers: every document of every
 * input file, parsed with the `yaml` package (YAML 1.2, the parser the exporters' output is checked
 * with), each kept both as a `Document` (so `writeBack.ts` can edit it in place, comments and key
 * order intact) and as plain data.
 *
 * Checked here, at the edge, once: a document that is not YAML (the parser's first error, with its
 * line), not a mapping, or without a string `apiVersion` and `kind` is an `ImportError` naming
 * `file#document`. Empty documents (a stray `---`, a file of comments) are skipped, as kubectl does.
 */
import type { Document } from 'yaml';
import { parseAllDocuments } from 'yaml';
import type { ImportInput } from './importTypes.ts';
import { ImportError } from './importTypes.ts';

/** One Kubernetes object read from an input file. */
export interface SourceDocument {
  /** The input's name. */
  file: string;
  /** Index of the document within the file (0-based, counting skipped empty documents, as editors number them). */
  index: number;
  kind: string;
  /** `metadata.name` (empty when absent). */
  name: string;
  apiVersion: string;
  /** The parsed document, for edits that keep the user's formatting. */
  document: Document;
  /** The document as plain data (`Document.toJS()`). */
  value: unknown;
}

/** `Kind/name`, as every location names a resource. */
export function resourceName(document: Pick<SourceDocument, 'kind' | 'name'>): string {
  return `${document.kind}/${document.name}`;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every non-empty document of every input, in order. Throws an `ImportError` (one line,
 * `file#n: reason`) for the first document that is not YAML, not a mapping, or lacks
 * `apiVersion`/`kind`; and when the inputs hold no document at all. Cost O(total text).
 */
export function readYamlDocuments(inputs: readonly ImportInput[]): SourceDocument[] {
  const documents: SourceDocument[] = [];
  for (const input of inputs) {
    // `uniqueKeys` (default) makes a repeated key an error, as the Kubernetes API server refuses it.
    const parsed = parseAllDocuments(input.text, { prettyErrors: true });
    // An input without any document parses to an empty stream (no documents, no errors).
    const list: Document[] = Array.isArray(parsed) ? parsed : [];
    list.forEach((document, index) => {
      const error = document.errors[0];
      if (error !== undefined) {
        const line = error.linePos?.[0].line;
        throw new ImportError(
          { file: input.name, document: index },
          `not YAML${line !== undefined ? ` (line ${line})` : ''}: ${firstLine(error.message)}`,
        );
      }
      if (document.contents === null) return;
      const value: unknown = document.toJS({ maxAliasCount: 100 });
      if (value === null || value === undefined) return;
      if (!isMapping(value)) {
        throw new ImportError(
          { file: input.name, document: index },
          `not a Kubernetes object: the document is ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}, not a mapping with apiVersion and kind`,
        );
      }
      for (const field of ['apiVersion', 'kind'] as const) {
        if (typeof value[field] !== 'string' || value[field] === '') {
          throw new ImportError(
            { file: input.name, document: index },
            `not a Kubernetes object: ${field} is ${value[field] === undefined ? 'missing' : 'not a string'}`,
          );
        }
      }
      const metadata = isMapping(value.metadata) ? value.metadata : {};
      documents.push({
        file: input.name,
        index,
        kind: value.kind as string,
        name: typeof metadata.name === 'string' ? metadata.name : '',
        apiVersion: value.apiVersion as string,
        document,
        value,
      });
    });
  }
  if (documents.length === 0) {
    throw new ImportError({ file: inputs.map((input) => input.name).join(', ') || '(no input)' }, 'no Kubernetes document to import');
  }
  return documents;
}

/** The first line of a parser message (the `yaml` package appends a code excerpt on the next lines). */
function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

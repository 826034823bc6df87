/**
 * A small YAML emitter for plain data (objects, arrays, strings, finite numbers, booleans,
 * null), used by the Argo Rollouts and Flagger exports. Pure: no Node APIs.
 *
 * Output is block style, two-space indentation, keys in the objects' insertion order (the
 * exporters build objects in the order Kubernetes manifests are usually written: apiVersion,
 * kind, metadata, spec), so the same input always gives the same text. `undefined` fields are
 * omitted.
 *
 * Strings are written plain only when every YAML 1.1 and 1.2 reader takes them back as the same
 * string: they must start with a letter, digit, `_` or `/`, use only `[A-Za-z0-9_./ -]`, not end
 * with a space, not look like a number, date, boolean or null in either version (`yes`, `on`,
 * `1.5`, `1e3`, `0x1F`, `2001-12-14`, `~`). Everything else (empty strings, `:`/`#`, leading
 * spaces, …) is double-quoted with JSON escapes, which are valid YAML double-quoted escapes
 * (YAML 1.2 §5.7). Multi-line strings without trailing spaces are written as literal blocks
 * (`|` / `|-`) so that queries stay readable. Cost O(size of the output).
 */

/** A value the emitter accepts. */
export type YamlValue = null | boolean | number | string | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

// YAML 1.1 booleans and nulls (case-insensitive forms the 1.1 resolver knows) and YAML 1.2 core ones.
const reservedWords = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', '~', '']);
const plainCharacters = /^[A-Za-z0-9_/][A-Za-z0-9_./ -]*$/;
// Anything a 1.1 or 1.2 resolver could read as a number: optional sign, digits with _ . : e E x o b.
const numberLike = /^[-+]?(\.?[0-9][0-9a-fA-F_.:xXoO+-]*|\.(inf|nan))$/i;
const dateLike = /^\d{4}-\d{1,2}-\d{1,2}/;
// Loose float patterns some YAML 1.1 resolvers use, where every part is optional (`E0`, `.`, `_`).
const looseFloat = /^[-+]?[0-9_]*\.?[0-9_]*([eE][-+]?[0-9]+)?$/;

/** True when `text` can be written as a plain (unquoted) scalar and read back as the same string. */
export function isPlainSafe(text: string): boolean {
  if (!plainCharacters.test(text)) return false;
  if (text.endsWith(' ')) return false;
  if (reservedWords.has(text.toLowerCase())) return false;
  if (numberLike.test(text) || dateLike.test(text) || looseFloat.test(text)) return false;
  return true;
}

/** A scalar string as YAML: plain when safe, else double-quoted. */
export function yamlString(text: string): string {
  return isPlainSafe(text) ? text : JSON.stringify(text);
}

function scalar(value: null | boolean | number | string, path: string): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${path} must be a finite number, got ${value}`);
    return Object.is(value, -0) ? '0' : String(value);
  }
  return yamlString(value);
}

function isScalar(value: unknown): value is null | boolean | number | string {
  return value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string';
}

/** A literal block is used for multi-line strings whose lines carry no trailing/leading-space traps. */
function literalBlock(text: string, indent: string): string | undefined {
  if (!text.includes('\n') || text.includes('\r') || text.startsWith(' ') || text.startsWith('\n')) return undefined;
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body.endsWith('\n')) return undefined;
  const lines = body.split('\n');
  if (
    lines.some(
      (line) => /[ \t]$/.test(line) || line.includes('\t') || /[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(line),
    )
  ) {
    return undefined;
  }
  const header = text.endsWith('\n') ? '|' : '|-';
  return `${header}\n${lines.map((line) => (line === '' ? '' : indent + line)).join('\n')}`;
}

function isEmptyContainer(value: YamlValue): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  if (typeof value === 'object' && value !== null) {
    return Object.values(value).every((v) => v === undefined) ? '{}' : undefined;
  }
  return undefined;
}

/** The text after `key:` or `-` for a value: ` scalar` on the same line, or a newline and a nested block. */
function inline(value: YamlValue, indent: string, path: string): string {
  if (isScalar(value)) {
    if (typeof value === 'string') {
      const block = literalBlock(value, indent + '  ');
      if (block !== undefined) return ` ${block}`;
    }
    return ` ${scalar(value, path)}`;
  }
  const empty = isEmptyContainer(value);
  if (empty !== undefined) return ` ${empty}`;
  return `\n${block(value, indent + '  ', path)}`;
}

function block(value: YamlValue, indent: string, path: string): string {
  if (Array.isArray(value)) {
    return value
      .map((item: YamlValue, i: number) => {
        const itemPath = `${path}[${i}]`;
        if (typeof item === 'object' && item !== null && !Array.isArray(item) && isEmptyContainer(item) === undefined) {
          // `- key: value` with the rest of the mapping aligned under the first key.
          const nested = block(item, indent + '  ', itemPath);
          return `${indent}- ${nested.slice(indent.length + 2)}`;
        }
        return `${indent}-${inline(item, indent, itemPath)}`;
      })
      .join('\n');
  }
  if (typeof value === 'object' && value !== null) {
    const lines: string[] = [];
    for (const [key, item] of Object.entries(value as Record<string, YamlValue | undefined>)) {
      if (item === undefined) continue;
      const itemPath = path === '' ? key : `${path}.${key}`;
      lines.push(`${indent}${yamlString(key)}:${inline(item, indent, itemPath)}`);
    }
    return lines.join('\n');
  }
  return indent + scalar(value as null | boolean | number | string, path);
}

/**
 * `value` as a YAML document (block style, ends with a newline). Throws a `RangeError` naming
 * the field when a number is not finite (YAML's `.nan` would silently become NaN downstream).
 */
export function toYaml(value: YamlValue): string {
  if (isScalar(value)) return `${scalar(value, '(root)')}\n`;
  const empty = isEmptyContainer(value);
  if (empty !== undefined) return `${empty}\n`;
  return `${block(value, '', '')}\n`;
}

/** Several documents in one stream, separated by `---`. */
export function toYamlDocuments(values: readonly YamlValue[]): string {
  return values.map((value) => `---\n${toYaml(value)}`).join('');
}

/** Comment lines (`# …`, one per entry, line breaks folded to spaces) for the top of a YAML stream; readers skip them. */
export function yamlCommentLines(lines: readonly string[]): string {
  return lines.map((line) => `# ${line.replace(/[\r\n]+/g, ' ')}\n`).join('');
}

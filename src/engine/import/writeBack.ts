/**
 * Writing a tuned policy back into the user's own Argo Rollouts / Flagger files, as the smallest
 * edit that expresses it: every mapped field (`MappedField`, importTypes.ts) whose policy value the
 * tuning changed gets its new value, converted by the field's `toSource`, at the field's place in
 * the field's document; everything else — comments, key order, quoting, indentation, untouched
 * fields and documents — stays byte for byte.
 *
 * How: the files are parsed with the `yaml` package (`parseAllDocuments`). A value that exists in
 * the file as a plain or quoted scalar is replaced in the source text over its own range
 * (`node.range`), the new scalar written by the `yaml` package in the old one's style (plain,
 * single or double quoted), so the diff shows exactly the changed values. A value the file does not
 * have yet (a field the importer defaulted), or a block scalar, is set with the Document API
 * (`setIn`) and that file is written again with `toString` — which keeps comments, key order and
 * every value, but lets the `yaml` package re-indent the file (its default layout).
 *
 * What the source cannot express — a change in the tuned policy that no mapped field carries, e.g.
 * a failure-counting mode the target lacks, or a guard the importer did not read from the file —
 * is listed in `unrepresentable` with the reason, and only when it changes what the policy does
 * (its compiled stages, `compilePolicy`): a value spelt differently but compiled the same is no
 * change. Given the import's options, the written files are imported again and compared with the
 * tuned policy, so that a value the importer derives from another field counts too. Pure: no Node APIs.
 */
import type { Document, Scalar, Node as YamlNode } from 'yaml';
import { isScalar, parseAllDocuments, Document as YamlDocument } from 'yaml';
import { compilePolicy } from '../controller/compilePolicy.ts';
import type { Policy } from '../policy/policy.ts';
import type { ImportInput, ImportOptions, ImportResult, MappedField, SourceLocation } from './importTypes.ts';
import { formatLocation, ImportError } from './importTypes.ts';
import { importRollout } from './index.ts';

/** One value written back: where, the value the file had and the value it has now, and the policy field it carries. */
export interface WriteBackChange {
  source: SourceLocation;
  from: unknown;
  to: unknown;
  policyPath: (string | number)[];
}

/** The edited files (every input, in order, changed or not), the changes made, and what the source cannot express. */
export interface WriteBackResult {
  files: ImportInput[];
  changes: WriteBackChange[];
  /** One line per change of the tuned policy the files cannot carry: the policy path, old → new, and why. */
  unrepresentable: string[];
}

type Path = readonly (string | number)[];

/** The value at `path` in a JSON value, or undefined. */
function valueAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** A deep copy of `root` with `value` at `path` (created as needed; undefined deletes). */
function withValueAt<T>(root: T, path: Path, value: unknown): T {
  const copy = JSON.parse(JSON.stringify(root)) as T;
  let current = copy as unknown as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    if (current[key] === null || typeof current[key] !== 'object') current[key] = typeof key === 'number' ? [] : {};
    current = current[key] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (value === undefined) delete current[last];
  else current[last] = value;
  return copy;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every path at which two JSON values differ (leaves; a path present on one side only counts once). */
function differingPaths(a: unknown, b: unknown, path: (string | number)[] = []): (string | number)[][] {
  const isObject = (value: unknown) => value !== null && typeof value === 'object';
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b)) return sameValue(a, b) ? [] : [path];
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return [path];
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  const found: (string | number)[][] = [];
  for (const key of keys) {
    const step = Array.isArray(a) ? Number(key) : key;
    found.push(...differingPaths((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], [...path, step]));
  }
  return found;
}

/** `stages[2].guards.failureLimit` — a policy path as the policy's messages write it. */
export function formatPolicyPath(path: Path): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('') || '(root)';
}

/**
 * What a policy does, for comparing two spellings of it: its compiled stages and settings (null
 * when it does not compile). A failure limit of 1 rolls back at the first failing check however
 * failures are counted, so the counting mode (and, without an inconclusive limit, its scope) is
 * left out then: Argo's `failureLimit: 0` is that, whichever mode the policy names.
 */
function behaviour(policy: Policy): string | null {
  try {
    const { policy: _policy, ...compiled } = compilePolicy(policy);
    const stages = compiled.stages.map((stage) => {
      const counting = stage.failureCounting;
      if (counting?.limit !== 1) return stage;
      const scope = counting.inconclusiveLimit === Number.POSITIVE_INFINITY ? 'stage' : counting.scope;
      return { ...stage, failureCounting: { ...counting, mode: 'consecutive', window: 0, scope } };
    });
    return JSON.stringify({ ...compiled, stages });
  } catch {
    return null;
  }
}

/** A scalar's new text in the old scalar's style (plain, single or double quoted), as the `yaml` package writes it. */
function scalarText(value: unknown, style: Scalar['type']): string {
  const document = new YamlDocument(value);
  if (isScalar(document.contents) && style !== undefined) document.contents.type = style;
  return document.toString({ lineWidth: 0 }).replace(/\n$/, '');
}

/** The file's documents, parsed once; `ImportError`-free: the importer has already read these inputs. */
function parseFile(input: ImportInput): Document.Parsed[] {
  return parseAllDocuments(input.text) as Document.Parsed[];
}

/**
 * Applies `tuned` to the user's documents (module comment). `result` is what `importRollout`
 * returned for `inputs`; `tuned` is that policy after tuning (same stages). For each mapped field
 * whose value at its `policyPath` differs between `result.policy` and `tuned`, writes
 * `toSource(new value)` (or the value itself) at its source location. Several mapped fields at one
 * location (one Argo `interval` read into several stages) must agree: the first wins and a
 * disagreement is listed as unrepresentable. With `reimport` (the options the files were imported
 * with), what the files cannot express is found by importing the written files again and comparing
 * with `tuned` — the strict test, which also catches a value the importer derives from a field that
 * carries another (Flagger's step length is its check interval); without it, by applying the
 * mapped changes to the imported policy. O(size of the files + mapped fields × policy), plus one
 * import with `reimport`.
 */
export function writeBack(inputs: ImportInput[], result: ImportResult, tuned: Policy, reimport?: ImportOptions): WriteBackResult {
  const parsed = new Map(inputs.map((input) => [input.name, parseFile(input)]));
  const changes: WriteBackChange[] = [];
  const unrepresentable: string[] = [];
  // What the written files will say, as a policy: the imported one with every mapped change applied.
  let represented: Policy = result.policy;
  const written = new Map<string, { field: MappedField; value: unknown }>();
  // Policy paths whose mapped field already holds another path's different value: why they are unrepresentable.
  const conflicts = new Map<string, string>();
  for (const field of result.report.mapped) {
    const before = valueAt(result.policy, field.policyPath);
    const after = valueAt(tuned, field.policyPath);
    if (sameValue(before, after) || after === undefined) continue;
    const sourceValue = field.toSource ? field.toSource(after) : after;
    const key = `${formatLocation(field.source)}`;
    const earlier = written.get(key);
    if (earlier !== undefined) {
      if (sameValue(earlier.value, sourceValue)) represented = withValueAt(represented, field.policyPath, after);
      else
        conflicts.set(
          formatPolicyPath(field.policyPath),
          `${key} already carries ${formatPolicyPath(earlier.field.policyPath)} (written as ${JSON.stringify(earlier.value)}), and one field cannot hold both`,
        );
      continue;
    }
    written.set(key, { field, value: sourceValue });
    represented = withValueAt(represented, field.policyPath, after);
    changes.push({ source: field.source, from: field.sourceValue, to: sourceValue, policyPath: [...field.policyPath] });
  }
  const files: ImportInput[] = inputs.map((input) => {
    const documents = parsed.get(input.name) as Document.Parsed[];
    const mine = changes.filter((change) => change.source.file === input.name);
    if (mine.length === 0) return { ...input };
    const splices: { start: number; end: number; text: string }[] = [];
    let wholeFile = false;
    for (const change of mine) {
      const document = documents[change.source.document];
      if (document === undefined) throw new RangeError(`${formatLocation(change.source)}: the file has no such document`);
      const node = document.getIn(change.source.path, true) as YamlNode | undefined;
      if (isScalar(node) && node.range && (node.type === 'PLAIN' || node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE')) {
        splices.push({ start: node.range[0], end: node.range[1], text: scalarText(change.to, node.type) });
      } else {
        wholeFile = true;
      }
    }
    // A value the file lacks (or a block scalar): every change of this file through the Document
    // API, and the file written again by the `yaml` package.
    if (wholeFile) {
      for (const change of mine) documents[change.source.document].setIn(change.source.path, change.to);
      return { name: input.name, text: documents.map((document) => document.toString({ lineWidth: 0 })).join('') };
    }
    let text = input.text;
    for (const splice of splices.sort((a, b) => b.start - a.start))
      text = text.slice(0, splice.start) + splice.text + text.slice(splice.end);
    return { name: input.name, text };
  });
  // What the written files say, as a policy: imported again when the import's options are given
  // (the importer may read one field into several policy values), else the imported policy with
  // every mapped change applied. Differences from the tuned policy are kept only when they change
  // what the policy does.
  let said = represented;
  if (reimport !== undefined) {
    try {
      said = importRollout(files, { ...reimport, from: result.report.source }).policy;
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      return { files, changes, unrepresentable: [`the written files do not import again: ${error.message}`] };
    }
  }
  const saidBehaviour = behaviour(said);
  const mappedPaths = new Set(result.report.mapped.map((field) => formatPolicyPath(field.policyPath)));
  for (const path of differingPaths(said, tuned)) {
    const trial = withValueAt(said, path, valueAt(tuned, path));
    if (saidBehaviour !== null && behaviour(trial) === saidBehaviour) continue;
    const name = formatPolicyPath(path);
    const system = result.report.source === 'argo' ? 'Argo Rollouts' : 'Flagger';
    const text = (value: unknown) => JSON.stringify(value) ?? 'unset';
    const change = `${name}: ${text(valueAt(result.policy, path))} → ${text(valueAt(tuned, path))}`;
    const conflict = conflicts.get(name);
    if (reimport === undefined) unrepresentable.push(`${change}: ${conflict ?? `no field of the ${system} files maps to it`}`);
    else
      unrepresentable.push(
        `${change}, but the written files, imported again, give ${text(valueAt(said, path))}: ${
          conflict ??
          (mappedPaths.has(name)
            ? 'the importer reads it from fields that also carry other values'
            : `no field of the ${system} files carries it on its own`)
        }`,
      );
  }
  return { files, changes, unrepresentable };
}

/**
 * A unified diff of text files (`diff -u` format, 3 lines of context), to show a user what to edit
 * in their own files: `--- a/NAME` / `+++ b/NAME` headers, then `@@ -l,s +l,s @@` hunks of
 * context (` `), removed (`-`) and added (`+`) lines; changes closer than 2 × 3 lines share a hunk,
 * a count of 1 is written without `,1` and an empty side as `l,0` (the line before), and a last
 * line without a newline is followed by `\ No newline at end of file` — as GNU diffutils writes it.
 *
 * The line alignment is a longest common subsequence (dynamic programming, Hirschberg-free:
 * O(n·m) time and memory, fine for configuration files of a few hundred lines), so on ambiguous
 * inputs the hunks may pair lines differently from GNU diff's Myers variant while saying the same.
 * Pure: no Node APIs.
 */
import type { ImportInput } from './importTypes.ts';

type Operation = { kind: ' ' | '-' | '+'; line: string; oldIndex: number; newIndex: number };

/** Lines of a text, and whether its last line ends with a newline. */
function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === '') return { lines: [], finalNewline: true };
  const finalNewline = text.endsWith('\n');
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n');
  return { lines, finalNewline };
}

/** The edit script from `a` to `b` (LCS), each run of changes written as its removals then its additions. */
function editScript(a: string[], b: string[]): Operation[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..].
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const operations: Operation[] = [];
  let removed: Operation[] = [];
  let added: Operation[] = [];
  const flush = () => {
    operations.push(...removed, ...added);
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      flush();
      operations.push({ kind: ' ', line: a[i], oldIndex: i, newIndex: j });
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
      removed.push({ kind: '-', line: a[i], oldIndex: i, newIndex: j });
      i++;
    } else {
      added.push({ kind: '+', line: b[j], oldIndex: i, newIndex: j });
      j++;
    }
  }
  flush();
  return operations;
}

/** `start,count` of a hunk side: a count of 1 alone, an empty side at the line before. */
function range(first: number, count: number): string {
  if (count === 0) return `${first},0`;
  return count === 1 ? `${first + 1}` : `${first + 1},${count}`;
}

/**
 * The unified diff of one file's two versions, with the given names in the headers; '' when the
 * texts are equal. O(lines²) time and memory.
 */
export function unifiedFileDiff(before: string, after: string, oldName: string, newName: string, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  // A differing final newline is a change of the last line (as diff sees it).
  const aLines = a.lines.map((line, index) => (index === a.lines.length - 1 && !a.finalNewline ? `${line}\u0000` : line));
  const bLines = b.lines.map((line, index) => (index === b.lines.length - 1 && !b.finalNewline ? `${line}\u0000` : line));
  const operations = editScript(aLines, bLines);
  const changed = operations.map((operation, index) => (operation.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  let text = `--- ${oldName}\n+++ ${newName}\n`;
  let k = 0;
  while (k < changed.length) {
    // A hunk: from `context` before its first change to `context` after its last, merging changes
    // whose gap of unchanged lines is at most 2 × context.
    const first = changed[k];
    let last = first;
    while (k + 1 < changed.length && changed[k + 1] - last - 1 <= 2 * context) last = changed[++k];
    k++;
    const hunkStart = Math.max(0, first - context);
    const hunkEnd = Math.min(operations.length, last + context + 1);
    const lines = operations.slice(hunkStart, hunkEnd);
    const oldStart = lines[0].oldIndex;
    const newStart = lines[0].newIndex;
    const oldCount = lines.filter((line) => line.kind !== '+').length;
    const newCount = lines.filter((line) => line.kind !== '-').length;
    text += `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`;
    for (const line of lines) {
      const noNewline = line.line.endsWith('\u0000');
      text += `${line.kind}${noNewline ? line.line.slice(0, -1) : line.line}\n`;
      if (noNewline) text += '\\ No newline at end of file\n';
    }
  }
  return text;
}

/**
 * The unified diff of every file that changed between `before` and `after` (matched by name, in
 * the order of `before`), each headed `--- a/NAME` / `+++ b/NAME`; '' when nothing changed.
 */
export function unifiedDiff(before: ImportInput[], after: ImportInput[]): string {
  return before
    .map((file) => {
      const edited = after.find((candidate) => candidate.name === file.name);
      return edited === undefined ? '' : unifiedFileDiff(file.text, edited.text, `a/${file.name}`, `b/${file.name}`);
    })
    .join('');
}

/**
 * The markdown subset of notebook prose, parsed into a small tree that the view turns into Lit
 * templates — never into an HTML string — so nothing in the text can become markup: every
 * character reaches the page as text, and only the constructs below become elements.
 *
 * Blocks: ATX headings (`#` … `######`), paragraphs (consecutive lines, joined by a space),
 * bullet lists (`-`, `*`), numbered lists (`1.`), fenced code blocks (```), separated by blank
 * lines. Inline: code spans (`` `x` ``, any run of backticks), strong (`**x**`), emphasis (`*x*`,
 * `_x_` — an underscore inside a word such as `e_control` stays literal), links `[text](href)`
 * whose href is http(s), mailto, a `#fragment` or a relative path (anything else, e.g.
 * `javascript:`, renders as plain text), and backslash escapes of punctuation. Raw HTML is text.
 * Cost O(length · nesting).
 */

/** Inline content. */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong'; children: Inline[] }
  | { kind: 'emphasis'; children: Inline[] }
  | { kind: 'link'; href: string; children: Inline[] };

/** Block content. */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; children: Inline[] }
  | { kind: 'paragraph'; children: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }
  | { kind: 'codeBlock'; language: string; text: string };

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const FENCE = /^\s*```\s*([\w-]*)\s*$/;
const ESCAPABLE = /[\\`*_[\]()#+\-.!{}<>|~]/;

/**
 * The href if it is safe to put in a link — http(s), mailto, a fragment or a scheme-less
 * relative path — else null. Control characters and whitespace inside the scheme are rejected.
 */
export function safeHref(href: string): string | null {
  const trimmed = href.trim();
  if (trimmed === '' || /[\u0000-\u001f\u007f\s]/.test(trimmed)) return null;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(trimmed);
  if (scheme) return ['http', 'https', 'mailto'].includes(scheme[1].toLowerCase()) ? trimmed : null;
  // No scheme: a fragment, query or path. Reject protocol-relative URLs (//host) and backslashes.
  if (trimmed.startsWith('//') || trimmed.includes('\\')) return null;
  return trimmed;
}

/** Parses notebook prose into blocks. */
export function parseMarkdown(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;

  const flush = () => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', children: parseInline(paragraph.join(' ')) });
    paragraph = [];
    if (list) blocks.push({ kind: 'list', ordered: list.ordered, items: list.items.map(parseInline) });
    list = null;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i]);
      blocks.push({ kind: 'codeBlock', language: fence[1], text: body.join('\n') });
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1].length as 1 | 2 | 3 | 4 | 5 | 6, children: parseInline(heading[2]) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      const ordered = numbered !== null;
      if (paragraph.length > 0 || (list && list.ordered !== ordered)) flush();
      list ??= { ordered, items: [] };
      list.items.push((bullet ?? numbered)![1]);
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      // An indented line continues the last list item.
      list.items[list.items.length - 1] += ' ' + line.trim();
      continue;
    }
    if (list) flush();
    paragraph.push(line.trim());
  }
  flush();
  return blocks;
}

function isWordCharacter(character: string | undefined): boolean {
  return character !== undefined && /[\p{L}\p{N}]/u.test(character);
}

/** Index of the closing delimiter `marker` for an opener ending at `from`, or −1. */
function findClosing(text: string, from: number, marker: string): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === '`') {
      // Skip code spans: delimiters inside them do not count.
      const run = /^`+/.exec(text.slice(i))![0];
      const end = text.indexOf(run, i + run.length);
      if (end !== -1) i = end + run.length - 1;
      continue;
    }
    if (text.startsWith(marker, i) && i > from && !/\s/.test(text[i - 1])) {
      if (marker === '_' && isWordCharacter(text[i + 1])) continue;
      // In a run of three stars closing strong, the inner star closes an emphasis first.
      if (marker === '**' && text[i + 2] === '*') continue;
      if (marker === '*' && text[i + 1] === '*') {
        i++;
        continue;
      }
      return i;
    }
  }
  return -1;
}

/** Parses inline markdown. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let buffer = '';
  const pushText = () => {
    if (buffer !== '') out.push({ kind: 'text', text: buffer });
    buffer = '';
  };

  for (let i = 0; i < text.length; i++) {
    const character = text[i];
    if (character === '\\' && i + 1 < text.length && ESCAPABLE.test(text[i + 1])) {
      buffer += text[++i];
      continue;
    }
    if (character === '`') {
      const run = /^`+/.exec(text.slice(i))![0];
      const end = text.indexOf(run, i + run.length);
      if (end !== -1) {
        pushText();
        const inner = text.slice(i + run.length, end);
        // As CommonMark: one leading and trailing space are stripped when both are present.
        out.push({ kind: 'code', text: /^ .* $/.test(inner) && inner.trim() !== '' ? inner.slice(1, -1) : inner });
        i = end + run.length - 1;
        continue;
      }
      buffer += run;
      i += run.length - 1;
      continue;
    }
    if (text.startsWith('**', i) && text[i + 2] !== undefined && !/\s/.test(text[i + 2])) {
      const end = findClosing(text, i + 2, '**');
      if (end !== -1) {
        pushText();
        out.push({ kind: 'strong', children: parseInline(text.slice(i + 2, end)) });
        i = end + 1;
        continue;
      }
    }
    if ((character === '*' || character === '_') && text[i + 1] !== undefined && !/\s/.test(text[i + 1])) {
      const opens = character === '*' || !isWordCharacter(text[i - 1]);
      const end = opens ? findClosing(text, i + 1, character) : -1;
      if (end !== -1) {
        pushText();
        out.push({ kind: 'emphasis', children: parseInline(text.slice(i + 1, end)) });
        i = end;
        continue;
      }
    }
    if (character === '[') {
      const link = /^\[([^\]]*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)/.exec(text.slice(i));
      if (link) {
        pushText();
        const href = safeHref(link[2]);
        const children = parseInline(link[1]);
        if (href === null) out.push(...children);
        else out.push({ kind: 'link', href, children });
        i += link[0].length - 1;
        continue;
      }
    }
    buffer += character;
  }
  pushText();
  return merge(out);
}

/** Joins adjacent text nodes (left by unsafe links and literal delimiters). */
function merge(inlines: Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const inline of inlines) {
    const last = out[out.length - 1];
    if (inline.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + inline.text };
    else out.push(inline);
  }
  return out;
}

/** The plain text of inline content (for titles and accessible names). */
export function inlineText(inlines: readonly Inline[]): string {
  return inlines.map((inline) => (inline.kind === 'text' || inline.kind === 'code' ? inline.text : inlineText(inline.children))).join('');
}

import { describe, expect, it } from 'vitest';
import { notebooks } from '../../../notebooks/index.ts';
import { inlineText, parseInline, parseMarkdown, safeHref } from '../../../src/ui/notebook/markdown.ts';

describe('parseMarkdown', () => {
  it('reads headings, paragraphs, lists and code blocks', () => {
    const blocks = parseMarkdown(
      [
        '# Title',
        '',
        'First line',
        'second line.',
        '',
        '- one',
        '- two',
        '  continued',
        '',
        '1. first',
        '2. second',
        '',
        '```ts',
        'const x = 1 < 2;',
        '```',
        '### Small ##',
      ].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, children: [{ kind: 'text', text: 'Title' }] },
      { kind: 'paragraph', children: [{ kind: 'text', text: 'First line second line.' }] },
      { kind: 'list', ordered: false, items: [[{ kind: 'text', text: 'one' }], [{ kind: 'text', text: 'two continued' }]] },
      { kind: 'list', ordered: true, items: [[{ kind: 'text', text: 'first' }], [{ kind: 'text', text: 'second' }]] },
      { kind: 'codeBlock', language: 'ts', text: 'const x = 1 < 2;' },
      { kind: 'heading', level: 3, children: [{ kind: 'text', text: 'Small' }] },
    ]);
  });

  it('keeps raw HTML as text', () => {
    expect(parseMarkdown('<script>alert(1)</script> <b>x</b>')).toEqual([
      { kind: 'paragraph', children: [{ kind: 'text', text: '<script>alert(1)</script> <b>x</b>' }] },
    ]);
  });
});

describe('parseInline', () => {
  it('reads emphasis, strong, code and links', () => {
    expect(parseInline('a *b* **c** `d*e*` [f](https://example.org/x_(y))')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'emphasis', children: [{ kind: 'text', text: 'b' }] },
      { kind: 'text', text: ' ' },
      { kind: 'strong', children: [{ kind: 'text', text: 'c' }] },
      { kind: 'text', text: ' ' },
      { kind: 'code', text: 'd*e*' },
      { kind: 'text', text: ' ' },
      { kind: 'link', href: 'https://example.org/x_(y)', children: [{ kind: 'text', text: 'f' }] },
    ]);
  });

  it('leaves underscores inside words, lone stars and escapes literal', () => {
    expect(parseInline('e_candidate > 2 · e_control and Z_k')).toEqual([{ kind: 'text', text: 'e_candidate > 2 · e_control and Z_k' }]);
    expect(parseInline('2 * 3 = 6')).toEqual([{ kind: 'text', text: '2 * 3 = 6' }]);
    expect(parseInline('\\*not emphasis\\*')).toEqual([{ kind: 'text', text: '*not emphasis*' }]);
    expect(parseInline('_word_ here')).toEqual([
      { kind: 'emphasis', children: [{ kind: 'text', text: 'word' }] },
      { kind: 'text', text: ' here' },
    ]);
    expect(parseInline('`` a ` b ``')).toEqual([{ kind: 'code', text: 'a ` b' }]);
    expect(parseInline('unclosed `tick')).toEqual([{ kind: 'text', text: 'unclosed `tick' }]);
  });

  it('nests emphasis in strong', () => {
    expect(inlineText(parseInline('**very *much***'))).toBe('very much');
  });

  it('renders unsafe links as their text', () => {
    expect(parseInline('[click](javascript:alert(1))')).toEqual([{ kind: 'text', text: 'click' }]);
    expect(parseInline('[x](//evil.example)')).toEqual([{ kind: 'text', text: 'x' }]);
  });
});

describe('safeHref', () => {
  it('allows web links, mail, fragments and relative paths only', () => {
    expect(safeHref('https://a.example/b')).toBe('https://a.example/b');
    expect(safeHref('mailto:a@b.example')).toBe('mailto:a@b.example');
    expect(safeHref('#/notebooks?id=x')).toBe('#/notebooks?id=x');
    expect(safeHref('docs/a.md')).toBe('docs/a.md');
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:x',
      'data:text/html,x',
      'vbscript:x',
      '//evil',
      'java\tscript:x',
      '',
      '\\\\evil',
    ]) {
      expect(safeHref(bad), bad).toBeNull();
    }
  });
});

describe('the notebooks’ prose', () => {
  it('parses without leftover delimiters that would show as stray markup', () => {
    for (const notebook of notebooks) {
      for (const cell of notebook.cells) {
        if (cell.kind !== 'markdown') continue;
        const blocks = parseMarkdown(cell.text);
        expect(blocks.length).toBeGreaterThan(0);
        const text = blocks
          .map((block) =>
            block.kind === 'list' ? block.items.map(inlineText).join(' ') : block.kind === 'codeBlock' ? '' : inlineText(block.children),
          )
          .join(' ');
        expect(text, `${notebook.id}: ${text}`).not.toMatch(/\*\*|`/);
      }
    }
  });
});

import type { TemplateResult } from 'lit';
import { html, nothing } from 'lit';
import type { Block, Inline } from './markdown.ts';

/**
 * Lit templates for parsed notebook prose. Text always goes through Lit's text bindings (escaped
 * by construction); the only elements are those the markdown subset defines, and link hrefs were
 * vetted by `safeHref`. Heading levels are shifted down by `headingOffset` (default 1: a
 * notebook's `#` title becomes an `<h2>`, under the app's own `<h1>`), capped at `<h6>`.
 */
export function markdownTemplate(blocks: readonly Block[], headingOffset = 1): TemplateResult[] {
  return blocks.map((block) => blockTemplate(block, headingOffset));
}

function blockTemplate(block: Block, headingOffset: number): TemplateResult {
  switch (block.kind) {
    case 'heading':
      return headingTemplate(Math.min(6, block.level + headingOffset), inlineTemplate(block.children));
    case 'paragraph':
      return html`<p>${inlineTemplate(block.children)}</p>`;
    case 'list':
      return block.ordered
        ? html`<ol>${block.items.map((item) => html`<li>${inlineTemplate(item)}</li>`)}</ol>`
        : html`<ul>${block.items.map((item) => html`<li>${inlineTemplate(item)}</li>`)}</ul>`;
    case 'codeBlock':
      return html`<pre class="code-block"><code>${block.text}</code></pre>`;
  }
}

function headingTemplate(level: number, content: unknown): TemplateResult {
  // Lit cannot bind a tag name: one template per level.
  switch (level) {
    case 1:
      return html`<h1>${content}</h1>`;
    case 2:
      return html`<h2>${content}</h2>`;
    case 3:
      return html`<h3>${content}</h3>`;
    case 4:
      return html`<h4>${content}</h4>`;
    case 5:
      return html`<h5>${content}</h5>`;
    default:
      return html`<h6>${content}</h6>`;
  }
}

function inlineTemplate(inlines: readonly Inline[]): unknown[] {
  return inlines.map((inline) => {
    switch (inline.kind) {
      case 'text':
        return inline.text;
      case 'code':
        return html`<code>${inline.text}</code>`;
      case 'strong':
        return html`<strong>${inlineTemplate(inline.children)}</strong>`;
      case 'emphasis':
        return html`<em>${inlineTemplate(inline.children)}</em>`;
      case 'link': {
        const external = /^(https?|mailto):/i.test(inline.href);
        return html`<a href=${inline.href} target=${external ? '_blank' : nothing} rel=${external ? 'noopener noreferrer' : nothing}>${inlineTemplate(inline.children)}</a>`;
      }
    }
  });
}

import { describe, expect, it } from 'vitest';
import { parseMarkdown, safeHref, type Block, type Inline } from './markdown.ts';

/** Everything a reader would see, as plain text: what the page shows of it. */
const textOf = (nodes: (Inline | Block)[]): string =>
  nodes
    .map((n) => {
      if ('text' in n) return n.text;
      if ('children' in n) return textOf(n.children);
      if (n.kind === 'list') return n.items.map(textOf).join('\n');
      if (n.kind === 'table') return [...n.header, ...n.rows.flat()].map(textOf).join(' ');
      return '';
    })
    .join('');

const links = (nodes: (Inline | Block)[]): string[] =>
  nodes.flatMap((n) => {
    if (n.kind === 'link') return [n.href, ...links(n.children)];
    if ('children' in n) return links(n.children);
    if (n.kind === 'list') return n.items.flatMap(links);
    return [];
  });

describe('the answer as Markdown', () => {
  it('reads paragraphs, headings, emphasis, code and lists into blocks', () => {
    const blocks = parseMarkdown('# Ports\n\nPort **22** is *sshd*, ~~old~~ `ss -tlnp`.\n\n1. one\n2. two\n\n- a\n- b\n');
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'list', 'list']);
    expect(blocks[0]).toMatchObject({ kind: 'heading', level: 1, children: [{ kind: 'text', text: 'Ports' }] });
    const para = blocks[1] as Extract<Block, { kind: 'paragraph' }>;
    expect(para.children.map((c) => c.kind)).toEqual(['text', 'strong', 'text', 'em', 'text', 'del', 'text', 'code', 'text']);
    expect(textOf([para])).toBe('Port 22 is sshd, old ss -tlnp.');
    expect(blocks[2]).toMatchObject({ kind: 'list', ordered: true, start: 1 });
    expect(blocks[3]).toMatchObject({ kind: 'list', ordered: false });
    expect((blocks[3] as Extract<Block, { kind: 'list' }>).items.map(textOf)).toEqual(['a', 'b']);
  });

  it('keeps a fenced block as its text with its language, markup and all', () => {
    const [code] = parseMarkdown('```sh\necho "<b>hi</b>" && rm -rf /tmp/x\n```');
    expect(code).toEqual({ kind: 'code', lang: 'sh', text: 'echo "<b>hi</b>" && rm -rf /tmp/x' });
  });

  it('shows raw HTML as the text it is, inline and as a block', () => {
    const blocks = parseMarkdown('Hello <img src=x onerror=alert(1)> there\n\n<script>alert(1)</script>\n');
    expect(textOf(blocks)).toBe('Hello <img src=x onerror=alert(1)> there<script>alert(1)</script>');
    expect(JSON.stringify(blocks)).not.toMatch(/"kind":"(html|raw)"/);
  });

  it('keeps http(s) and mailto links and turns every other target into text', () => {
    const blocks = parseMarkdown(
      '[docs](https://example.org/a?b=1) [mail](mailto:ops@example.org) [js](javascript:alert(1)) ' +
        '[data](data:text/html,<b>x</b>) [rel](/api/audit) [vb](  JAVASCRIPT:x)',
    );
    expect(links(blocks)).toEqual(['https://example.org/a?b=1', 'mailto:ops@example.org']);
    expect(textOf(blocks)).toContain('js');
    expect(textOf(blocks)).toContain('rel');
  });

  it('never loads an image: it becomes a link to it, named by its alt text', () => {
    const [para] = parseMarkdown('![a chart](https://example.org/c.png) ![x](javascript:alert(1))');
    expect((para as Extract<Block, { kind: 'paragraph' }>).children).toEqual([
      { kind: 'link', href: 'https://example.org/c.png', children: [{ kind: 'text', text: 'a chart' }] },
      { kind: 'text', text: ' ' },
      { kind: 'text', text: 'x' },
    ]);
  });

  it('reads tables with their alignment, quotes and rules', () => {
    const blocks = parseMarkdown('| port | proc |\n|-----:|:-----|\n| 22 | sshd |\n\n> careful\n\n---\n');
    expect(blocks[0]).toMatchObject({ kind: 'table', align: ['right', 'left'] });
    expect(textOf([blocks[0]!])).toBe('port proc 22 sshd');
    expect(blocks[1]).toMatchObject({ kind: 'quote' });
    expect(textOf([blocks[1]!])).toBe('careful');
    expect(blocks[2]).toEqual({ kind: 'hr' });
  });

  it('decodes the entities a model writes, and keeps escaped characters literal', () => {
    expect(textOf(parseMarkdown('a &amp; b &lt;c&gt; \\*d\\*'))).toBe('a & b <c> *d*');
  });

  it('reads an answer cut off mid-stream as far as it goes', () => {
    expect(textOf(parseMarkdown('Here:\n\n```sh\nsystemctl sta'))).toBe('Here:systemctl sta');
    expect(textOf(parseMarkdown('**bold but not yet'))).toBe('**bold but not yet');
  });

  it('accepts only absolute http(s) and mailto targets', () => {
    expect(safeHref(' https://a.example/x ')).toBe('https://a.example/x');
    expect(safeHref('http://a.example')).toBe('http://a.example');
    for (const bad of [
      'javascript:alert(1)',
      'vbscript:x',
      'data:text/html,x',
      '//evil.example',
      '/local',
      'https://',
      'https://a b',
    ])
      expect(safeHref(bad), bad).toBeNull();
  });
});

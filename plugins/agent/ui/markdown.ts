import { Lexer, type Token, type Tokens } from 'marked';

/**
 * The model's Markdown as a small tree that Svelte renders as text nodes: no HTML string is
 * ever made from it, so nothing the model writes (or a tool result it repeats) can become
 * markup. Raw HTML is shown as the text it is; links keep only http(s) and mailto targets;
 * images become links, so an answer loads nothing by itself.
 */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'strong' | 'em' | 'del'; children: Inline[] }
  | { kind: 'code'; text: string }
  | { kind: 'link'; href: string; children: Inline[] }
  | { kind: 'br' };

export type Block =
  | { kind: 'paragraph'; children: Inline[] }
  | { kind: 'heading'; level: number; children: Inline[] }
  | { kind: 'code'; lang: string; text: string }
  | { kind: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { kind: 'quote'; children: Block[] }
  | { kind: 'table'; align: ('left' | 'right' | 'center' | null)[]; header: Inline[][]; rows: Inline[][][] }
  | { kind: 'hr' };

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const decode = (text: string) => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);

/** A link target a click may follow: absolute http(s) or mailto. Anything else is not a link. */
export function safeHref(href: string): string | null {
  const trimmed = href.trim();
  return /^(https?:\/\/|mailto:)[^\s]+$/i.test(trimmed) ? trimmed : null;
}

function inline(tokens: Token[] | undefined): Inline[] {
  const out: Inline[] = [];
  for (const t of tokens ?? []) {
    switch (t.type) {
      case 'strong':
      case 'em':
      case 'del':
        out.push({ kind: t.type, children: inline((t as Tokens.Strong).tokens) });
        break;
      case 'codespan':
        out.push({ kind: 'code', text: decode((t as Tokens.Codespan).text) });
        break;
      case 'br':
        out.push({ kind: 'br' });
        break;
      case 'link':
      case 'image': {
        const link = t as Tokens.Link | Tokens.Image;
        const href = safeHref(link.href);
        const children = t.type === 'image' ? [{ kind: 'text' as const, text: link.text || link.href }] : inline(link.tokens);
        if (href) out.push({ kind: 'link', href, children });
        else out.push(...children);
        break;
      }
      case 'text':
        // A text token may hold inline tokens of its own (in tight list items).
        if ('tokens' in t && t.tokens?.length) out.push(...inline(t.tokens));
        else out.push({ kind: 'text', text: decode((t as Tokens.Text).text) });
        break;
      default:
        // escape, html and anything unknown: the text as written, never markup.
        out.push({ kind: 'text', text: t.type === 'escape' ? (t as Tokens.Escape).text : t.raw });
    }
  }
  return out;
}

function blocks(tokens: Token[]): Block[] {
  const out: Block[] = [];
  for (const t of tokens) {
    switch (t.type) {
      case 'space':
      case 'def':
        break;
      case 'paragraph':
      case 'text':
        out.push({ kind: 'paragraph', children: inline('tokens' in t && t.tokens ? t.tokens : [t]) });
        break;
      case 'heading':
        out.push({ kind: 'heading', level: (t as Tokens.Heading).depth, children: inline((t as Tokens.Heading).tokens) });
        break;
      case 'code':
        out.push({ kind: 'code', lang: (t as Tokens.Code).lang ?? '', text: (t as Tokens.Code).text });
        break;
      case 'list': {
        const list = t as Tokens.List;
        const start = typeof list.start === 'number' ? list.start : 1;
        out.push({ kind: 'list', ordered: list.ordered, start, items: list.items.map((item) => blocks(item.tokens)) });
        break;
      }
      case 'blockquote':
        out.push({ kind: 'quote', children: blocks((t as Tokens.Blockquote).tokens) });
        break;
      case 'table': {
        const table = t as Tokens.Table;
        out.push({
          kind: 'table',
          align: table.align,
          header: table.header.map((cell) => inline(cell.tokens)),
          rows: table.rows.map((row) => row.map((cell) => inline(cell.tokens))),
        });
        break;
      }
      case 'hr':
        out.push({ kind: 'hr' });
        break;
      default:
        // Block HTML and anything unknown: shown as the text it is.
        if (t.raw.trim()) out.push({ kind: 'paragraph', children: [{ kind: 'text', text: t.raw.trim() }] });
    }
  }
  return out;
}

/** Reads Markdown (GitHub's flavour) into blocks; an unfinished answer reads as far as it goes. */
export function parseMarkdown(source: string): Block[] {
  return blocks(new Lexer({ gfm: true }).lex(source));
}

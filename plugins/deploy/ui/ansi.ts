/**
 * Build output keeps its colours: SGR codes (ESC [ … m) become segments the panel renders as
 * styled spans, never as HTML. Foreground colours map onto the 16 basic ones (256-colour and
 * true-colour codes to the nearest), which the panel's palette gives AA contrast in both
 * themes; backgrounds are dropped for the same reason. Every other escape sequence (cursor
 * moves, line clears, titles) and control character is removed; a carriage return keeps what
 * a terminal would show: the text after it.
 */
export interface Segment {
  text: string;
  /** 0–15 (8–15 the bright ones), or null for the default colour. */
  fg: number | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
}

type Style = Omit<Segment, 'text'>;
const PLAIN: Style = { fg: null, bold: false, dim: false, italic: false, underline: false };

/** The basic colours as xterm draws them, to find the nearest for 256-colour and RGB codes. */
const BASIC: [number, number, number][] = [
  [0, 0, 0],
  [205, 0, 0],
  [0, 205, 0],
  [205, 205, 0],
  [0, 0, 238],
  [205, 0, 205],
  [0, 205, 205],
  [229, 229, 229],
  [127, 127, 127],
  [255, 0, 0],
  [0, 255, 0],
  [255, 255, 0],
  [92, 92, 255],
  [255, 0, 255],
  [0, 255, 255],
  [255, 255, 255],
];

export function nearestBasic(r: number, g: number, b: number): number {
  let best = 0;
  let bestDistance = Infinity;
  BASIC.forEach(([R, G, B], i) => {
    const d = (r - R) ** 2 + (g - G) ** 2 + (b - B) ** 2;
    if (d < bestDistance) [best, bestDistance] = [i, d];
  });
  return best;
}

/** The RGB of a 256-colour palette entry from 16 up (the 6×6×6 cube, then 24 greys). */
function xterm256(n: number): [number, number, number] {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return [v, v, v];
  }
  const c = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return [level(Math.floor(c / 36)), level(Math.floor(c / 6) % 6), level(c % 6)];
}

/** Applies one SGR parameter list to the style. */
function apply(style: Style, params: number[]): Style {
  const s = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p === 0) Object.assign(s, PLAIN);
    else if (p === 1) s.bold = true;
    else if (p === 2) s.dim = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 22) s.bold = s.dim = false;
    else if (p === 23) s.italic = false;
    else if (p === 24) s.underline = false;
    else if (p >= 30 && p <= 37) s.fg = p - 30;
    else if (p >= 90 && p <= 97) s.fg = p - 90 + 8;
    else if (p === 39) s.fg = null;
    else if (p === 38 || p === 48) {
      // Extended colours: 5;n or 2;r;g;b. A background is read past, not shown.
      const mode = params[i + 1];
      let colour: number | null = null;
      if (mode === 5) {
        const n = params[i + 2] ?? 0;
        colour = n < 16 ? n : nearestBasic(...xterm256(n));
        i += 2;
      } else if (mode === 2) {
        colour = nearestBasic(params[i + 2] ?? 0, params[i + 3] ?? 0, params[i + 4] ?? 0);
        i += 4;
      }
      if (p === 38 && colour !== null) s.fg = colour;
    }
    // Anything else (backgrounds, blink, inverse…) changes nothing shown.
  }
  return s;
}

/** CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), or another two-byte escape. */
// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** One line of output as styled segments, carrying the style on from `start` (the line before's end). */
export function parseAnsi(line: string, start: Style = PLAIN): { segments: Segment[]; end: Style } {
  const text = line.includes('\r') ? line.slice(line.replace(/\r+$/, '').lastIndexOf('\r') + 1) : line;
  const segments: Segment[] = [];
  let style = start;
  let at = 0;
  const push = (chunk: string) => {
    const clean = chunk.replace(CONTROL, '');
    if (!clean) return;
    const last = segments.at(-1);
    if (last && sameStyle(last, style)) last.text += clean;
    else segments.push({ text: clean, ...style });
  };
  for (const m of text.matchAll(ESCAPE)) {
    push(text.slice(at, m.index));
    at = m.index + m[0].length;
    if (m[2] === 'm')
      style = apply(
        style,
        (m[1] || '0').split(/[;:]/).map((n) => Number(n) || 0),
      );
  }
  push(text.slice(at));
  return { segments, end: style };
}

const sameStyle = (a: Style, b: Style) =>
  a.fg === b.fg && a.bold === b.bold && a.dim === b.dim && a.italic === b.italic && a.underline === b.underline;

/** The classes of a segment's span; '' for plain text. */
export function segmentClass(s: Segment): string {
  return [
    s.fg === null ? '' : `fg${s.fg}`,
    s.bold ? 'bold' : '',
    s.dim ? 'dim' : '',
    s.italic ? 'italic' : '',
    s.underline ? 'underline' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

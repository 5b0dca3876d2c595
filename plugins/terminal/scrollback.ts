/**
 * The last `limit` characters of a terminal's output, replayed when a page attaches. It drops
 * whole chunks from the front; the first one kept is cut after a line break, so the replay
 * starts at the beginning of a line rather than in the middle of an escape sequence.
 */
export class Scrollback {
  private chunks: string[] = [];
  private length = 0;

  constructor(private readonly limit: number) {}

  push(data: string): void {
    if (!data) return;
    this.chunks.push(data);
    this.length += data.length;
    if (this.length <= this.limit) return;
    while (this.length - this.chunks[0]!.length >= this.limit) this.length -= this.chunks.shift()!.length;
    const first = this.chunks[0]!;
    const over = this.length - this.limit;
    if (over <= 0) return;
    const lineStart = first.indexOf('\n', over - 1);
    const cut = lineStart === -1 ? over : lineStart + 1;
    this.chunks[0] = first.slice(cut);
    this.length -= cut;
  }

  /** What is kept, in pieces of at most `size` characters. */
  pieces(size: number): string[] {
    const text = this.chunks.join('');
    this.chunks = text ? [text] : [];
    const out: string[] = [];
    for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
    return out;
  }

  get size(): number {
    return this.length;
  }
}

import { describe, expect, it } from 'vitest';
import { readEventStream, type StreamEvent } from '../ui/src/lib/event-stream.ts';

/** A body that arrives in the given pieces, as a network would cut it. */
function body(...pieces: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const p of pieces) controller.enqueue(typeof p === 'string' ? encoder.encode(p) : p);
      controller.close();
    },
  });
}

async function read(stream: ReadableStream<Uint8Array>): Promise<StreamEvent[]> {
  const seen: StreamEvent[] = [];
  await readEventStream(stream, (e) => seen.push(e));
  return seen;
}

describe('readEventStream (@aura/ui)', () => {
  it('reads each event with its type and JSON data, in order', async () => {
    expect(
      await read(body('event: token\ndata: {"text":"Port "}\n\nevent: token\ndata: {"text":"22"}\n\nevent: done\ndata: {}\n\n')),
    ).toEqual([
      { event: 'token', data: { text: 'Port ' } },
      { event: 'token', data: { text: '22' } },
      { event: 'done', data: {} },
    ]);
  });

  it('puts events together across any cut, a multi-byte character included', async () => {
    const bytes = new TextEncoder().encode('event: token\ndata: {"text":"ünïcode ✓"}\n\n');
    const cuts = [3, 9, 15, 24, 25, 26, bytes.length - 1];
    const pieces = cuts.map((end, i) => bytes.slice(i ? cuts[i - 1] : 0, end)).concat(bytes.slice(cuts.at(-1)));
    expect(await read(body(...pieces))).toEqual([{ event: 'token', data: { text: 'ünïcode ✓' } }]);
  });

  it('joins data lines, accepts CRLF, passes over comments and other fields, and calls a typeless event message', async () => {
    expect(
      await read(body(': keep-alive\r\n\r\nid: 7\r\nretry: 10\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent:done\ndata:{}\n\n')),
    ).toEqual([
      { event: 'message', data: { a: 1 } },
      { event: 'done', data: {} },
    ]);
  });

  it('reads a last event that the body ends without a blank line after', async () => {
    expect(await read(body('event: error\ndata: {"code":"X","detail":"d"}'))).toEqual([
      { event: 'error', data: { code: 'X', detail: 'd' } },
    ]);
  });

  it('throws on data that is not JSON rather than inventing an event', async () => {
    await expect(read(body('event: token\ndata: {not json}\n\n'))).rejects.toThrow(SyntaxError);
  });
});

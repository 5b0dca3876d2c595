/** One Server-Sent Event: its `event:` type and its `data:` parsed as JSON. */
export interface StreamEvent<T = Record<string, unknown>> {
  event: string;
  data: T;
}

/**
 * Reads a `text/event-stream` body as it arrives, calling `onevent` for each complete event
 * (its lines up to a blank line). Events without `event:` are `message`; `data:` lines of one
 * event are joined with newlines, as the standard says, then parsed as JSON. Comments (`:`)
 * and fields other than event and data are passed over. Resolves when the body ends.
 */
export async function readEventStream(body: ReadableStream<Uint8Array>, onevent: (e: StreamEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const flush = (block: string) => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r\n|\r|\n/)) {
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length) onevent({ event, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
  };
  for (;;) {
    const { done, value } = await reader.read();
    buffer += decoder.decode(value, { stream: !done });
    const blocks = buffer.split(/\r\n\r\n|\n\n|\r\r/);
    // The last piece may be an event still arriving, unless the body has ended.
    buffer = done ? '' : blocks.pop()!;
    blocks.filter((b) => b.trim()).forEach(flush);
    if (done) return;
  }
}

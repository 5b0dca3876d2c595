import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One part of a Gemini content: text, or a call of a function (an agent tool). */
export type GeminiPart = { text: string } | { functionCall: { name: string; args: Record<string, unknown> } };

/** What the fake answers to one request: streamed parts, or an HTTP error as Google sends them. */
export type GeminiReply =
  | {
      parts: GeminiPart[];
      usage?: { input: number; output: number };
      /** Sends every part but the last, then waits for this before the last: a stream caught mid-way. */
      holdBeforeLast?: Promise<unknown>;
    }
  | { status: number; message: string; reason?: string };

interface Content {
  role: string;
  parts: Record<string, unknown>[];
}

export interface GeminiRequest {
  url: string;
  headers: IncomingHttpHeaders;
  /** The body as received, for checks on everything that left Aura. */
  raw: string;
  /** performance.now() when the body had arrived and when the answer was sent: the fake's own time, for the bench. */
  receivedAt: number;
  answeredAt?: number;
  body: {
    contents: Content[];
    systemInstruction?: Content;
    tools?: { functionDeclarations?: { name: string; description?: string; parameters?: unknown }[] }[];
  };
}

export interface FakeGemini {
  /** The baseUrl to give ChatGoogleGenerativeAI. */
  url: string;
  /** Every request, in order. */
  readonly requests: GeminiRequest[];
  /** Queues answers, one per request, in order; a request with none queued gets a 500. */
  reply(...replies: (GeminiReply | ((req: GeminiRequest) => GeminiReply))[]): void;
  /** The names in a request's functionDeclarations. */
  declared(req: GeminiRequest): string[];
  close(): Promise<void>;
}

/**
 * Gemini's rule for function calls: a model turn with N functionCall parts must be followed by
 * one user turn with N functionResponse parts, or the request is refused with this message.
 */
function callsWithoutResponses(contents: Content[]): string | null {
  for (const [i, c] of contents.entries()) {
    const calls = c.parts.filter((p) => 'functionCall' in p).length;
    if (!calls) continue;
    const next = contents[i + 1];
    const responses = next?.parts.filter((p) => 'functionResponse' in p).length ?? 0;
    if (next && responses !== calls)
      return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
  }
  return null;
}

/**
 * A scripted stand-in for Google's Gemini REST API on 127.0.0.1: `POST
 * /v1beta/models/<model>:streamGenerateContent?alt=sse` answered with `data:` lines, one per
 * part, the last carrying the finish reason and the token usage. It records what it received.
 */
export async function startFakeGemini(): Promise<FakeGemini> {
  const requests: GeminiRequest[] = [];
  const queue: (GeminiReply | ((req: GeminiRequest) => GeminiReply))[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (raw += d));
    req.on('end', () => {
      const receivedAt = performance.now();
      const fail = (status: number, message: string, reason = 'INVALID_ARGUMENT') => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: status, message, status: reason } }));
      };
      if (req.method !== 'POST' || !/^\/v1beta\/models\/[^/:]+:streamGenerateContent\?alt=sse$/.test(req.url ?? ''))
        return fail(404, `fake Gemini: no route for ${req.method} ${req.url}`, 'NOT_FOUND');
      let body: GeminiRequest['body'];
      try {
        body = JSON.parse(raw) as GeminiRequest['body'];
      } catch {
        return fail(400, 'Invalid JSON payload received.');
      }
      const request: GeminiRequest = { url: req.url!, headers: req.headers, raw, body, receivedAt };
      res.once('finish', () => (request.answeredAt = performance.now()));
      requests.push(request);
      const refusal = callsWithoutResponses(body.contents ?? []);
      if (refusal) return fail(400, refusal);
      const next = queue.shift();
      if (!next) return fail(500, 'fake Gemini: no reply scripted for this request', 'INTERNAL');
      const reply = typeof next === 'function' ? next(request) : next;
      if ('status' in reply) return fail(reply.status, reply.message, reply.reason);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const usage = reply.usage ?? { input: 10, output: 5 };
      const chunk = (part: GeminiPart, last: boolean) => ({
        candidates: [{ content: { role: 'model', parts: [part] }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 }],
        ...(last
          ? {
              usageMetadata: {
                promptTokenCount: usage.input,
                candidatesTokenCount: usage.output,
                totalTokenCount: usage.input + usage.output,
              },
            }
          : {}),
      });
      const send = (part: GeminiPart, last: boolean) => res.write(`data: ${JSON.stringify(chunk(part, last))}\r\n\r\n`);
      reply.parts.slice(0, -1).forEach((part) => send(part, false));
      void Promise.resolve(reply.holdBeforeLast).then(() => {
        const last = reply.parts.at(-1);
        if (last) send(last, true);
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => void queue.push(...replies),
    declared: (req) => (req.body.tools ?? []).flatMap((t) => (t.functionDeclarations ?? []).map((d) => d.name)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

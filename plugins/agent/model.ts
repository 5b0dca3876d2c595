import type { ToolInfo } from '../../core/index.ts';
import type { Message, ToolCallRecord } from './conversations.ts';

export interface StepResult {
  text: string;
  toolCalls: { id: string; name: string; args: Record<string, unknown> }[];
  signatures: Record<string, string>;
  usage: { input: number; output: number };
}

export interface Gemini {
  /** One model call: streams its text through onText and answers with what it asked for. */
  step(opts: {
    system: string;
    history: Message[];
    tools: ToolInfo[];
    signal: AbortSignal;
    onText(text: string): void;
  }): Promise<StepResult>;
}

/** The key LangChain keeps Gemini's thought signatures under, per tool call id. */
const SIGNATURES = '__gemini_function_call_thought_signatures__';

/** What Gemini's function declarations accept of JSON Schema (its OpenAPI subset); the rest is dropped. */
const SCHEMA_KEYS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'items',
  'minItems',
  'maxItems',
  'properties',
  'required',
  'anyOf',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'default',
]);

export function geminiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(geminiSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'const') out.enum = [value];
    else if (key === 'properties')
      out.properties = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, geminiSchema(v)]));
    else if (SCHEMA_KEYS.has(key)) out[key] = geminiSchema(value);
  }
  return out;
}

type Contents = { role: string; parts: Record<string, unknown>[] }[];

/**
 * Gemini answers a turn of N function calls only with one turn of N function responses;
 * @langchain/google-genai 2.3 sends each ToolMessage as a content of its own, which Gemini
 * refuses ("the number of function response parts is equal to the number of function call
 * parts"). Consecutive user contents holding only function responses are merged back into one.
 */
export function mergeFunctionResponses(contents: Contents): Contents {
  const out: Contents = [];
  const onlyResponses = (c: Contents[number]) => c.role === 'user' && c.parts.every((p) => 'functionResponse' in p);
  for (const c of contents) {
    const prev = out.at(-1);
    if (prev && onlyResponses(prev) && onlyResponses(c)) prev.parts = [...prev.parts, ...c.parts];
    else out.push({ ...c, parts: [...c.parts] });
  }
  return out;
}

/**
 * LangChain and the Gemini client, loaded on the first chat (a dynamic import: hundreds of
 * milliseconds and tens of MB that an Aura nobody chats with never pays).
 */
export function geminiLoader(opts: { model: string; baseUrl: string | null; apiKey: () => string | undefined }) {
  let loaded: Promise<Gemini> | undefined;
  return (): Promise<Gemini> => {
    loaded ??= load(opts).catch((err: unknown) => {
      loaded = undefined;
      throw err;
    });
    return loaded;
  };
}

async function load(opts: { model: string; baseUrl: string | null; apiKey: () => string | undefined }): Promise<Gemini> {
  const [{ ChatGoogleGenerativeAI }, { AIMessage, HumanMessage, SystemMessage, ToolMessage }] = await Promise.all([
    import('@langchain/google-genai'),
    import('@langchain/core/messages'),
  ]);
  type Chunk = Awaited<ReturnType<ReturnType<InstanceType<typeof ChatGoogleGenerativeAI>['bindTools']>['invoke']>>;

  const toLangChain = (m: Message) => {
    if (m.role === 'user') return new HumanMessage(m.text);
    if (m.role === 'assistant')
      return new AIMessage({
        content: m.text,
        tool_calls: m.toolCalls.map((c: ToolCallRecord) => ({
          type: 'tool_call' as const,
          id: c.callId,
          name: c.tool,
          args: c.args,
        })),
        additional_kwargs: { [SIGNATURES]: m.signatures ?? {} },
      });
    return new ToolMessage({
      tool_call_id: m.callId,
      name: m.tool,
      content: m.ok ? (m.result ?? 'null') : JSON.stringify(m.error),
      status: m.ok ? 'success' : 'error',
    });
  };

  return {
    async step({ system, history, tools, signal, onText }) {
      const apiKey = opts.apiKey();
      const chat = new ChatGoogleGenerativeAI({
        model: opts.model,
        apiKey,
        ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
        // A refused or failed call is the user's to retry: a retry would only spend quota.
        maxRetries: 0,
      });
      // The one seam into the wire format (see mergeFunctionResponses); a private member, so checked.
      const client = (
        chat as unknown as { client?: { generateContentStream?: (req: { contents: Contents }, o: unknown) => unknown } }
      ).client;
      if (typeof client?.generateContentStream !== 'function')
        throw new Error('@langchain/google-genai has no client.generateContentStream: check mergeFunctionResponses');
      const send = client.generateContentStream.bind(client);
      client.generateContentStream = (req, o) => send({ ...req, contents: mergeFunctionResponses(req.contents) }, o);

      const declared = tools.map((t) => {
        const parameters = geminiSchema(t.inputSchema) as { properties?: object };
        return {
          type: 'function' as const,
          function: {
            name: t.name,
            description: t.description,
            ...(parameters.properties && Object.keys(parameters.properties).length ? { parameters } : {}),
          },
        };
      });
      const model = declared.length ? chat.bindTools(declared) : chat;
      let full: Chunk | undefined;
      const stream = await model.stream([new SystemMessage(system), ...history.map(toLangChain)], { signal });
      for await (const chunk of stream) {
        const text = typeof chunk.content === 'string' ? chunk.content : chunk.text;
        if (text) onText(text);
        full = full ? full.concat(chunk) : chunk;
      }
      const signatures = (full?.additional_kwargs?.[SIGNATURES] ?? {}) as Record<string, string>;
      return {
        text: full?.text ?? '',
        toolCalls: (full?.tool_calls ?? []).map((c) => ({ id: c.id!, name: c.name, args: c.args as Record<string, unknown> })),
        signatures,
        usage: { input: full?.usage_metadata?.input_tokens ?? 0, output: full?.usage_metadata?.output_tokens ?? 0 },
      };
    },
  };
}

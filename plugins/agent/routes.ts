import { PassThrough } from 'node:stream';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import { routeInput, toErrorBody, type AuraState, type PluginContext, type PluginRouter } from '../../core/index.ts';

type Koa = ParameterizedContext<AuraState>;
import type { AgentConfig } from './config.ts';
import { conversationOfApproval, sizeOf, type Conversation, type Conversations } from './conversations.ts';
import { agentErrors } from './errors.ts';
import type { Limits } from './limits.ts';
import type { Emit, turns } from './turn.ts';

export interface RouteDeps {
  config: AgentConfig;
  conversations: Conversations;
  limits: Limits;
  turns: ReturnType<typeof turns>;
  hosts: PluginContext['hosts'];
  log: PluginContext['log'];
  redact(text: string): string;
  apiKey(): string | undefined;
}

const createBody = z.object({ serverId: z.string().min(1).max(100).optional() }).strict();
const messageBody = z
  .object({ message: z.string().trim().min(1).max(8000), serverId: z.string().min(1).max(100).optional() })
  .strict();
const decisionBody = z.object({ decision: z.enum(['approve', 'reject']) }).strict();

/**
 * The chat's HTTP side. A turn answers as a Server-Sent Events stream: `event: <type>` and one
 * JSON object on its `data:` line, ending after done, error or approval. Everything that can
 * be refused is checked before the stream opens, so a refusal is a plain JSON error.
 */
export function agentRoutes(deps: RouteDeps) {
  const { conversations, limits } = deps;
  /** Conversations with a turn under way: one at a time each. */
  const busy = new Set<string>();

  const requireKey = () => {
    if (!deps.apiKey())
      throw agentErrors.AGENT_NOT_CONFIGURED(
        'Set GEMINI_API_KEY (a key from Google AI Studio) in the environment or .env, and restart Aura.',
      );
  };

  const admit = async (c: Koa, user: string) => {
    try {
      await limits.admit(user);
    } catch (err) {
      const retryAfter = (err as { extra?: { retryAfter?: number } }).extra?.retryAfter;
      if (retryAfter) c.set('Retry-After', String(retryAfter));
      throw err;
    }
  };

  const claim = (conversation: Conversation) => {
    if (busy.has(conversation.id)) throw agentErrors.CONVERSATION_BUSY('A turn of this conversation is under way.');
    busy.add(conversation.id);
  };

  /** Opens the event stream and runs the turn behind it; the client leaving aborts the turn. */
  function stream(c: Koa, conversation: Conversation, work: (signal: AbortSignal, emit: Emit) => Promise<void>) {
    const body = new PassThrough();
    c.status = 200;
    c.set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    c.body = body;
    const gone = new AbortController();
    c.res.once('close', () => gone.abort());
    const emit: Emit = (event, data) => {
      if (!body.writableEnded) body.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    void (async () => {
      try {
        await work(gone.signal, emit);
      } catch (err) {
        if (!gone.signal.aborted) {
          const { body: error, internal } = toErrorBody(err);
          if (internal) deps.log.error({ err }, 'agent turn failed');
          emit('error', { detail: deps.redact(error.detail), code: error.code });
        }
      } finally {
        busy.delete(conversation.id);
        body.end();
      }
    })();
  }

  return {
    /** Reads: open to every signed-in user, each seeing only their own. */
    reads(router: PluginRouter) {
      router.get('/status', (c) => {
        const user = c.state.user!;
        c.body = {
          configured: !!deps.apiKey(),
          model: deps.config.model,
          mayChat: user.role === 'admin' || deps.config.allowViewers,
          limits: { requestsPerMinute: deps.config.requestsPerMinute, dailyTokenBudget: deps.config.dailyTokenBudget },
          today: limits.today(user.username),
        };
      });
      router.get('/usage', (c) => {
        c.body = { dailyTokenBudget: deps.config.dailyTokenBudget, days: limits.days(c.state.user!.username) };
      });
      router.get('/conversations', async (c) => {
        c.body = await conversations.list(c.state.user!.username);
      });
      router.get('/conversations/:id', async (c) => {
        c.body = await conversations.get(c.state.user!.username, c.params.id!);
      });
    },

    /** Changes to the caller's own conversations: viewerRoutes when plugins.agent.allowViewers. */
    chat(router: PluginRouter) {
      const createInput = routeInput({ summary: 'Starts a conversation whose tools act on a server.', body: createBody });
      router.post('/conversations', createInput, async (c) => {
        const { serverId = 'local' } = createInput.body(c);
        deps.hosts.resolve(serverId);
        const conversation = await conversations.create(c.state.user!.username, serverId);
        c.state.audit = { action: 'agent.create', target: conversation.id };
        c.status = 201;
        c.body = { id: conversation.id };
      });

      router.delete('/conversations/:id', async (c) => {
        const user = c.state.user!.username;
        const conversation = await conversations.get(user, c.params.id!);
        if (busy.has(conversation.id)) throw agentErrors.CONVERSATION_BUSY('A turn of this conversation is under way.');
        await conversations.remove(user, conversation.id);
        c.state.audit = { action: 'agent.delete', target: conversation.id };
        c.status = 204;
      });

      const messageInput = routeInput({
        summary: 'Sends a message; the answer streams back as server-sent events.',
        body: messageBody,
      });
      router.post('/conversations/:id/messages', messageInput, async (c) => {
        requireKey();
        const user = c.state.user!;
        const { message, serverId } = messageInput.body(c);
        const conversation = await conversations.get(user.username, c.params.id!);
        if (serverId) conversation.serverId = deps.hosts.resolve(serverId).server.id;
        if (busy.has(conversation.id) || conversation.approval)
          throw agentErrors.CONVERSATION_BUSY(
            conversation.approval
              ? `The conversation waits for your decision on ${conversation.approval.tool}.`
              : 'A turn of this conversation is under way.',
          );
        if (sizeOf(conversation) > deps.config.maxConversationKb * 1024)
          throw agentErrors.CONVERSATION_FULL(`This conversation is over ${deps.config.maxConversationKb} KiB; start a new one.`);
        await admit(c, user.username);
        claim(conversation);
        c.state.audit = { action: 'agent.chat', target: conversation.id };
        stream(c, conversation, (signal, emit) => deps.turns.message(user, conversation, message, signal, emit));
      });

      const decisionInput = routeInput({
        summary: 'Approves or rejects the tool call a turn waits on; the rest streams back.',
        body: decisionBody,
      });
      router.post('/approvals/:approvalId', decisionInput, async (c) => {
        requireKey();
        const user = c.state.user!;
        const { decision } = decisionInput.body(c);
        const approvalId = c.params.approvalId!;
        const notFound = () => agentErrors.APPROVAL_NOT_FOUND(`No approval ${approvalId.slice(0, 80)} waits for you.`);
        const id = conversationOfApproval(approvalId);
        if (!id) throw notFound();
        // Looked up in the caller's own conversations only: someone else's approval is not found.
        const conversation = await conversations.get(user.username, id).catch(() => {
          throw notFound();
        });
        if (conversation.approval?.approvalId !== approvalId || busy.has(conversation.id)) throw notFound();
        await admit(c, user.username);
        claim(conversation);
        const { tool, serverId } = conversation.approval;
        c.state.audit = { action: `agent.${decision}`, target: `${tool}${serverId ? ` on ${serverId}` : ''}` };
        stream(c, conversation, (signal, emit) => deps.turns.decide(user, conversation, decision, signal, emit));
      });
    },
  };
}

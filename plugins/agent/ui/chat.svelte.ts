import { api, apiEvents, failure, type Failure, type StreamEvent } from '@aura/ui';
import type { Conversation, ConversationSummary } from '../conversations.ts';
import { applyEvent, itemsOf, type Item, type PendingApproval } from './thread.ts';

const BASE = '/api/agent';

/**
 * The page's chats: the user's conversation list, the one open, its thread, and the turn under
 * way. A turn's events are shown as they stream; when the stream ends, the stored conversation
 * is read again and replaces them, so what stays on screen is what Aura kept.
 */
export class AgentChat {
  list = $state<ConversationSummary[] | null>(null);
  listError = $state<Failure | null>(null);
  current = $state<Conversation | null>(null);
  openError = $state<Failure | null>(null);
  items = $state<Item[]>([]);
  approval = $state<PendingApproval | null>(null);
  /** A turn (a message or a decision) is streaming. */
  streaming = $state(false);
  /** Why the last turn ended badly: an `error` event, or a refusal before it started. */
  turnError = $state<Failure | null>(null);
  #abort: AbortController | null = null;

  constructor(private readonly onturnend: () => void) {}

  async loadList(): Promise<void> {
    try {
      this.list = await api<ConversationSummary[]>(`${BASE}/conversations`);
      this.listError = null;
    } catch (err) {
      this.listError = failure(err);
    }
  }

  async open(id: string): Promise<void> {
    this.stop();
    this.turnError = null;
    await this.#read(id);
  }

  async #read(id: string): Promise<void> {
    try {
      this.#show(await api<Conversation>(`${BASE}/conversations/${encodeURIComponent(id)}`));
      this.openError = null;
    } catch (err) {
      this.openError = failure(err);
    }
  }

  /** A blank chat: the next message creates the conversation. */
  fresh(): void {
    this.stop();
    this.current = null;
    this.items = [];
    this.approval = null;
    this.turnError = null;
    this.openError = null;
  }

  async remove(id: string): Promise<void> {
    await api(`${BASE}/conversations/${encodeURIComponent(id)}`, { method: 'DELETE' });
    if (this.current?.id === id) this.fresh();
    await this.loadList();
  }

  /** Sends a message; true when Aura took it (the composer may clear), false when it was refused. */
  async send(message: string, serverId: string): Promise<boolean> {
    if (this.streaming) return false;
    this.turnError = null;
    let id = this.current?.id;
    if (!id) {
      try {
        id = (await api<{ id: string }>(`${BASE}/conversations`, { method: 'POST', body: { serverId } })).id;
      } catch (err) {
        this.turnError = failure(err);
        return false;
      }
      this.current = { id, title: message.slice(0, 80), createdAt: '', updatedAt: '', serverId, messages: [], approval: null };
    }
    this.items.push({ kind: 'user', text: message, serverId });
    const body = { message, ...(serverId !== this.current?.serverId ? { serverId } : {}) };
    return this.#turn(`${BASE}/conversations/${encodeURIComponent(id)}/messages`, body, id);
  }

  async decide(decision: 'approve' | 'reject'): Promise<void> {
    const approval = this.approval;
    if (!approval || this.streaming || !this.current) return;
    this.turnError = null;
    await this.#turn(`${BASE}/approvals/${encodeURIComponent(approval.approvalId)}`, { decision }, this.current.id);
  }

  /** Ends the turn under way: Aura stops it, and calls not yet run are answered as interrupted. */
  stop(): void {
    this.#abort?.abort();
  }

  async #turn(path: string, body: unknown, id: string): Promise<boolean> {
    const abort = new AbortController();
    this.#abort = abort;
    this.streaming = true;
    this.approval = null;
    let opened = false;
    try {
      await apiEvents(path, {
        method: 'POST',
        body,
        signal: abort.signal,
        onevent: (e) => {
          opened = true;
          this.#event(e);
        },
      });
      opened = true;
    } catch (err) {
      if (!abort.signal.aborted) this.turnError = failure(err);
    } finally {
      this.streaming = false;
      if (this.#abort === abort) this.#abort = null;
    }
    // What Aura kept replaces what streamed (and drops a message it refused).
    if (this.current?.id === id) await this.#read(id);
    await this.loadList();
    this.onturnend();
    return opened;
  }

  #event(e: StreamEvent): void {
    if (e.event === 'approval') this.approval = e.data as unknown as PendingApproval;
    else if (e.event === 'error') this.turnError = e.data as unknown as Failure;
    applyEvent(this.items, e);
  }

  #show(conversation: Conversation): void {
    this.current = conversation;
    this.items = itemsOf(conversation);
    this.approval = conversation.approval;
  }
}

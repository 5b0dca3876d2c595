import type { StreamEvent } from '@aura/ui';
import type { Approval, Conversation } from '../conversations.ts';

/** Where a tool call is: what its card says. */
export type CallState = 'running' | 'done' | 'failed' | 'rejected' | 'waiting' | 'queued' | 'not-run';

export interface ToolItem {
  kind: 'tool';
  callId: string;
  tool: string;
  serverId: string | null;
  args: Record<string, unknown>;
  state: CallState;
  result?: string;
  error?: { code: string; detail: string };
  approvedBy?: string;
}

/** What the thread shows, in order: the user's messages, the answers, and each tool call as a card. */
export type Item = { kind: 'user'; text: string; serverId: string } | { kind: 'answer'; text: string; live: boolean } | ToolItem;

/** Codes of calls that never ran: the card says why, not "failed". */
const NOT_RUN = new Set(['TOOL_NOT_OFFERED', 'TURN_INTERRUPTED']);

function ended(item: ToolItem, ok: boolean, result?: string, error?: ToolItem['error'], approvedBy?: string): void {
  item.state = ok ? 'done' : error?.code === 'TOOL_REJECTED' ? 'rejected' : NOT_RUN.has(error?.code ?? '') ? 'not-run' : 'failed';
  item.result = result;
  item.error = error;
  item.approvedBy = approvedBy;
}

/** The stored conversation as the thread shows it: the truth after every turn. */
export function itemsOf(conversation: Pick<Conversation, 'messages' | 'approval'>): Item[] {
  const items: Item[] = [];
  const calls = new Map<string, ToolItem>();
  for (const m of conversation.messages) {
    if (m.role === 'user') items.push({ kind: 'user', text: m.text, serverId: m.serverId });
    else if (m.role === 'assistant') {
      if (m.text) items.push({ kind: 'answer', text: m.text, live: false });
      for (const call of m.toolCalls) {
        const item: ToolItem = { kind: 'tool', ...call, state: 'queued' };
        calls.set(call.callId, item);
        items.push(item);
      }
    } else {
      const item = calls.get(m.callId);
      if (item) ended(item, m.ok, m.result, m.error, m.approvedBy);
    }
  }
  const waiting = conversation.approval && calls.get(conversation.approval.callId);
  if (waiting) waiting.state = 'waiting';
  return items;
}

/** What a turn's stream adds to the thread as it arrives; the stored conversation replaces it after. */
export function applyEvent(items: Item[], { event, data }: StreamEvent): void {
  const last = items.at(-1);
  const call = (callId: unknown) => items.find((i): i is ToolItem => i.kind === 'tool' && i.callId === callId);
  /** A call the thread has no card for yet: every call's card appears with its first event. */
  const card = (data: Record<string, unknown>): ToolItem => {
    const found = call(data.callId);
    if (found) return found;
    const item: ToolItem = {
      kind: 'tool',
      callId: String(data.callId),
      tool: String(data.tool),
      serverId: typeof data.serverId === 'string' ? data.serverId : null,
      args: (data.args as Record<string, unknown> | undefined) ?? {},
      state: 'running',
    };
    items.push(item);
    return item;
  };
  if (event === 'token') {
    if (last?.kind === 'answer' && last.live) last.text += String(data.text ?? '');
    else items.push({ kind: 'answer', text: String(data.text ?? ''), live: true });
  } else if (event === 'tool_start') card(data).state = 'running';
  else if (event === 'tool_end')
    ended(card(data), data.ok === true, data.result as string | undefined, data.error as ToolItem['error']);
  if (event !== 'token') for (const i of items) if (i.kind === 'answer') i.live = false;
}

/** The approval an event or a stored conversation holds, as the approval card shows it. */
export type PendingApproval = Pick<Approval, 'approvalId' | 'tool' | 'serverId' | 'args'>;

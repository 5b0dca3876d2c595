import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { agentErrors } from './errors.ts';

export interface ToolCallRecord {
  callId: string;
  tool: string;
  /** The server a host-scoped tool acts on; null for a global plugin's tool. */
  serverId: string | null;
  args: Record<string, unknown>;
}

export type Message =
  | { role: 'user'; text: string; serverId: string; at: string }
  | {
      role: 'assistant';
      text: string;
      toolCalls: ToolCallRecord[];
      /** Gemini's thought signatures per call id: sent back with the calls, as Gemini 3 requires. */
      signatures?: Record<string, string>;
      at: string;
    }
  | {
      role: 'tool';
      callId: string;
      tool: string;
      ok: boolean;
      /** What the model was given: the result as JSON, secrets hidden, cut at maxToolResultKb. */
      result?: string;
      error?: { code: string; detail: string };
      /** Who approved it, for a call that needed approval. */
      approvedBy?: string;
      at: string;
    };

/** A call that waits for its user's decision; the conversation takes nothing else meanwhile. */
export interface Approval extends ToolCallRecord {
  approvalId: string;
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  /** The server the user picked last: tools act there unless the user names another. */
  serverId: string;
  messages: Message[];
  approval: Approval | null;
}

export type ConversationSummary = Pick<Conversation, 'id' | 'title' | 'createdAt' | 'updatedAt' | 'serverId'> & {
  waiting: boolean;
};

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** `<conversation id>.<random>`: the conversation is found from the id, in the asker's own folder only. */
const APPROVAL_ID = /^([0-9a-f-]{36})\.([0-9a-f]{16})$/;

export const newApprovalId = (conversationId: string) => `${conversationId}.${randomUUID().replace(/-/g, '').slice(0, 16)}`;
export const conversationOfApproval = (approvalId: string) => APPROVAL_ID.exec(approvalId)?.[1] ?? null;

/**
 * Each user's conversations, one JSON file each (0600) in a folder per user (0700) under the
 * plugin's data dir. Folders are named by a hash of the username, so nothing a user chose
 * becomes a path. The file is the whole state of a conversation, a waiting approval included,
 * so a restart loses nothing.
 */
export class Conversations {
  constructor(
    private readonly dir: string,
    private readonly maxCount: number,
  ) {}

  private folder(user: string) {
    return path.join(this.dir, createHash('sha256').update(user).digest('hex').slice(0, 32));
  }

  private file(user: string, id: string) {
    if (!ID.test(id)) throw agentErrors.CONVERSATION_NOT_FOUND(`No conversation ${id.slice(0, 60)}.`);
    return path.join(this.folder(user), `${id}.json`);
  }

  async list(user: string): Promise<ConversationSummary[]> {
    let names: string[];
    try {
      names = await readdir(this.folder(user));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const all = await Promise.all(
      names.filter((n) => n.endsWith('.json')).map((n) => this.get(user, n.slice(0, -5)).catch(() => null)),
    );
    return all
      .filter((c): c is Conversation => c !== null)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .map(({ id, title, createdAt, updatedAt, serverId, approval }) => ({
        id,
        title,
        createdAt,
        updatedAt,
        serverId,
        waiting: approval !== null,
      }));
  }

  async get(user: string, id: string): Promise<Conversation> {
    try {
      return JSON.parse(await readFile(this.file(user, id), 'utf8')) as Conversation;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || err instanceof SyntaxError)
        throw agentErrors.CONVERSATION_NOT_FOUND(`No conversation ${id}.`);
      throw err;
    }
  }

  /** A new, empty conversation; past maxConversations the one touched longest ago goes. */
  async create(user: string, serverId: string): Promise<Conversation> {
    const existing = await this.list(user);
    for (const old of existing.slice(this.maxCount - 1)) await this.remove(user, old.id);
    const now = new Date().toISOString();
    const conversation: Conversation = {
      id: randomUUID(),
      title: 'New conversation',
      createdAt: now,
      updatedAt: now,
      serverId,
      messages: [],
      approval: null,
    };
    await this.save(user, conversation);
    return conversation;
  }

  /** Writes it whole: a temporary file renamed over the old one, so a crash leaves one or the other. */
  async save(user: string, conversation: Conversation): Promise<void> {
    conversation.updatedAt = new Date().toISOString();
    const target = this.file(user, conversation.id);
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const tmp = `${target}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(conversation), { mode: 0o600 });
    await rename(tmp, target);
  }

  async remove(user: string, id: string): Promise<void> {
    await this.get(user, id);
    await rm(this.file(user, id), { force: true });
  }
}

/** Its size as stored, for maxConversationKb. */
export const sizeOf = (conversation: Conversation) => Buffer.byteLength(JSON.stringify(conversation));

import { z } from 'zod';

/** plugins.agent: the model, where it is reached, and what one user may spend. */
export const agentConfig = z
  .object({
    /** A Gemini model that calls functions. */
    model: z.string().min(1).default('gemini-2.5-flash'),
    /** null: Google's API. Set it for a Gemini-compatible endpoint or proxy (the tests' fake). */
    baseUrl: z.url().nullable().default(null),
    /** Model calls in one turn, counted again from a decision on an approval. */
    maxSteps: z.number().int().min(1).max(50).default(10),
    /** Chats and decisions one user may send in a minute. */
    requestsPerMinute: z.number().int().min(1).default(10),
    /** Tokens (in + out) one user may use in a day (UTC); the turn under way finishes its step. */
    dailyTokenBudget: z.number().int().min(1).default(500_000),
    /** Conversations kept per user; a new one beyond this removes the one touched longest ago. */
    maxConversations: z.number().int().min(1).max(1000).default(50),
    /** A conversation larger than this takes no new message: start another. */
    maxConversationKb: z.number().int().min(16).default(512),
    /** What a tool result may send the model, in KiB; the rest is cut with a note saying so. */
    maxToolResultKb: z.number().int().min(1).max(1024).default(16),
    /** Let viewers chat, with read-only tools only. Off by default: their chats spend your API quota. */
    allowViewers: z.boolean().default(false),
  })
  .strict();

export type AgentConfig = z.infer<typeof agentConfig>;

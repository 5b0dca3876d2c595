import { defineErrors } from '../../core/index.ts';

/** Every code this plugin answers with (HTTP, or an SSE `error` event), its status and its meaning. */
export const agentErrors = defineErrors({
  AGENT_NOT_CONFIGURED: { status: 503, meaning: 'GEMINI_API_KEY is not set; the agent cannot reach a model.' },
  CONVERSATION_NOT_FOUND: { status: 404, meaning: 'No conversation of yours has this id.' },
  APPROVAL_NOT_FOUND: {
    status: 404,
    meaning: 'No approval waiting for you has this id (decided already, or asked of someone else).',
  },
  CONVERSATION_BUSY: {
    status: 409,
    meaning: 'A turn of this conversation is under way, or it waits for a decision on an approval.',
  },
  CONVERSATION_FULL: { status: 409, meaning: 'The conversation has reached plugins.agent.maxConversationKb; start a new one.' },
  AGENT_RATE_LIMITED: { status: 429, meaning: 'More than plugins.agent.requestsPerMinute chats and decisions in a minute.' },
  AGENT_TOKEN_BUDGET: { status: 429, meaning: "Today's plugins.agent.dailyTokenBudget is spent; it renews at midnight UTC." },
  AGENT_MODEL_ERROR: { status: 502, meaning: 'The model API refused or failed the request; the detail has its message.' },
  AGENT_TOO_MANY_STEPS: { status: 502, meaning: 'The model kept calling tools past plugins.agent.maxSteps in one turn.' },
  TOOL_NOT_OFFERED: {
    status: 403,
    meaning: 'The model called a tool it was not offered (a viewer gets read-only tools only); it did not run.',
  },
  TURN_INTERRUPTED: { status: 409, meaning: 'The turn ended (the client left) before this tool call ran; it did not run.' },
  TOOL_REJECTED: { status: 403, meaning: 'The user rejected this tool call; it did not run.' },
});

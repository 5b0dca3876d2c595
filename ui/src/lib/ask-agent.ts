import { goto } from '$app/navigation';
import { withServer } from './session.ts';
import { pluginStarted } from './signed-in.svelte.ts';

/** A question another view hands to the agent's chat: what to ask, on which server, with what attached. */
export interface AgentQuestion {
  serverId: string;
  /** The question, in the user's words: "Why did web.service fail?" */
  prompt: string;
  /** What the question is about (a unit's journal, a deploy's log), shown with it and sent along. */
  attachment?: { title: string; text: string };
}

const KEY = 'aura.agent.question';
/** What an attachment may add to a message (the agent takes 8000 characters): its newest end. */
export const MAX_ATTACHMENT_CHARS = 6000;

/** Whether views may offer "Explain": the agent plugin runs. */
export const agentAvailable = (): boolean => pluginStarted('agent');

/**
 * Opens the agent's page with a new chat about this question, ready to send: the user sees
 * what will go to the model before it goes. The question travels in sessionStorage (this tab
 * only), not the URL, so a log never lands in the history or a proxy's access log.
 */
export async function askAgent(question: AgentQuestion): Promise<void> {
  const text = question.attachment?.text ?? '';
  const attachment = question.attachment && {
    title: question.attachment.title,
    text: text.length > MAX_ATTACHMENT_CHARS ? `…${text.slice(-MAX_ATTACHMENT_CHARS)}` : text,
  };
  sessionStorage.setItem(KEY, JSON.stringify({ ...question, attachment }));
  await goto(withServer('/p/agent', question.serverId));
}

/** The question handed over, once: the agent's page takes it when it opens. */
export function takeAgentQuestion(): AgentQuestion | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    return raw ? (JSON.parse(raw) as AgentQuestion) : null;
  } catch {
    return null;
  }
}

import path from 'node:path';
import { definePlugin } from '../../core/index.ts';
import { agentConfig } from './config.ts';
import { Conversations } from './conversations.ts';
import { agentErrors } from './errors.ts';
import { Limits } from './limits.ts';
import { geminiLoader } from './model.ts';
import { agentRoutes } from './routes.ts';
import { turns } from './turn.ts';

/**
 * A Gemini chat that acts through every started plugin's agent tools, streams its answer, and
 * asks its user before any call that changes something.
 */
export default definePlugin({
  id: 'agent',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  title: 'Agent',
  description: "A chat that reads and acts on your servers through the plugins' tools, asking before it changes anything.",
  scope: 'global',
  nav: { title: 'Agent', icon: 'chat', order: 90 },
  config: agentConfig,
  secrets: ['GEMINI_API_KEY'],
  errors: agentErrors,
  setup(ctx) {
    const apiKey = () => ctx.secrets.GEMINI_API_KEY || undefined;
    const conversations = new Conversations(path.join(ctx.dataDir, 'conversations'), ctx.config.maxConversations);
    const limits = new Limits(ctx.store, ctx.config);
    // Nothing of LangChain is loaded here: the first chat imports it.
    const gemini = geminiLoader({ model: ctx.config.model, baseUrl: ctx.config.baseUrl, apiKey });
    const engine = turns({
      config: ctx.config,
      tools: ctx.tools,
      hosts: ctx.hosts,
      limits,
      conversations,
      redact: ctx.redact,
      log: ctx.log,
      gemini,
    });
    const routes = agentRoutes({
      config: ctx.config,
      conversations,
      limits,
      turns: engine,
      hosts: ctx.hosts,
      log: ctx.log,
      redact: ctx.redact,
      apiKey,
    });
    return {
      routes(router) {
        routes.reads(router);
        if (!ctx.config.allowViewers) routes.chat(router);
      },
      viewerRoutes: ctx.config.allowViewers ? (router) => routes.chat(router) : undefined,
    };
  },
});

import { definePlugin } from '../../core/index.ts';
import { commandsConfig } from './config.ts';
import { commandsErrors } from './errors.ts';
import { commandsRoutes, commandsRunRoute } from './routes.ts';
import { commandsTools } from './tools.ts';

/** Tools made of configuration alone: a fixed argv with validated parameters, on any server. */
export default definePlugin({
  id: 'commands',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  title: 'Tools',
  description: 'Commands defined in the config, with checked parameters: for people, scripts and the agent.',
  scope: 'host',
  nav: { title: 'Tools', icon: 'tool', order: 32 },
  config: commandsConfig,
  errors: commandsErrors,
  setup(ctx) {
    const known = new Set(ctx.hosts.list().map((s) => s.id));
    ctx.config.tools.forEach((t, i) => {
      const unknown = t.servers?.filter((s) => !known.has(s)) ?? [];
      if (unknown.length)
        throw new Error(`plugins.commands.tools.${i}.servers: no server ${unknown.map((s) => `"${s}"`).join(', ')}`);
    });
    const deps = { tools: ctx.config.tools, maxOutputKb: ctx.config.maxOutputKb };
    return {
      routes: (router) => commandsRoutes(router, deps),
      viewerRoutes: (router) => commandsRunRoute(router, { ...deps, redact: ctx.redact }),
      tools: commandsTools(deps),
    };
  },
});

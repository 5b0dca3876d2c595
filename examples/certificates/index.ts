import { definePlugin } from 'aura/plugin';
import { certificatesConfig } from './config.ts';
import { certificatesErrors } from './errors.ts';
import { certificatesRoutes } from './routes.ts';
import { certificatesTools } from './tools.ts';

/**
 * The plugin, made by a factory so that a test can hand it a clock; Aura loads the default
 * export, which reads the real one.
 */
export function certificatesPlugin(opts: { now?: () => number } = {}) {
  return definePlugin({
    id: 'certificates',
    version: '0.1.0',
    coreVersion: '^0.1.0',
    title: 'Certificates',
    description: 'The TLS certificates on a server, with their names and the days they have left.',
    scope: 'host',
    nav: { title: 'Certificates', icon: 'lock', order: 60 },
    config: certificatesConfig,
    errors: certificatesErrors,
    setup(ctx) {
      const deps = { config: ctx.config, now: opts.now ?? Date.now };
      return {
        routes: (router) => certificatesRoutes(router, deps),
        tools: certificatesTools(deps),
      };
    },
  });
}

export default certificatesPlugin();

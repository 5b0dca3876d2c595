import { definePlugin } from '../../core/index.ts';
import { terminalConfig } from './config.ts';
import { terminalErrors } from './errors.ts';
import { TerminalSessions } from './registry.ts';
import { terminalSockets } from './sockets.ts';

/** A shell on any server in the browser: sessions outlive a reload, output is flow-controlled. */
export default definePlugin({
  id: 'terminal',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  title: 'Terminal',
  description: 'A shell on the server in the browser, which survives a reload and keeps its scrollback.',
  scope: 'host',
  nav: { title: 'Terminal', icon: 'terminal', order: 30 },
  config: terminalConfig,
  errors: terminalErrors,
  setup(ctx) {
    const sessions = new TerminalSessions({
      config: ctx.config,
      hosts: ctx.hosts,
      audit: ctx.audit,
      dataDir: ctx.dataDir,
      signal: ctx.signal,
    });
    return {
      routes: (router) =>
        router.get('/settings', ctx.guards.requireAdmin, (c) => {
          const { shortcuts, detachMinutes, maxSessionsPerUser } = ctx.config;
          c.body = { shortcuts, detachMinutes, maxSessionsPerUser };
        }),
      sockets: (nsp) => terminalSockets(nsp, sessions),
      stop: () => sessions.closeAll(),
    };
  },
});

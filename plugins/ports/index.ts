import { definePlugin } from '../../core/index.ts';
import { portsErrors } from './errors.ts';
import { portsRoutes } from './routes.ts';
import { portsTools } from './tools.ts';

/** The model plugin: one read-only route, one tool, one panel. Copy this folder to start another. */
export default definePlugin({
  id: 'ports',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  title: 'Ports',
  description: 'Which ports a server listens on, and which process owns each.',
  scope: 'host',
  nav: { title: 'Ports', icon: 'plug', order: 50 },
  errors: portsErrors,
  // One closure per running instance: whatever state the plugin needs would live in here.
  setup: () => ({ routes: portsRoutes, tools: portsTools() }),
});

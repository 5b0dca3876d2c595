import { definePlugin } from '../../core/index.ts';
import { DockerClient } from './client.ts';
import { dockerConfig } from './config.ts';
import { dockerErrors } from './errors.ts';
import { LogFollows } from './follows.ts';
import { dockerRoutes } from './routes.ts';
import { dockerSockets } from './sockets.ts';
import { dockerTools } from './tools.ts';

/** Log streams per server: each holds a connection to that server's engine. */
const FOLLOWS_PER_SERVER = 10;

/** A server's Docker containers: list, inspect, start/stop/restart, logs (live too), stats, images. */
export default definePlugin({
  id: 'docker',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  title: 'Docker',
  description: "See and control a server's Docker containers: state, logs, live figures, start, stop and restart.",
  scope: 'host',
  nav: { title: 'Docker', icon: 'docker', order: 20 },
  config: dockerConfig,
  conditions: [
    // Its own client: the check may run before any route asks for the server's engine.
    { check: (host, signal, config) => new DockerClient(host, config.socketPath).unavailableReason(signal) },
  ],
  unavailableError: dockerErrors.DOCKER_UNAVAILABLE,
  readOnlyEvents: ['follow', 'unfollow'],
  errors: dockerErrors,
  setup(ctx) {
    const engines = new Map<string, DockerClient>();
    const engineFor = (serverId: string) => {
      let engine = engines.get(serverId);
      if (!engine) {
        engine = new DockerClient(ctx.hosts.get(serverId), ctx.config.socketPath);
        engines.set(serverId, engine);
      }
      return engine;
    };
    const follows = new LogFollows(FOLLOWS_PER_SERVER);
    return {
      routes: (router) => dockerRoutes(router, engineFor),
      sockets: (nsp) => dockerSockets(nsp, { engineFor, follows, signal: ctx.signal }),
      tools: dockerTools(engineFor),
      stop: () => follows.stopAll(),
    };
  },
});

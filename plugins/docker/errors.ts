import { defineErrors } from '../../core/index.ts';

/** Every code this plugin answers with, its status and its meaning. */
export const dockerErrors = defineErrors({
  INVALID_CONTAINER_ID: {
    status: 400,
    meaning: 'A container id or name is malformed (a letter or digit, then letters, digits and _.-, at most 128).',
  },
  CONTAINER_NOT_FOUND: { status: 404, meaning: 'The Docker engine knows no container by that id or name.' },
  CONTAINER_NOT_RUNNING: { status: 409, meaning: 'The container is not running, so it has no live figures to show.' },
  DOCKER_CONFLICT: { status: 409, meaning: "The engine refused the action in the container's present state." },
  TOO_MANY_FOLLOWS: { status: 429, meaning: 'Too many container logs are followed on that server at once.' },
  DOCKER_ERROR: { status: 502, meaning: 'The Docker engine failed; the detail has the start of its own words.' },
  DOCKER_UNAVAILABLE: {
    status: 503,
    meaning: 'No Docker engine answers at plugins.docker.socketPath on that server; the detail says why.',
  },
  SHUTTING_DOWN: { status: 503, meaning: 'Aura is stopping.' },
});

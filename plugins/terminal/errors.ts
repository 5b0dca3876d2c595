import { defineErrors } from '../../core/index.ts';

/** Every code this plugin answers with, its status and its meaning. */
export const terminalErrors = defineErrors({
  TERMINAL_NOT_FOUND: {
    status: 404,
    meaning: "You have no terminal session by that id on this server (it ended, or it is someone else's).",
  },
  TOO_MANY_TERMINALS: { status: 429, meaning: 'You already have plugins.terminal.maxSessionsPerUser sessions open.' },
  TERMINAL_FAILED: { status: 502, meaning: 'The shell could not be started on the server; the detail says why.' },
  SHUTTING_DOWN: { status: 503, meaning: 'Aura is stopping.' },
});

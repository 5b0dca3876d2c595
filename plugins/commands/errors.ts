import { defineErrors } from '../../core/index.ts';

/** Every code this plugin answers with, besides the core's. */
export const commandsErrors = defineErrors({
  COMMAND_NOT_FOUND: {
    status: 404,
    meaning: 'No tool with that id in plugins.commands.tools, or it is not offered on this server (its `servers`).',
  },
});

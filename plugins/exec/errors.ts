import { defineErrors } from '../../core/index.ts';

/** Every code this plugin answers with, its status and its meaning. */
export const execErrors = defineErrors({
  COMMAND_DENIED: {
    status: 403,
    meaning: 'The command matches a plugins.exec.deny rule, or is not in plugins.exec.allow; nothing ran.',
  },
  COMMAND_TIMEOUT: {
    status: 504,
    meaning: 'The command ran past its timeoutSeconds and was killed with everything it started; the body has the output so far.',
  },
});

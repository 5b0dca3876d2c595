import { createLogger } from '../../core/logger.ts';
import type { PluginContext } from '../../core/index.ts';

/** A logger that writes nowhere, for unit tests of a plugin's parts that take ctx.log. */
export const silentLog = (): PluginContext['log'] => createLogger('silent');

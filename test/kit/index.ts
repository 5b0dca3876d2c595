/** The plugin test kit: scripted hosts and an in-process Aura running just your plugins. */
export { fakeHost, type FakeAnswer, type FakeHost } from './fake-host.ts';
export { startPluginTest, type As, type PluginTest } from './plugin-test.ts';
export { silentLog } from './silent-log.ts';
/** This machine as Aura's `local` server, for plugin tests that need real processes (a pty, a shell). */
export { createLocalHost as realLocalHost } from '../../core/hosts/local.ts';
export { builtInPlugin } from './built-in.ts';
/** Aura's store in a data dir, for tests of what the next start reads from what the last one wrote. */
export { openStore } from '../../core/store.ts';

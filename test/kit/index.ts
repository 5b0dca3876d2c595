/** The plugin test kit: scripted hosts and an in-process Aura running just your plugins. */
export { fakeHost, type FakeAnswer, type FakeHost } from './fake-host.ts';
export { startPluginTest, type As, type PluginTest } from './plugin-test.ts';
export { silentLog } from './silent-log.ts';

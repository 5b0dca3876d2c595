import type { User } from './session.ts';

/**
 * Who is signed in and which plugins run, for views: the shell sets it from its session on
 * every load. Views use it to leave out what the server would refuse (a viewer gets no Restart
 * button) or what is not there (no "Explain" without the agent); the server still decides.
 */
export const signedIn = $state<{ user: User | null; plugins: string[] }>({ user: null, plugins: [] });

export const isAdmin = (): boolean => signedIn.user?.role === 'admin';

/** Whether the plugin `id` is started, so that a view may offer what it does. */
export const pluginStarted = (id: string): boolean => signedIn.plugins.includes(id);

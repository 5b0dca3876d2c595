import type { User } from './session.ts';

/**
 * Who is signed in, for views: the shell sets it from its session on every load. Views use it
 * to leave out what the server would refuse (a viewer gets no Restart button); the server
 * still decides.
 */
export const signedIn = $state<{ user: User | null }>({ user: null });

export const isAdmin = (): boolean => signedIn.user?.role === 'admin';

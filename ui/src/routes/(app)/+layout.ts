import { redirect } from '@sveltejs/kit';
import { failure, fetchAvailability, fetchSession, lastServer, type Availability, type Failure } from '$lib/session.ts';
import { signedIn } from '$lib/signed-in.svelte.ts';
import type { LayoutLoad } from './$types';

/** What the last load got, so the shell can stay up (and say why) while Aura does not answer. */
let previous: {
  session: NonNullable<Awaited<ReturnType<typeof fetchSession>>>;
  availability: Map<string, Record<string, Availability>>;
} | null = null;

/**
 * The shell's data: who is signed in, the plugins and servers, and which plugins work on the
 * selected server. The URL names that server (`/s/<server>/…` or `?server=`); pages whose URL
 * names none get the one chosen last. Runs on every navigation: when Aura cannot be reached (or
 * fails), the shell keeps what it had and shows `loadError` in place of the page.
 */
export const load: LayoutLoad = async ({ fetch, params, url, untrack }) => {
  void url.pathname; // asked again on each navigation, so navigating while Aura is down says so
  let loadError: Failure | null = null;
  let session;
  try {
    session = await fetchSession(fetch);
  } catch (err) {
    if (!previous) throw err;
    loadError = failure(err);
    session = previous.session;
  }
  if (!session) redirect(307, `/login?next=${encodeURIComponent(untrack(() => url.pathname + url.search))}`);
  signedIn.user = session.user;
  signedIn.plugins = session.plugins.filter((p) => p.state === 'started').map((p) => p.id);
  const known = (id: string | null | undefined) => (session.servers.some((s) => s.id === id) ? id! : undefined);
  const serverId =
    params.server ?? url.searchParams.get('server') ?? known(lastServer.get()) ?? session.servers[0]?.id ?? 'local';
  const server = session.servers.find((s) => s.id === serverId);
  if (server) lastServer.set(server.id);

  const cache = previous?.availability ?? new Map<string, Record<string, Availability>>();
  let available: { availability: Record<string, Availability>; serverError: Failure | null } | null = null;
  if (!loadError) {
    try {
      available = await fetchAvailability(fetch, serverId);
      cache.set(serverId, available.availability);
    } catch (err) {
      loadError = failure(err);
    }
  }
  previous = { session, availability: cache };
  return {
    ...session,
    serverId,
    server,
    loadError,
    ...(available ?? { availability: cache.get(serverId) ?? {}, serverError: null }),
  };
};

import { redirect } from '@sveltejs/kit';
import { fetchAvailability, fetchSession } from '$lib/session.ts';
import type { LayoutLoad } from './$types';

/** The server chosen last, for the pages whose URL names none (home, tokens, global pages). */
let lastServer: string | undefined;

/**
 * The shell's data: who is signed in, the plugins and servers, and which plugins work on the
 * selected server. Runs again when the selected server changes (its URL param or ?server=).
 */
export const load: LayoutLoad = async ({ fetch, params, url, untrack }) => {
  const session = await fetchSession(fetch);
  if (!session) redirect(307, `/login?next=${encodeURIComponent(untrack(() => url.pathname + url.search))}`);
  const serverId = params.server ?? url.searchParams.get('server') ?? lastServer ?? session.servers[0]?.id ?? 'local';
  const server = session.servers.find((s) => s.id === serverId);
  if (server) lastServer = server.id;
  return { ...session, serverId, server, ...(await fetchAvailability(fetch, serverId)) };
};

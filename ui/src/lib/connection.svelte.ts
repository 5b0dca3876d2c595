/**
 * The one connection status. `online` is the heartbeat's answer (GET /api/health); `lost`
 * counts plugin sockets that dropped; `since` is when Aura stopped answering (null while it
 * answers). Views disable their actions while `online` is false; the shell shows a banner.
 */
export const connection = $state<{ online: boolean; since: number | null; lost: number }>({
  online: true,
  since: null,
  lost: 0,
});

const EVERY_MS = 5_000;
/** While down, ask more often: the page comes back soon after Aura does. */
const EVERY_OFFLINE_MS = 2_000;
const TIMEOUT_MS = 4_000;

let timer: ReturnType<typeof setTimeout> | undefined;
let running = false;
let inFlight: Promise<void> | null = null;

async function beat(): Promise<void> {
  let ok: boolean;
  try {
    const res = await fetch('/api/health', { cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) });
    ok = res.ok;
  } catch {
    ok = false;
  }
  if (ok !== connection.online) {
    connection.online = ok;
    connection.since = ok ? null : Date.now();
  }
}

function schedule(): void {
  clearTimeout(timer);
  if (running) timer = setTimeout(() => void checkNow(), connection.online ? EVERY_MS : EVERY_OFFLINE_MS);
}

/** Asks Aura now (a socket dropped, a request failed); calls made meanwhile share one request. */
export function checkNow(): Promise<void> {
  inFlight ??= beat().finally(() => {
    inFlight = null;
    schedule();
  });
  return inFlight;
}

/** Started by the shell while it is mounted; returns the stop. */
export function startHeartbeat(): () => void {
  running = true;
  void checkNow();
  return () => {
    running = false;
    clearTimeout(timer);
  };
}

import { api } from './api.ts';

export interface ServerStatus {
  reachable: boolean;
  detail: string | null;
}

/** Whether each server answered its last check (GET /api/servers/:id/status), by id. */
export const serverStatus = $state<Record<string, ServerStatus | undefined>>({});

/** Checks every server at once; each answer shows as it comes (a dead SSH server takes ~5 s). */
export function checkServers(ids: string[]): void {
  for (const id of ids) {
    api<ServerStatus>(`/api/servers/${encodeURIComponent(id)}/status`).then(
      (s) => (serverStatus[id] = s),
      () => undefined, // Aura itself is down: the connection banner says so, not every server
    );
  }
}

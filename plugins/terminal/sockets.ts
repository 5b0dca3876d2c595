import type { Namespace } from 'socket.io';
import { z } from 'zod';
import { socketHandler, type PluginSocket } from '../../core/index.ts';
import type { TerminalSessions } from './registry.ts';
import type { Page } from './session.ts';

const size = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };
const sessionId = z.string().uuid();
const openPayload = z.object(size).strict();
const idPayload = z.object({ sessionId }).strict();
const inputPayload = z
  .object({
    sessionId,
    data: z
      .string()
      .min(1)
      .max(256 * 1024),
  })
  .strict();
const resizePayload = z.object({ sessionId, ...size }).strict();
const ackPayload = z.object({ sessionId, chars: z.number().int().min(0).max(1e9) }).strict();

/** A socket as the page a session shows on. */
function pageOf(socket: PluginSocket, sessionId: string): Page {
  return {
    id: socket.id,
    output: (data) => socket.emit('output', { sessionId, data }),
    exit: (exitCode) => socket.emit('exit', { sessionId, exitCode }),
    detached: () => socket.emit('detached', { sessionId }),
  };
}

/**
 * The `/terminal` namespace: `open`, `attach`, `input`, `resize`, `ack`, `close`, `list`;
 * the server pushes `output`, `exit` and `detached` (another page took the session). All of
 * it is for admins: the core refuses a viewer's every event.
 */
export function terminalSockets(nsp: Namespace, sessions: TerminalSessions): void {
  nsp.on('connection', (raw) => {
    const socket = raw as unknown as PluginSocket;
    const serverId = socket.data.server!.id;
    const user = () => socket.data.user.username;
    const mine = (id: string) => sessions.find(user(), serverId, id);

    socket.on(
      'open',
      socketHandler(openPayload, async (req) => {
        const session = await sessions.open(user(), serverId, req, (id) => pageOf(socket, id));
        // The socket may have gone while the shell started: the session then waits, detached.
        if (socket.disconnected) sessions.detachPage(socket.id);
        return { sessionId: session.id };
      }),
    );
    socket.on(
      'attach',
      socketHandler(idPayload, async (req) => {
        await sessions.attach(mine(req.sessionId), pageOf(socket, req.sessionId));
        return { sessionId: req.sessionId };
      }),
    );
    socket.on(
      'input',
      socketHandler(inputPayload, (req) => void mine(req.sessionId).input(req.data)),
    );
    socket.on(
      'resize',
      socketHandler(resizePayload, (req) => {
        mine(req.sessionId).resize(req.cols, req.rows);
        return req;
      }),
    );
    socket.on(
      'ack',
      socketHandler(ackPayload, (req) => void mine(req.sessionId).ack(socket.id, req.chars)),
    );
    socket.on(
      'close',
      socketHandler(idPayload, async (req) => {
        await sessions.close(mine(req.sessionId));
        return { sessionId: req.sessionId };
      }),
    );
    socket.on(
      'list',
      socketHandler(z.undefined(), () => sessions.list(user(), serverId)),
    );
    socket.on('disconnect', () => sessions.detachPage(socket.id));
  });
}

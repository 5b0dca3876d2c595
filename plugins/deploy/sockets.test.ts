import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { expect, it } from 'vitest';
import { openStore } from '../../test/kit/index.ts';
import { RunHistory } from './runs.ts';
import { deploySockets } from './sockets.ts';

it('sends a run that has ended, while its log file is still being written, whole and then its status', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aura-deploy-sockets-'));
  const http = createServer();
  const server = new Server(http);
  try {
    const history = new RunHistory((await openStore(dataDir)).slice('deploy'), dataDir, 50, (t) => t);
    const run = history.start({ serverId: 'local', app: 'site', trigger: 'manual', user: 'admin' });
    run.print('build', 'stdout', 'one');
    run.print('build', 'stdout', 'two');
    // Ended, and still held in memory: `history.finished()` lets it go only once its file has every line.
    run.setStatus('succeeded');
    const nsp = server.of('/deploy');
    nsp.use((socket, next) => {
      socket.data.server = { id: 'local' };
      next();
    });
    deploySockets(nsp, history);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const client = io(`http://127.0.0.1:${(http.address() as AddressInfo).port}/deploy`, { transports: ['websocket'] });
    try {
      const lines: string[] = [];
      client.on('line', (line: { text: string }) => lines.push(line.text));
      const status = new Promise((resolve) => client.once('status', resolve));
      const ack: unknown = await client.emitWithAck('watch', { runId: run.record.id });
      expect(ack).toMatchObject({ runId: run.record.id, status: 'succeeded' });
      expect(await status).toEqual({ runId: run.record.id, status: 'succeeded' });
      expect(lines).toEqual(['one', 'two']);
    } finally {
      client.close();
    }
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

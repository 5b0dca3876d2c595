import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from './client.ts';
import { dockerErrors } from './errors.ts';
import { LogFollows, type Listener } from './follows.ts';
import type { LogLine } from './logs.ts';

/** An engine whose log streams the test writes to and breaks itself. */
function scriptedEngine() {
  const streams: PassThrough[] = [];
  let refuse: Error | undefined;
  const engine = {
    host: { id: 'box' },
    use: async () => {
      if (refuse) throw refuse;
      const stream = new PassThrough();
      streams.push(stream);
      return { stream, tty: true };
    },
    explain: (err: unknown) => err,
  } as unknown as DockerClient;
  return { engine, streams, refuseWith: (err: Error | undefined) => void (refuse = err) };
}

function watcher() {
  const heard = { lines: [] as LogLine[], ended: 0, errors: [] as unknown[] };
  const listener: Listener = {
    line: (l) => heard.lines.push(l),
    end: () => heard.ended++,
    error: (err) => heard.errors.push(err),
  };
  return { listener, heard };
}

const line = (text: string) => `2026-11-22T08:30:04Z ${text}\n`;

describe('LogFollows', () => {
  it('shares one stream among watchers, and closes it when the last one leaves', async () => {
    const { engine, streams } = scriptedEngine();
    const follows = new LogFollows(3);
    const a = watcher();
    const b = watcher();
    const leaveA = await follows.join('box', engine, 'web', a.listener);
    const leaveB = await follows.join('box', engine, 'web', b.listener);
    expect(streams).toHaveLength(1);
    streams[0]!.write(line('hello'));
    await expect.poll(() => b.heard.lines.map((l) => l.text)).toEqual(['hello']);
    expect(a.heard.lines.map((l) => l.text)).toEqual(['hello']);
    leaveA();
    expect(streams[0]!.destroyed).toBe(false);
    leaveB();
    expect(streams[0]!.destroyed).toBe(true);
    await follows.stopAll();
    expect(a.heard.ended + b.heard.ended).toBe(0); // left, not ended
  });

  it("tells every watcher of the container's end, and starts afresh after it", async () => {
    const { engine, streams } = scriptedEngine();
    const follows = new LogFollows(3);
    const a = watcher();
    await follows.join('box', engine, 'web', a.listener);
    streams[0]!.end(line('last words'));
    await expect.poll(() => a.heard.ended).toBe(1);
    expect(a.heard.lines.map((l) => l.text)).toEqual(['last words']);
    await follows.join('box', engine, 'web', watcher().listener);
    expect(streams).toHaveLength(2);
    await follows.stopAll();
  });

  it('reports a stream that breaks off to its watchers, and one that cannot open to the joiner only', async () => {
    const { engine, streams, refuseWith } = scriptedEngine();
    const follows = new LogFollows(3);
    const a = watcher();
    await follows.join('box', engine, 'web', a.listener);
    streams[0]!.destroy(new Error('connection lost'));
    await expect.poll(() => a.heard.errors.length).toBe(1);
    expect(a.heard.ended).toBe(0);

    refuseWith(dockerErrors.CONTAINER_NOT_FOUND('No container "gone" on box.'));
    const b = watcher();
    await expect(follows.join('box', engine, 'gone', b.listener)).rejects.toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
    expect(b.heard.errors).toEqual([]);
    await follows.stopAll();
  });

  it('runs at most so many streams per server', async () => {
    const { engine } = scriptedEngine();
    const follows = new LogFollows(2);
    await follows.join('box', engine, 'one', watcher().listener);
    await follows.join('box', engine, 'two', watcher().listener);
    await expect(follows.join('box', engine, 'three', watcher().listener)).rejects.toMatchObject({ code: 'TOO_MANY_FOLLOWS' });
    await follows.join('other', engine, 'three', watcher().listener); // another server has its own
    await follows.stopAll();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../test/kit/index.ts';
import { RunHistory } from './runs.ts';

describe('run history across an Aura that was killed', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('marks the runs it left going interrupted at the next start, with the step under way', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aura-runs-'));
    dirs.push(dataDir);
    const before = new RunHistory((await openStore(dataDir)).slice('deploy'), dataDir, 50, (t) => t);
    const done = before.start({ serverId: 'local', app: 'done', trigger: 'manual', user: 'admin' });
    done.endStep(done.startStep('check'), 'succeeded');
    done.setStatus('succeeded');
    const cut = before.start({ serverId: 'local', app: 'site', trigger: 'manual', user: 'admin' });
    cut.setStatus('running');
    cut.endStep(cut.startStep('check'), 'succeeded');
    cut.startStep('build');
    // What the killed process managed to write is what the next one reads.
    await expect
      .poll(async () => (await openStore(dataDir)).slice<{ runs: { status: string }[] }>('deploy').read()?.runs)
      .toHaveLength(2);
    await expect
      .poll(async () => JSON.stringify((await openStore(dataDir)).slice('deploy').read()))
      .toContain('"name":"build","status":"running"');

    const after = new RunHistory((await openStore(dataDir)).slice('deploy'), dataDir, 50, (t) => t);
    await after.markInterrupted();
    const [site, other] = after.list('local');
    expect(site).toMatchObject({ app: 'site', status: 'interrupted', reason: 'Aura stopped during the run.' });
    expect(site!.finishedAt).not.toBeNull();
    expect(site!.steps.map((s) => [s.name, s.status])).toEqual([
      ['check', 'succeeded'],
      ['build', 'interrupted'],
    ]);
    expect(other).toMatchObject({ app: 'done', status: 'succeeded', steps: [{ name: 'check', status: 'succeeded' }] });
  });
});

describe('a run that has just ended', () => {
  it('is read whole at once, before its log file has every line, and only then from the file', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aura-runs-'));
    try {
      const history = new RunHistory((await openStore(dataDir)).slice('deploy'), dataDir, 50, (t) => t);
      const run = history.start({ serverId: 'local', app: 'site', trigger: 'manual', user: 'admin' });
      for (let i = 0; i < 200; i++) run.print('build', 'stdout', `line ${i}`);
      run.setStatus('succeeded');
      history.finished(run);
      // At once, as a client polling for the final status reads it.
      expect(history.get('local', run.record.id)?.log).toHaveLength(200);
      // A finished run is not the app's run under way: a new deploy may start.
      expect(history.active('local', 'site')).toBeUndefined();
      await run.written;
      await expect.poll(() => history.liveRun(run.record.id)).toBeUndefined();
      expect(history.get('local', run.record.id)?.log).toHaveLength(200);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

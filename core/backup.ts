import { execFile } from 'node:child_process';
import { chmod, chown, cp, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The store slice that holds sign-in sessions: not kept in a backup, so a restore signs everyone out. */
const SESSIONS_SLICE = 'core.sessions';

/**
 * Writes the data dir to `file` (a gzipped tar, 0600: it holds token hashes and secrets). The
 * dir is first copied aside, so the archive is one moment's state even while Aura runs and
 * writes: the store is replaced whole by each write (rename), and the audit only grows. Sign-in
 * sessions are left out of the copy's store; everything else (audit, tokens, plugins' data,
 * the admin password's hash, the generated session secret) is kept.
 */
export async function backupDataDir(dataDir: string, file: string): Promise<{ files: number }> {
  const staging = await mkdtemp(path.join(path.dirname(path.resolve(file)), '.aura-backup-'));
  try {
    const copy = path.join(staging, 'data');
    await cp(dataDir, copy, { recursive: true, preserveTimestamps: true });
    const store = path.join(copy, 'store.json');
    const data = await readFile(store, 'utf8').then(
      (text) => JSON.parse(text) as { slices?: Record<string, unknown> },
      () => null,
    );
    if (data?.slices) {
      delete data.slices[SESSIONS_SLICE];
      await writeFile(store, JSON.stringify(data, null, 2), { mode: 0o600 });
    }
    const tmp = `${file}.tmp`;
    await run('tar', ['-czf', tmp, '-C', copy, '.']);
    await chmod(tmp, 0o600);
    await rename(tmp, file);
    return { files: (await readdir(copy, { recursive: true })).length };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Replaces the data dir with the backup's contents. The archive is unpacked and checked beside
 * the data dir first; the old dir is kept as `<dataDir>.before-restore-<time>` (nothing is
 * lost), then the new one takes its place with the old one's owner and mode. Aura must not be
 * running on it: the caller checks.
 */
export async function restoreDataDir(file: string, dataDir: string, now = new Date()): Promise<{ keptAt: string | null }> {
  const dir = path.resolve(dataDir);
  const unpacked = await mkdtemp(path.join(path.dirname(dir), '.aura-restore-'));
  try {
    await run('tar', ['-xzf', path.resolve(file), '-C', unpacked, '--no-same-owner', '--no-same-permissions']);
    const store = await readFile(path.join(unpacked, 'store.json'), 'utf8').catch(() => {
      throw new Error(`${file} is not an Aura backup: it has no store.json.`);
    });
    JSON.parse(store); // a damaged archive stops here, before the data dir is touched
    const before = await stat(dir).catch(() => null);
    // Everything private, as Aura makes it; owned by whoever owned the old dir (Aura's user).
    for (const entry of await readdir(unpacked, { recursive: true, withFileTypes: true })) {
      const p = path.join(entry.parentPath, entry.name);
      await chmod(p, entry.isDirectory() ? 0o700 : 0o600);
      if (before) await chown(p, before.uid, before.gid);
    }
    await chmod(unpacked, 0o700);
    if (before) await chown(unpacked, before.uid, before.gid);
    const keptAt = before ? `${dir}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}` : null;
    if (keptAt) await rename(dir, keptAt);
    await rename(unpacked, dir);
    return { keptAt };
  } catch (err) {
    await rm(unpacked, { recursive: true, force: true });
    throw err;
  }
}

import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';

/** A plugin's own corner of the store; it cannot see anyone else's. */
export interface StoreSlice<T = unknown> {
  read(): T | undefined;
  /** Applies fn to the current value and writes the result to disk (atomically, one writer). */
  update(fn: (current: T | undefined) => T | undefined): Promise<T | undefined>;
}

interface StoreData {
  slices: Record<string, unknown>;
}

export interface Store {
  slice<T>(name: string): StoreSlice<T>;
  /** Resolves once every write asked for so far has finished (or failed). */
  settled(): Promise<void>;
}

/**
 * The data dir holds sessions, token hashes and the audit log: only Aura's user may enter it.
 * One made looser by hand is tightened, and the caller is told (to warn).
 */
export function privateDataDir(dir: string): { tightenedFrom?: number } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return {};
  chmodSync(dir, mode & 0o700);
  return { tightenedFrom: mode };
}

/** lowdb's JSON file, written 0600 through a temporary file and a rename (lowdb's own uses 0644). */
class PrivateJsonFile<T> implements Adapter<T> {
  constructor(private readonly file: string) {}

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async write(data: T): Promise<void> {
    const tmp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.tmp`);
    await writeFile(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
    await chmod(tmp, 0o600); // a file left by an older version may be looser
    await rename(tmp, this.file);
  }
}

/** Small state for the core and the plugins, as one lowdb JSON file in the data dir. */
export async function openStore(dataDir: string): Promise<Store> {
  mkdirSync(dataDir, { recursive: true });
  // Not lowdb's JSONFilePreset: under NODE_ENV=test it silently keeps everything in memory.
  const db = new Low<StoreData>(new PrivateJsonFile(path.join(dataDir, 'store.json')), { slices: {} });
  await db.read();
  db.data.slices ??= {};
  let writes = Promise.resolve();
  return {
    settled: () => writes,
    slice<T>(name: string): StoreSlice<T> {
      return {
        read: () => structuredClone(db.data.slices[name]) as T | undefined,
        update(fn) {
          const next = fn(structuredClone(db.data.slices[name]) as T | undefined);
          if (next === undefined) delete db.data.slices[name];
          else db.data.slices[name] = structuredClone(next);
          const written = writes.then(() => db.write());
          writes = written.catch(() => undefined); // one failed write must not stop the next ones
          return written.then(() => next);
        },
      };
    },
  };
}

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';

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
}

/** Small state for the core and the plugins, as one lowdb JSON file in the data dir. */
export async function openStore(dataDir: string): Promise<Store> {
  mkdirSync(dataDir, { recursive: true });
  // Not lowdb's JSONFilePreset: under NODE_ENV=test it silently keeps everything in memory.
  const db = new Low<StoreData>(new JSONFile(path.join(dataDir, 'store.json')), { slices: {} });
  await db.read();
  db.data.slices ??= {};
  let writes = Promise.resolve();
  return {
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

import { createHash, randomBytes } from 'node:crypto';
import type { Store, StoreSlice } from './store.ts';

export type Role = 'admin' | 'viewer';

export interface AuraUser {
  /** The local admin's name, or a Google account's email address. */
  username: string;
  role: Role;
  provider?: 'local' | 'google';
}

/** A cookie session for the browser, or a bearer token for API clients. */
export type SessionKind = 'cookie' | 'bearer';

interface SessionRecord {
  user: AuraUser;
  /** The hashed id of the session this one belongs to: ending that one ends this one. */
  linkedTo?: string;
  kind: SessionKind;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
  bearerMs: number;
}

/** lastSeenAt is written to disk at most this often per session; it lives in memory in between. */
const PERSIST_EVERY_MS = 60_000;

const hashId = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * Server-side sessions with random 256-bit ids. Only the ids' hashes are stored, so the
 * data dir does not hold live credentials. The same lookup serves HTTP and socket handshakes.
 */
export class Sessions {
  private readonly slice: StoreSlice<Record<string, SessionRecord>>;
  private readonly records: Map<string, SessionRecord>;

  constructor(
    store: Store,
    private readonly limits: SessionLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.slice = store.slice('core.sessions');
    this.records = new Map(Object.entries(this.slice.read() ?? {}));
  }

  async create(user: AuraUser, kind: SessionKind, linkedTo?: string): Promise<{ id: string; expiresAt: number }> {
    const id = randomBytes(32).toString('base64url');
    const t = this.now();
    const lifetime = kind === 'bearer' ? this.limits.bearerMs : this.limits.absoluteMs;
    const record: SessionRecord = {
      user,
      kind,
      createdAt: t,
      lastSeenAt: t,
      expiresAt: t + lifetime,
      ...(linkedTo ? { linkedTo: hashId(linkedTo) } : {}),
    };
    for (const [key, r] of this.records) if (this.expired(r, t)) this.records.delete(key);
    this.records.set(hashId(id), record);
    await this.persist();
    return { id, expiresAt: record.expiresAt };
  }

  /** The session's user if the id is live for that kind; expired sessions are dropped. */
  lookup(id: string | undefined, kind: SessionKind): AuraUser | undefined {
    if (!id) return undefined;
    const key = hashId(id);
    const record = this.records.get(key);
    if (!record || record.kind !== kind) return undefined;
    const t = this.now();
    if (this.expired(record, t)) {
      this.records.delete(key);
      this.persistLater();
      return undefined;
    }
    const stale = t - record.lastSeenAt > PERSIST_EVERY_MS;
    record.lastSeenAt = t;
    if (stale) this.persistLater();
    return record.user;
  }

  async destroy(id: string | undefined): Promise<void> {
    if (!id) return;
    const key = hashId(id);
    let changed = this.records.delete(key);
    for (const [k, r] of this.records) if (r.linkedTo === key) changed = this.records.delete(k) || changed;
    if (changed) await this.persist();
  }

  private expired(r: SessionRecord, t: number): boolean {
    return (r.kind === 'cookie' && t - r.lastSeenAt > this.limits.idleMs) || t >= r.expiresAt;
  }

  /** Lookups must not wait for the disk; the next awaited write reports a failing disk. */
  private persistLater(): void {
    this.persist().catch(() => undefined);
  }

  private persist(): Promise<unknown> {
    return this.slice.update(() => Object.fromEntries(this.records));
  }
}

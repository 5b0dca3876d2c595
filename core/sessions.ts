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

/**
 * The generation of the credential a user signs in with ('' when there is none to track):
 * sessions made under one generation end when it changes. The local admin's changes with the
 * admin password (see credentialEpoch in secrets.ts).
 */
export type CredentialEpoch = (user: AuraUser) => string;

/** Whether two users are the same person (the role may have changed since). */
export const sameUser = (a: AuraUser, b: AuraUser) =>
  a.username === b.username && (a.provider ?? 'local') === (b.provider ?? 'local');

interface SessionRecord {
  user: AuraUser;
  /** The credential generation the session was made under; absent when there was none. */
  epoch?: string;
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
  private epochOf: CredentialEpoch = () => '';

  constructor(
    store: Store,
    private readonly limits: SessionLimits,
    /** The clock sessions expire by (tests move it); sign-in throttling goes by it too. */
    readonly now: () => number = Date.now,
  ) {
    this.slice = store.slice('core.sessions');
    this.records = new Map(Object.entries(this.slice.read() ?? {}));
  }

  /** From now on a session lives only while its user's credential generation is the one it was made under. */
  bindCredentials(epochOf: CredentialEpoch): void {
    this.epochOf = epochOf;
  }

  async create(user: AuraUser, kind: SessionKind, linkedTo?: string): Promise<{ id: string; expiresAt: number }> {
    const id = randomBytes(32).toString('base64url');
    const t = this.now();
    const lifetime = kind === 'bearer' ? this.limits.bearerMs : this.limits.absoluteMs;
    const epoch = this.epochOf(user);
    const record: SessionRecord = {
      user,
      kind,
      createdAt: t,
      lastSeenAt: t,
      expiresAt: t + lifetime,
      ...(epoch ? { epoch } : {}),
      ...(linkedTo ? { linkedTo: hashId(linkedTo) } : {}),
    };
    for (const [key, r] of this.records) if (this.over(r, t)) this.records.delete(key);
    this.records.set(hashId(id), record);
    await this.persist();
    return { id, expiresAt: record.expiresAt };
  }

  /** The session's user if the id is live for that kind; sessions that are over are dropped. */
  lookup(id: string | undefined, kind: SessionKind): AuraUser | undefined {
    return this.find(id, kind)?.user;
  }

  /** The live session with this id and kind: its user, and when it ends at the latest. */
  find(id: string | undefined, kind: SessionKind): { user: AuraUser; expiresAt: number } | undefined {
    if (!id) return undefined;
    const key = hashId(id);
    const record = this.records.get(key);
    if (!record || record.kind !== kind) return undefined;
    const t = this.now();
    if (this.over(record, t)) {
      this.records.delete(key);
      this.persistLater();
      return undefined;
    }
    const stale = t - record.lastSeenAt > PERSIST_EVERY_MS;
    record.lastSeenAt = t;
    if (stale) this.persistLater();
    return { user: record.user, expiresAt: record.expiresAt };
  }

  async destroy(id: string | undefined): Promise<void> {
    if (!id) return;
    const key = hashId(id);
    let changed = this.records.delete(key);
    for (const [k, r] of this.records) if (r.linkedTo === key) changed = this.records.delete(k) || changed;
    if (changed) await this.persist();
  }

  /** Ends every session of this user, browser and bearer alike ("sign out everywhere"); how many were live. */
  async destroyAllOf(user: AuraUser): Promise<number> {
    const t = this.now();
    let live = 0;
    for (const [key, r] of this.records)
      if (sameUser(r.user, user)) {
        if (!this.over(r, t)) live++;
        this.records.delete(key);
      }
    await this.persist();
    return live;
  }

  /** Expired, idle too long, or made under a credential that has changed since. */
  private over(r: SessionRecord, t: number): boolean {
    return (
      (r.kind === 'cookie' && t - r.lastSeenAt > this.limits.idleMs) ||
      t >= r.expiresAt ||
      (r.epoch ?? '') !== this.epochOf(r.user)
    );
  }

  /** Lookups must not wait for the disk; the next awaited write reports a failing disk. */
  private persistLater(): void {
    this.persist().catch(() => undefined);
  }

  private persist(): Promise<unknown> {
    return this.slice.update(() => Object.fromEntries(this.records));
  }
}

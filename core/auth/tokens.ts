import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuraUser, CredentialEpoch } from '../sessions.ts';
import type { Store, StoreSlice } from '../store.ts';

interface TokenRecord {
  id: string;
  name: string;
  /** Whose token it is; it acts with that user's current role. */
  owner: AuraUser;
  hash: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  /** The owner's credential generation when it was made (see CredentialEpoch); absent: none. */
  epoch?: string;
  /** The API token it was made with: revoking that one revokes this one. */
  parent?: string;
}

export type TokenInfo = Omit<TokenRecord, 'hash' | 'owner' | 'epoch' | 'parent'>;

/** A live token: whose it is, its id, and when it ends. */
export interface FoundToken {
  owner: AuraUser;
  id: string;
  expiresAt: number;
}

/** Personal API tokens look like `aura_<id>_<secret>`, so they are easy to spot in a leak scan. */
const TOKEN = /^aura_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const LAST_USED_EVERY_MS = 60_000;
const DAY_MS = 86_400_000;

const digest = (secret: string) => createHash('sha256').update(secret).digest();

type Records = Record<string, TokenRecord>;

/** Long-lived bearer tokens an admin makes for scripts; only their hashes are stored. */
export class PersonalTokens {
  private readonly slice: StoreSlice<Records>;
  private epochOf: CredentialEpoch = () => '';

  constructor(
    store: Store,
    private readonly now: () => number = Date.now,
  ) {
    this.slice = store.slice('core.tokens');
  }

  static looksLikeToken(value: string): boolean {
    return value.startsWith('aura_');
  }

  /** From now on a token works only while its owner's credential generation is the one it was made under. */
  bindCredentials(epochOf: CredentialEpoch): void {
    this.epochOf = epochOf;
  }

  async create(
    owner: AuraUser,
    name: string,
    expiresInDays: number,
    opts: { parent?: string } = {},
  ): Promise<{ id: string; token: string; info: TokenInfo }> {
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const t = this.now();
    const epoch = this.epochOf(owner);
    const record: TokenRecord = {
      id,
      name,
      owner,
      hash: digest(secret).toString('base64'),
      createdAt: new Date(t).toISOString(),
      expiresAt: new Date(t + expiresInDays * DAY_MS).toISOString(),
      lastUsedAt: null,
      ...(epoch ? { epoch } : {}),
      ...(opts.parent ? { parent: opts.parent } : {}),
    };
    await this.slice.update((all) => ({ ...this.current(all), [id]: record }));
    return { id, token: `aura_${id}_${secret}`, info: this.info(record) };
  }

  list(owner: string): TokenInfo[] {
    return Object.values(this.current(this.slice.read()))
      .filter((r) => r.owner.username === owner)
      .map((r) => this.info(r));
  }

  /** Revokes a token of this owner, and every token made with it; false when the owner has no such token. */
  async revoke(owner: string, id: string): Promise<boolean> {
    const record = this.get(this.slice.read(), id);
    if (!record || record.owner.username !== owner) return false;
    await this.slice.update((all) => {
      const rest = this.current(all);
      const gone = new Set([id]);
      for (let grew = true; grew;) {
        grew = false;
        for (const r of Object.values(rest))
          if (r.parent && gone.has(r.parent) && !gone.has(r.id)) {
            gone.add(r.id);
            grew = true;
          }
      }
      for (const g of gone) delete rest[g];
      return rest;
    });
    return true;
  }

  /** Revokes every token of this owner; how many there were. */
  async revokeAllOf(owner: string): Promise<number> {
    let count = 0;
    await this.slice.update((all) => {
      const rest = this.current(all);
      for (const r of Object.values(rest))
        if (r.owner.username === owner) {
          delete rest[r.id];
          count++;
        }
      return rest;
    });
    return count;
  }

  /** The owner of a live, unexpired token; records when it was last used. */
  lookup(token: string): AuraUser | undefined {
    return this.find(token)?.owner;
  }

  /** A live, unexpired token made under its owner's current credential; records when it was last used. */
  find(token: string): FoundToken | undefined {
    const m = TOKEN.exec(token);
    if (!m) return undefined;
    const record = this.get(this.slice.read(), m[1]!);
    if (!record || !timingSafeEqual(digest(m[2]!), Buffer.from(record.hash, 'base64'))) return undefined;
    const t = this.now();
    const expiresAt = Date.parse(record.expiresAt);
    if (t >= expiresAt || !this.live(record)) return undefined;
    if (!record.lastUsedAt || t - Date.parse(record.lastUsedAt) > LAST_USED_EVERY_MS) {
      // Best effort: a failing disk must not take the request (or the process) down.
      this.slice
        .update((all) => {
          const r = this.get(all, record.id);
          return r ? { ...all, [r.id]: { ...r, lastUsedAt: new Date(t).toISOString() } } : all;
        })
        .catch(() => undefined);
    }
    return { owner: record.owner, id: record.id, expiresAt };
  }

  /** Ids come from requests: only the store's own keys count (never `__proto__` or `toString`). */
  private get(all: Records | undefined, id: string): TokenRecord | undefined {
    return all && Object.hasOwn(all, id) ? all[id] : undefined;
  }

  private live(r: TokenRecord): boolean {
    return (r.epoch ?? '') === this.epochOf(r.owner);
  }

  /** A copy of the records without those made under a credential that has changed since. */
  private current(all: Records | undefined): Records {
    return Object.fromEntries(Object.entries(all ?? {}).filter(([, r]) => this.live(r)));
  }

  private info({ id, name, createdAt, expiresAt, lastUsedAt }: TokenRecord): TokenInfo {
    return { id, name, createdAt, expiresAt, lastUsedAt };
  }
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuraUser } from '../sessions.ts';
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
}

export type TokenInfo = Omit<TokenRecord, 'hash' | 'owner'>;

/** Personal API tokens look like `aura_<id>_<secret>`, so they are easy to spot in a leak scan. */
const TOKEN = /^aura_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const LAST_USED_EVERY_MS = 60_000;

const digest = (secret: string) => createHash('sha256').update(secret).digest();

/** Long-lived bearer tokens an admin makes for scripts; only their hashes are stored. */
export class PersonalTokens {
  private readonly slice: StoreSlice<Record<string, TokenRecord>>;

  constructor(
    store: Store,
    private readonly now: () => number = Date.now,
  ) {
    this.slice = store.slice('core.tokens');
  }

  static looksLikeToken(value: string): boolean {
    return value.startsWith('aura_');
  }

  async create(owner: AuraUser, name: string, expiresInDays: number): Promise<{ id: string; token: string; info: TokenInfo }> {
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const t = this.now();
    const record: TokenRecord = {
      id,
      name,
      owner,
      hash: digest(secret).toString('base64'),
      createdAt: new Date(t).toISOString(),
      expiresAt: new Date(t + expiresInDays * 86_400_000).toISOString(),
      lastUsedAt: null,
    };
    await this.slice.update((all) => ({ ...all, [id]: record }));
    return { id, token: `aura_${id}_${secret}`, info: this.info(record) };
  }

  list(owner: string): TokenInfo[] {
    return Object.values(this.slice.read() ?? {})
      .filter((r) => r.owner.username === owner)
      .map((r) => this.info(r));
  }

  /** False when no such token of this owner exists. */
  async revoke(owner: string, id: string): Promise<boolean> {
    const record = this.slice.read()?.[id];
    if (!record || record.owner.username !== owner) return false;
    await this.slice.update((all) => {
      const rest = { ...all };
      delete rest[id];
      return rest;
    });
    return true;
  }

  /** The owner of a live, unexpired token; records when it was last used. */
  lookup(token: string): AuraUser | undefined {
    const m = TOKEN.exec(token);
    if (!m) return undefined;
    const record = this.slice.read()?.[m[1]!];
    if (!record || !timingSafeEqual(digest(m[2]!), Buffer.from(record.hash, 'base64'))) return undefined;
    const t = this.now();
    if (t >= Date.parse(record.expiresAt)) return undefined;
    if (!record.lastUsedAt || t - Date.parse(record.lastUsedAt) > LAST_USED_EVERY_MS) {
      // Best effort: a failing disk must not take the request (or the process) down.
      this.slice.update((all) =>
        all?.[record.id] ? { ...all, [record.id]: { ...all[record.id]!, lastUsedAt: new Date(t).toISOString() } } : all,
      );
    }
    return record.owner;
  }

  private info({ id, name, createdAt, expiresAt, lastUsedAt }: TokenRecord): TokenInfo {
    return { id, name, createdAt, expiresAt, lastUsedAt };
  }
}

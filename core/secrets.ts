import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from './config.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

/** Secrets come only from the environment (or .env); never from config files. */
export interface Secrets {
  adminUsername: string;
  adminPassword?: string;
  /** A ready hash instead of the password, for in-process callers (the test kit): no scrypt at start. */
  adminPasswordHash?: string;
  sessionSecret?: string;
  googleClientId?: string;
  googleClientSecret?: string;
}

export function readSecrets(env: NodeJS.ProcessEnv): Secrets {
  return {
    adminUsername: env.ADMIN_USERNAME || 'admin',
    adminPassword: env.ADMIN_PASSWORD || undefined,
    sessionSecret: env.SESSION_SECRET || undefined,
    googleClientId: env.GOOGLE_CLIENT_ID || undefined,
    googleClientSecret: env.GOOGLE_CLIENT_SECRET || undefined,
  };
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, saltB64, hashB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  const actual = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

/**
 * A hash shaped like `stored` (same scheme, salt and key lengths) that no password matches:
 * what a sign-in with an unknown username is checked against, so that it costs one scrypt too.
 */
export function decoyHash(stored: string): string {
  const [, saltB64 = '', hashB64 = ''] = stored.split('$');
  const len = (b64: string, fallback: number) => Buffer.from(b64, 'base64').length || fallback;
  return `scrypt$${randomBytes(len(saltB64, 16)).toString('base64')}$${randomBytes(len(hashB64, 32)).toString('base64')}`;
}

/** Writes a file only its owner can read, creating the folder if needed. */
export function writePrivateFile(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export const MIN_SESSION_SECRET_LENGTH = 32;

/**
 * The key that signs session cookies. Production must be given a strong one; elsewhere one
 * is generated once and kept in the data dir (mode 0600), so sessions survive restarts.
 */
export function sessionSecret(secrets: Secrets, dataDir: string, production: boolean): string {
  const given = secrets.sessionSecret;
  if (production && (!given || given.length < MIN_SESSION_SECRET_LENGTH || new Set(given).size < 10))
    throw new ConfigError([
      `SESSION_SECRET: in production (NODE_ENV=production) set a random secret of at least ${MIN_SESSION_SECRET_LENGTH} characters, e.g. \`openssl rand -base64 48\``,
    ]);
  return given ?? persistentSecret(path.join(dataDir, 'session-secret'));
}

/** A generated secret kept in the data dir, so it survives restarts. */
function persistentSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writePrivateFile(file, `${secret}\n`);
  return secret;
}

export interface AdminCredential {
  username: string;
  passwordHash: string;
  /** Set only on the first start without ADMIN_PASSWORD: printed once, never stored. */
  generatedPassword?: string;
}

/**
 * The admin password's current generation: the same while the password stays the same
 * (across restarts), another as soon as it changes. Sessions and API tokens of the local
 * admin carry the one they were made under; a mismatch ends them. It is a digest of the
 * stored scrypt hash, so it tells no more about the password than the hash file does.
 */
export function credentialEpoch(admin: AdminCredential): string {
  return createHash('sha256').update('aura credential epoch\0').update(admin.passwordHash).digest('base64url').slice(0, 22);
}

/**
 * ADMIN_PASSWORD wins when set. Otherwise the first start generates a strong password and
 * hands the clear text back to be printed once. Either way only the hash is kept in the data
 * dir; a restart with the same ADMIN_PASSWORD keeps the hash it had (and so the sessions made
 * under it), a different one replaces it.
 */
export async function resolveAdmin(secrets: Secrets, dataDir: string): Promise<AdminCredential> {
  const username = secrets.adminUsername;
  if (secrets.adminPasswordHash) return { username, passwordHash: secrets.adminPasswordHash };
  const file = path.join(dataDir, 'admin-password.hash');
  const stored = existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  if (secrets.adminPassword) {
    if (stored && (await verifyPassword(secrets.adminPassword, stored))) return { username, passwordHash: stored };
    const passwordHash = await hashPassword(secrets.adminPassword);
    writePrivateFile(file, `${passwordHash}\n`);
    return { username, passwordHash };
  }
  if (stored) return { username, passwordHash: stored };
  const generatedPassword = randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(generatedPassword);
  writePrivateFile(file, `${passwordHash}\n`);
  return { username, passwordHash, generatedPassword };
}

import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

/** The fingerprint `ssh-keygen -lf` prints for a raw public key blob. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return globToRegExp(pattern).test(name);
}

/** Whether a comma-separated host pattern list applies to name (a `!` pattern vetoes). */
function hostListMatches(list: string, name: string): boolean {
  let matched = false;
  for (const p of list.split(',')) {
    if (p.startsWith('!')) {
      if (patternMatches(p.slice(1), name)) return false;
    } else if (patternMatches(p, name)) matched = true;
  }
  return matched;
}

export type HostKeyVerdict = 'trusted' | 'unknown' | 'changed' | 'revoked';

/** Looks the presented key up in an OpenSSH known_hosts file (plain or hashed names). */
export function checkKnownHosts(file: string, host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  if (!existsSync(file)) return 'unknown';
  const name = port === 22 ? host : `[${host}]:${port}`;
  const presented = keyBlob.toString('base64');
  let sawHost = false;
  let trusted = false;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]!.startsWith('@') ? fields.shift() : undefined;
    const [hosts, , key] = fields;
    if (!hosts || !key || !hostListMatches(hosts, name)) continue;
    if (marker === '@revoked') {
      if (key === presented) return 'revoked';
      continue;
    }
    if (marker) continue; // @cert-authority: certificates are not supported
    if (key === presented) trusted = true;
    else sawHost = true;
  }
  // Revocation wins wherever it stands in the file, as in OpenSSH.
  return trusted ? 'trusted' : sawHost ? 'changed' : 'unknown';
}

import { X509Certificate } from 'node:crypto';
import { coreErrors, type Host } from 'aura/plugin';
import { certificatesErrors } from './errors.ts';
import type { CertificateEntry, CertificateList, ParsedCertificate } from './types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** What certbot puts in live/ beside the certificate folders. */
const NOT_CERTIFICATES = new Set(['README']);

const codeOf = (err: unknown) => (err as { code?: unknown })?.code;

/** `DNS:a.org, IP Address:192.0.2.1` → ['a.org', 'IP Address:192.0.2.1']; Node quotes values with commas. */
export function parseAltNames(text: string | undefined): string[] {
  if (!text) return [];
  const names: string[] = [];
  for (const [, type, raw] of text.matchAll(/([A-Za-z][A-Za-z ]*):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    const value = raw!.startsWith('"') ? (JSON.parse(raw!) as string) : raw!;
    names.push(type === 'DNS' ? value : `${type}:${value}`);
  }
  return names;
}

/** One PEM read from a server, as of `now` (ms): its names, issuer and days left; throws CERTIFICATE_INVALID. */
export function parseCertificate(
  pem: Buffer | string,
  at: { name: string; path: string; now: number; warnDays: number },
): ParsedCertificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw certificatesErrors.CERTIFICATE_INVALID(`${at.path} is not a PEM certificate: ${(err as Error).message}`);
  }
  const validTo = new Date(cert.validTo);
  const daysLeft = Math.floor((validTo.getTime() - at.now) / DAY_MS);
  return {
    name: at.name,
    path: at.path,
    subject: cert.subject.split('\n').join(', '),
    issuer: cert.issuer.split('\n').join(', '),
    altNames: parseAltNames(cert.subjectAltName),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: validTo.toISOString(),
    daysLeft,
    expiringSoon: daysLeft <= at.warnDays,
  };
}

/** The entry for one folder: parsed, or with the error that stopped it. Permission denied is thrown. */
async function readEntry(host: Host, dir: string, name: string, now: number, warnDays: number): Promise<CertificateEntry> {
  const path = `${dir}/${name}/cert.pem`;
  let pem: Buffer;
  try {
    pem = await host.readFile(path);
  } catch (err) {
    // Aura's user cannot read it: the whole list would be wrong, so say so once, as the core does.
    if (codeOf(err) === coreErrors.FILE_PERMISSION_DENIED.code) throw err;
    const error = certificatesErrors.CERTIFICATE_UNREADABLE(`${path}: ${(err as Error).message}`);
    return { name, path, error: { detail: error.message, code: error.code } };
  }
  try {
    return parseCertificate(pem, { name, path, now, warnDays });
  } catch (err) {
    return { name, path, error: { detail: (err as Error).message, code: String(codeOf(err)) } };
  }
}

/**
 * Every certificate under `dir` on a server, read through the host (readDir and readFile: the
 * same on local and SSH servers, no shell). A missing folder is an empty list with a note.
 */
export async function listCertificates(
  host: Host,
  opts: { dir: string; warnDays: number; now: number },
): Promise<CertificateList> {
  const dir = opts.dir.replace(/\/+$/, '') || '/';
  const base = { dir, warnDays: opts.warnDays };
  let names: string[];
  try {
    names = await host.readDir(dir);
  } catch (err) {
    if (codeOf(err) === coreErrors.FILE_NOT_FOUND.code)
      return { ...base, certificates: [], note: `${dir} does not exist on ${host.id}: no certificates to show.` };
    throw err;
  }
  const wanted = names.filter((n) => !n.startsWith('.') && !NOT_CERTIFICATES.has(n)).sort();
  const certificates = await Promise.all(wanted.map((name) => readEntry(host, dir, name, opts.now, opts.warnDays)));
  const rank = (c: CertificateEntry) => (c.error ? -Infinity : c.daysLeft);
  return { ...base, certificates: certificates.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)) };
}

/** Those a caller asked about: unreadable ones always (their expiry is unknown), the rest by days left. */
export function expiringWithin(list: CertificateList, days: number | undefined): CertificateList {
  if (days === undefined) return list;
  return { ...list, certificates: list.certificates.filter((c) => c.error || c.daysLeft <= days) };
}

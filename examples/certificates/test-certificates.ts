import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** For the tests: a CA and two certificates it signed, for 10 and 200 days, made by openssl (argv, no shell). */
export function makeCertificates() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-certs-'));
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const openssl = (...args: string[]) =>
    execFileSync('openssl', ['req', '-x509', ...newKey, ...args], { cwd: dir, stdio: 'pipe' });
  const issue = (name: string, days: number) => {
    const alt = `subjectAltName=DNS:${name},DNS:www.${name},IP:192.0.2.1`;
    const out = path.join(dir, `${name}.pem`);
    openssl(
      '-keyout',
      `${name}.key`,
      '-out',
      out,
      '-days',
      String(days),
      '-subj',
      `/CN=${name}`,
      '-addext',
      alt,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
    );
    return readFileSync(out, 'utf8');
  };
  try {
    openssl('-keyout', 'ca.key', '-out', 'ca.pem', '-days', '400', '-subj', '/O=Aura Test/CN=Aura Test CA');
    const soon = issue('soon.example.org', 10);
    const later = issue('later.example.org', 200);
    /** When the 10-day one was issued: tests set their clock from here, never from the wall clock. */
    const issuedAt = Date.parse(new X509Certificate(soon).validFrom);
    return { soon, later, issuedAt };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

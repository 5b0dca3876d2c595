import { beforeAll, describe, expect, it } from 'vitest';
import { parseAltNames, parseCertificate } from './certs.ts';
import { certificatesConfig } from './config.ts';
import { DAY_MS, makeCertificates } from './test-certificates.ts';

/** The parser on real PEM files openssl made, as of a clock the test sets. */
describe('parseCertificate', () => {
  let pems: ReturnType<typeof makeCertificates>;
  beforeAll(() => {
    pems = makeCertificates();
  });
  const at = (days: number, warnDays = 30) => ({ name: 'x', path: '/x/cert.pem', now: pems.issuedAt + days * DAY_MS, warnDays });

  it('reads the subject, issuer, alternative names and validity', () => {
    const cert = parseCertificate(pems.soon, at(3));
    expect(cert).toMatchObject({
      subject: 'CN=soon.example.org',
      issuer: 'O=Aura Test, CN=Aura Test CA',
      altNames: ['soon.example.org', 'www.soon.example.org', 'IP Address:192.0.2.1'],
      validFrom: new Date(pems.issuedAt).toISOString(),
      validTo: new Date(pems.issuedAt + 10 * DAY_MS).toISOString(),
    });
  });

  it('counts whole days left by the clock it is given, negative once expired', () => {
    expect(parseCertificate(pems.soon, at(3)).daysLeft).toBe(7);
    expect(parseCertificate(pems.later, at(3)).daysLeft).toBe(197);
    expect(parseCertificate(pems.soon, at(9.5)).daysLeft).toBe(0);
    expect(parseCertificate(pems.soon, at(12))).toMatchObject({ daysLeft: -2, expiringSoon: true });
  });

  it('marks expiringSoon at warnDays left or fewer, not one day more', () => {
    expect(parseCertificate(pems.soon, at(3)).expiringSoon).toBe(true);
    expect(parseCertificate(pems.later, at(3)).expiringSoon).toBe(false);
    expect(parseCertificate(pems.later, at(170))).toMatchObject({ daysLeft: 30, expiringSoon: true });
    expect(parseCertificate(pems.later, at(169))).toMatchObject({ daysLeft: 31, expiringSoon: false });
    expect(parseCertificate(pems.soon, at(3, 5)).expiringSoon).toBe(false);
  });

  it('refuses what is not a certificate with its own code', () => {
    expect(() => parseCertificate('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n', at(0))).toThrow(
      expect.objectContaining({ code: 'CERTIFICATE_INVALID', status: 422 }),
    );
    expect(() => parseCertificate(Buffer.from([0, 1, 2]), at(0))).toThrow(/is not a PEM certificate/);
  });
});

describe('parseAltNames', () => {
  it('keeps quoted values whole', () => {
    expect(parseAltNames('DNS:a.org, DNS:"b,c.org", URI:https://a.org/x')).toEqual(['a.org', 'b,c.org', 'URI:https://a.org/x']);
    expect(parseAltNames(undefined)).toEqual([]);
  });
});

describe('certificatesConfig', () => {
  it('defaults to certbot and refuses a relative dir', () => {
    expect(certificatesConfig.parse({})).toEqual({ dir: '/etc/letsencrypt/live', warnDays: 30 });
    expect(certificatesConfig.safeParse({ dir: 'certs' }).success).toBe(false);
    expect(certificatesConfig.safeParse({ warnDays: 0 }).success).toBe(false);
  });
});

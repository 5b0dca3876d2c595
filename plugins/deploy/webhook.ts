import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * GitHub's X-Hub-Signature-256: `sha256=` and the hex HMAC-SHA256 of the raw body with the
 * webhook's secret. Compared in constant time; anything malformed is simply not valid.
 */
export function validSignature(secret: string, rawBody: string, header: unknown): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const expected = createHmac('sha256', secret).update(rawBody, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(header.slice(7), 'hex'));
}

export function sign(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

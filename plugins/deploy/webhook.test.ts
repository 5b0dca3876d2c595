import { describe, expect, it } from 'vitest';
import { sign, validSignature } from './webhook.ts';

// GitHub's own example: https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries
const SECRET = "It's a Secret to Everybody";
const BODY = 'Hello, World!';
const HEX = '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('the deploy webhook signature', () => {
  it("signs a body as GitHub's X-Hub-Signature-256 does", () => {
    expect(sign(SECRET, BODY)).toBe(`sha256=${HEX}`);
    // The body is hashed as UTF-8.
    expect(sign('s', 'café')).toBe('sha256=7d5594d4f5872e9b70221c9df9afa79cc1261bd776d26aabb8e729e261478569');
  });

  it('accepts the HMAC of the raw body with the secret, in either case of hex', () => {
    expect(validSignature(SECRET, BODY, `sha256=${HEX}`)).toBe(true);
    expect(validSignature(SECRET, BODY, `sha256=${HEX.toUpperCase()}`)).toBe(true);
    expect(validSignature('s', 'café', sign('s', 'café'))).toBe(true);
  });

  it('refuses another secret, another body, or a signature off by one bit', () => {
    expect(validSignature('another secret', BODY, `sha256=${HEX}`)).toBe(false);
    expect(validSignature(SECRET, `${BODY} `, `sha256=${HEX}`)).toBe(false);
    expect(validSignature(SECRET, BODY, `sha256=${HEX.slice(0, -1)}6`)).toBe(false);
  });

  it.each([
    ['no header', undefined],
    ['a header sent twice', [`sha256=${HEX}`, `sha256=${HEX}`]],
    ['a list of the right signature', [`sha256=${HEX}`]],
    ['a number', 42],
    ['an empty header', ''],
    ['the bare hex', HEX],
    ['another algorithm', `sha1=${HEX}`],
    ['a text before it', `xsha256=${HEX}`],
    ['a space before it', ` sha256=${HEX}`],
    ['a byte too many', `sha256=${HEX}00`],
    ['a byte too few', `sha256=${HEX.slice(0, -2)}`],
    ['half a byte too many', `sha256=${HEX}0`],
    ['a character that is not hex', `sha256=${HEX.slice(0, -1)}g`],
    ['a newline after it', `sha256=${HEX}\n`],
  ])('answers false, without throwing, for %s', (_, header) => {
    expect(validSignature(SECRET, BODY, header)).toBe(false);
  });
});

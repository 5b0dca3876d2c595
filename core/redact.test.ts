import { describe, expect, it } from 'vitest';
import { redactor, secretValues } from './redact.ts';

describe('redaction by value', () => {
  it('hides URL passwords and the values of secret-looking variables', () => {
    const env = {
      GEMINI_API_KEY: 'AIzaSyExampleKey123',
      ADMIN_PASSWORD: 'hunter22',
      PATH: '/usr/bin',
      SHORT_TOKEN: 'abc',
      HOME: '/root',
    };
    expect(secretValues(env).sort()).toEqual(['AIzaSyExampleKey123', 'hunter22']);
    const redact = redactor(secretValues(env));
    expect(redact('connect postgres://aura:s3cr3t@db:5432/aura failed')).toBe(
      'connect postgres://aura:[redacted]@db:5432/aura failed',
    );
    expect(redact('key=AIzaSyExampleKey123; pw hunter22 and hunter22')).toBe('key=[redacted]; pw [redacted] and [redacted]');
    expect(redact('nothing here: /usr/bin, abc, https://example.org/a@b')).toBe(
      'nothing here: /usr/bin, abc, https://example.org/a@b',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { ADMIN, startTestAura } from '../test/harness/aura.ts';
import { captureLines } from '../test/harness/requests.ts';
import { createLogger } from './logger.ts';

const capture = captureLines;

describe('logs', () => {
  it('redact secrets at the top level and nested', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    log.info(
      {
        password: 'hunter2',
        server: { privateKey: 'PRIVATE', passphrase: 'pp' },
        req: { headers: { authorization: 'Bearer abc' } },
      },
      'x',
    );
    const text = lines.join('');
    for (const secret of ['hunter2', 'PRIVATE', 'pp"', 'Bearer abc']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('never carry the password, token or session cookie of a real sign-in', async () => {
    const { lines, stream } = capture();
    const t = await startTestAura({ log: { level: 'trace' } }, { logger: createLogger('trace', stream) });
    try {
      const { token, cookie } = await t.login();
      await t.request('/auth/me', { token });
      await t.request('/auth/login', { method: 'POST', json: { username: 'admin', password: 'wrong-secret-pw' } });
      const text = lines.join('');
      expect(text).toContain('"path":"/auth/login"');
      for (const secret of [ADMIN.password, 'wrong-secret-pw', token, cookie.split('=')[1]!.split(';')[0]!])
        expect(text).not.toContain(secret);
    } finally {
      await t.close();
    }
  });
});

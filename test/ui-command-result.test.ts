import { describe, expect, it } from 'vitest';
import { timedOutResult } from '../ui/src/lib/command-result.ts';

/** What api() throws (ui/src/lib/api.ts ApiError, which needs SvelteKit's runtime to load). */
const apiError = (code: string, status: number, body?: Record<string, unknown>) =>
  Object.assign(new Error(String(body?.detail ?? code)), { code, status, body });

describe('timedOutResult (@aura/ui)', () => {
  it('makes a 504 COMMAND_TIMEOUT into the output the command printed until it was stopped', () => {
    const body = { detail: 'stopped', code: 'COMMAND_TIMEOUT', stdout: 'begun\n', stderr: '', truncated: true, durationMs: 1003 };
    expect(timedOutResult(apiError('COMMAND_TIMEOUT', 504, body))).toEqual({
      stdout: 'begun\n',
      stderr: '',
      exitCode: null,
      durationMs: 1003,
      truncated: true,
      timedOut: true,
    });
  });

  it('has nothing to show for other failures', () => {
    expect(timedOutResult(apiError('COMMAND_DENIED', 403, { detail: 'no', code: 'COMMAND_DENIED' }))).toBeNull();
    expect(timedOutResult(apiError('COMMAND_TIMEOUT', 504))).toBeNull();
    expect(timedOutResult(new Error('network'))).toBeNull();
  });
});

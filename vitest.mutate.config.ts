import { defineConfig } from 'vitest/config';

/**
 * The fast tests that guard the code `npm run mutate` mutates: real Aura on loopback, the
 * mock Google, scripted hosts; no sshd, systemd, Docker or Chromium. The UI is not needed.
 */
export default defineConfig({
  test: {
    include: [
      'core/auth/**/*.test.ts',
      'core/hosts/argv.test.ts',
      'core/errors.test.ts',
      'core/audit.test.ts',
      'core/audit-flood.test.ts',
      'core/viewer-routes.test.ts',
      'plugins/services/routes.test.ts',
      'plugins/services/sudoers.test.ts',
      'plugins/services/systemctl.test.ts',
      'plugins/services/limits.test.ts',
      'plugins/services/units.test.ts',
      'plugins/services/config.test.ts',
      'core/validate.test.ts',
      'plugins/commands/config.test.ts',
      'plugins/commands/params.test.ts',
      'plugins/commands/commands.test.ts',
      'plugins/deploy/config.test.ts',
      'plugins/deploy/webhook.test.ts',
      'plugins/deploy/sandbox.test.ts',
      'plugins/exec/guard.test.ts',
    ],
    testTimeout: 30_000,
    // expect.poll waits for what a test is waiting for; on a loaded 2-core machine that can take
    // longer than vitest's default second (a docker stats read alone takes one).
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

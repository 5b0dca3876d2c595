import { defineConfig } from 'vitest/config';
import { auraImportPaths } from './core/plugin-imports.ts';

export default defineConfig({
  // `aura/plugin` and `aura/test-kit`, as plugins outside the checkout import them (core/plugin-imports.ts).
  resolve: { alias: auraImportPaths(import.meta.dirname) },
  test: {
    include: [
      'core/**/*.test.ts',
      'plugins/**/*.test.ts',
      'test/**/*.test.ts',
      'eslint-rules/**/*.test.ts',
      'systemd/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    // expect.poll waits for what a test is waiting for; on a loaded 2-core machine that can take
    // longer than vitest's default second (a docker stats read alone takes one).
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 60_000,
    pool: 'forks',
    // In CI every test must run: a skip is a failure there (see test/global-setup.ts).
    allowOnly: false,
  },
});

import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * `npm run test:plugin -- <folder>`: the tests of a plugin outside the checkout (in a
 * pluginDir) against this checkout's core and test kit. No global setup: the kit needs
 * neither the UI build nor the test container.
 */
export default defineConfig({ ...base, test: { ...base.test, include: ['**/*.test.ts'], globalSetup: [] } });

import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import aura from './eslint-rules/plugin-boundaries.js';

export default ts.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'data/',
      'ui/build/',
      'ui/.svelte-kit/',
      'test-artifacts/',
      '.stryker-tmp/',
      'reports/',
      '.scaffold-check-*/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // A promise nobody awaits or catches is a crash waiting for a failing disk.
    files: ['core/**/*.ts', 'plugins/**/*.ts', 'examples/**/*.ts', 'test/**/*.ts', 'eslint-rules/**/*.ts'],
    ignores: ['plugins/*/ui/**', 'examples/*/ui/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: [
      'plugins/**/*.ts',
      'plugins/**/*.js',
      'plugins/**/*.svelte',
      'examples/**/*.ts',
      'examples/**/*.js',
      'examples/**/*.svelte',
    ],
    plugins: { aura },
    rules: { 'aura/plugin-boundaries': 'error' },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts', 'ui/src/**/*.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
    // Aura is always served at the root of its origin (no kit.paths.base), so links need no resolve().
    rules: { 'svelte/no-navigation-without-resolve': 'off' },
  },
);

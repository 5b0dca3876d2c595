import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import { z } from 'zod';
import { configPath, formatIssues } from './config.ts';
import { ERROR_CODE, type ErrorFactory } from './errors.ts';
import type { PluginDefinition } from './plugin.ts';
import { registerPluginImports } from './plugin-imports.ts';
import { CORE_VERSION, ROOT_DIR, RUNNING_COMPILED } from './version.ts';

export const PLUGIN_ID = /^[a-z][a-z0-9-]{0,31}$/;

export type PluginState = 'pending' | 'started' | 'failed' | 'disabled' | 'unavailable';

/** Why a plugin did not start, when it is not a plain error in one of its hooks. */
export type PluginFailure = 'DEPENDENCY_MISSING' | 'PLUGIN_TIMEOUT';

export interface PluginRecord {
  id: string;
  dir: string;
  enabled: boolean;
  state: PluginState;
  error?: string;
  /** A code for failures the core can name (see PluginFailure). */
  code?: PluginFailure;
  definition?: PluginDefinition;
  config?: unknown;
  /** The environment variables the plugin may read: its `secrets`, named from its settings if need be. */
  secretNames?: string[];
}

const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
const declaredError = z.custom<ErrorFactory>(
  (v) => typeof v === 'function' && 'status' in v && 'meaning' in v,
  'must be made with defineErrors()',
);
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function');
const metadataSchema = z.object({
  id: z.string().regex(PLUGIN_ID, 'must be lowercase letters, digits and dashes'),
  version: z.string().refine((v) => semver.valid(v) !== null, 'must be a semver version'),
  coreVersion: z.string().refine((v) => semver.validRange(v) !== null, 'must be a semver range'),
  title: z.string().min(1),
  description: z.string().optional(),
  scope: z.enum(['host', 'global']),
  dependencies: z.array(z.string().regex(PLUGIN_ID)).optional(),
  conditions: z
    .array(
      z.union([
        z.object({ pathExists: z.string().min(1), reason: z.string().min(1).optional() }).strict(),
        z.object({ check: fn }).strict(),
      ]),
    )
    .optional(),
  nav: z
    .object({ title: z.string().min(1), icon: z.string().optional(), order: z.number().optional() })
    .strict()
    .optional(),
  config: z.custom<z.ZodType>((v) => v instanceof z.ZodType, 'must be a zod schema').optional(),
  readOnlyEvents: z.array(z.string().min(1)).optional(),
  secrets: z
    .union([z.array(z.string().regex(SECRET_NAME, 'must be an environment variable name like GEMINI_API_KEY')), fn])
    .optional(),
  errors: z.record(z.string().regex(ERROR_CODE), declaredError).optional(),
  commands: z.record(z.string().regex(PLUGIN_ID), z.object({ description: z.string().min(1), run: fn }).strict()).optional(),
  setup: fn,
});

export interface FoundPlugin {
  id: string;
  dir: string;
  entry: string;
}

/** Where plugins are looked for: the checkout's plugins/, then each configured pluginDir. */
export function pluginFolders(rootDir: string, config: { pluginDirs: string[] }): string[] {
  return [path.join(rootDir, 'plugins'), ...config.pluginDirs.map((d) => configPath(rootDir, d))];
}

/** A plugin runs unless the config turns it off. */
export const isEnabled = (settings: Record<string, { enabled: boolean }>, id: string) => settings[id]?.enabled ?? true;

/** Every folder holding an index.ts or index.js, in plugins/ and in each configured pluginDir. */
export function discoverPlugins(dirs: string[]): { found: FoundPlugin[]; problems: string[] } {
  const found: FoundPlugin[] = [];
  const problems: string[] = [];
  dirs.forEach((dir, i) => {
    if (!existsSync(dir)) {
      if (i > 0) problems.push(`pluginDirs.${i - 1}: no such folder: ${dir}`);
      return;
    }
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (!d.isDirectory()) continue;
      const entry = ['index.ts', 'index.js'].map((f) => path.join(dir, d.name, f)).find(existsSync);
      if (entry) found.push({ id: d.name, dir: path.join(dir, d.name), entry });
    }
  });
  return { found, problems };
}

let typeScriptLoader: Promise<unknown> | undefined;

/**
 * Compiled Aura loads its own plugins from dist/. A TypeScript plugin from a pluginDir has
 * no compiled copy, so tsx is registered for it then (and only then: it costs memory). A
 * pluginDir's plugin imports the core as `aura/plugin`, which Node learns to resolve here.
 */
async function importEntry(entry: string): Promise<unknown> {
  let file = entry;
  if (path.relative(path.join(ROOT_DIR, 'plugins'), entry).startsWith('..')) registerPluginImports();
  if (RUNNING_COMPILED && entry.endsWith('.ts')) {
    const rel = path.relative(ROOT_DIR, entry);
    const compiled = path.join(ROOT_DIR, 'dist', rel.replace(/\.ts$/, '.js'));
    if (!rel.startsWith('..') && existsSync(compiled)) file = compiled;
    else await (typeScriptLoader ??= import('tsx/esm/api').then((tsx) => tsx.register()));
  }
  return import(pathToFileURL(file).href);
}

type PluginSettings = Record<string, { enabled: boolean; [key: string]: unknown }>;

/** The plugin object a module exports, checked; throws with what is wrong. */
export function checkDefinition(value: unknown, id: string, coreVersion: string): PluginDefinition {
  const meta = metadataSchema.safeParse(value);
  if (!meta.success) throw new Error(`invalid plugin object: ${formatIssues(meta.error.issues).join('; ')}`);
  const def = value as PluginDefinition;
  if (def.id !== id) throw new Error(`its id "${def.id}" differs from its folder name "${id}"`);
  if (!semver.satisfies(coreVersion, def.coreVersion))
    throw new Error(`needs core ${def.coreVersion}, but this is core ${coreVersion}`);
  return def;
}

/** The plugin's own settings (all but `enabled`) through its schema; problems name the key path. */
function settingsOf(record: PluginRecord, settings: PluginSettings, problems: string[]): void {
  const { enabled: _enabled, ...own } = settings[record.id] ?? { enabled: true };
  const parsed = (record.definition!.config ?? z.object({}).strict()).safeParse(own);
  if (!parsed.success) return void problems.push(...formatIssues(parsed.error.issues, ['plugins', record.id]));
  record.config = parsed.data;
  const { secrets = [] } = record.definition!;
  const names = typeof secrets === 'function' ? secrets(parsed.data) : secrets;
  const bad = names.filter((name) => typeof name !== 'string' || !SECRET_NAME.test(name));
  if (bad.length)
    problems.push(`plugins.${record.id}: ${bad.map(String).join(', ')} is not an environment variable name like GEMINI_API_KEY`);
  else record.secretNames = [...new Set(names)];
}

const unknownIds = (settings: PluginSettings, seen: Set<string>) =>
  Object.keys(settings)
    .filter((id) => !seen.has(id))
    .map((id) => `plugins.${id}: no plugin with this id in plugins/ or pluginDirs`);

/**
 * Imports every enabled plugin and checks its metadata and settings. A plugin that fails to
 * load is marked failed; a settings error is a config problem that stops Aura.
 */
export async function loadPlugins(found: FoundPlugin[], settings: PluginSettings, coreVersion: string) {
  const records: PluginRecord[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const f of found) {
    const enabled = isEnabled(settings, f.id);
    const record: PluginRecord = { id: f.id, dir: f.dir, enabled, state: enabled ? 'pending' : 'disabled' };
    records.push(record);
    if (seen.has(f.id)) {
      Object.assign(record, { state: 'failed', error: `another plugin folder is also named "${f.id}"` });
      continue;
    }
    seen.add(f.id);
    if (!enabled) continue;
    try {
      const mod = (await importEntry(f.entry)) as { default?: unknown };
      record.definition = checkDefinition(mod.default, f.id, coreVersion);
    } catch (err) {
      Object.assign(record, { state: 'failed', error: `load: ${(err as Error).message}` });
      continue;
    }
    settingsOf(record, settings, problems);
  }
  problems.push(...unknownIds(settings, seen));
  return { records, problems };
}

/** Records for plugin objects given directly (the test kit): checked like loaded ones. */
export function recordsFor(definitions: PluginDefinition[], settings: PluginSettings) {
  const problems: string[] = [];
  const seen = new Set<string>();
  const records = definitions.map((def) => {
    const enabled = isEnabled(settings, def.id);
    const record: PluginRecord = { id: def.id, dir: '', enabled, state: enabled ? 'pending' : 'disabled' };
    seen.add(def.id);
    if (!enabled) return record;
    record.definition = checkDefinition(def, def.id, CORE_VERSION);
    settingsOf(record, settings, problems);
    return record;
  });
  problems.push(...unknownIds(settings, seen));
  return { records, problems };
}

/** Dependencies first. A plugin whose dependency is missing, disabled or circular fails. */
export function orderByDependencies(records: PluginRecord[]): PluginRecord[] {
  const byId = new Map(records.filter((r) => r.definition).map((r) => [r.id, r]));
  const ordered: PluginRecord[] = [];
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (r: PluginRecord): boolean => {
    if (done.has(r.id)) return r.state !== 'failed';
    if (visiting.has(r.id)) {
      Object.assign(r, { state: 'failed', error: 'circular dependency' });
      return false;
    }
    visiting.add(r.id);
    for (const dep of r.definition?.dependencies ?? []) {
      const d = byId.get(dep);
      if (!d) {
        const why = records.some((x) => x.id === dep && !x.enabled)
          ? 'which is disabled'
          : 'which was not found or failed to load';
        Object.assign(r, { state: 'failed', code: 'DEPENDENCY_MISSING', error: `depends on "${dep}", ${why}` });
      } else if (!visit(d) && r.state !== 'failed') {
        Object.assign(r, { state: 'failed', code: 'DEPENDENCY_MISSING', error: `depends on "${dep}", which failed` });
      }
    }
    visiting.delete(r.id);
    done.add(r.id);
    ordered.push(r);
    return r.state !== 'failed';
  };
  for (const r of records) if (r.definition && r.state === 'pending') visit(r);
  return ordered.filter((r) => r.state === 'pending');
}

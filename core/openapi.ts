import { z } from 'zod';
import { SESSION_COOKIE } from './auth/cookies.ts';
import { coreErrors, type ErrorCatalogue, type ErrorFactory } from './errors.ts';
import type { InputSchemas } from './validate.ts';
import { CORE_VERSION } from './version.ts';

/** A route as the OpenAPI document sees it (web.ts documentedRoutes). */
export interface DocumentedRoute {
  method: string;
  /** As Koa writes it: `/api/servers/:serverId/ports`. */
  path: string;
  public: boolean;
  viewer: boolean;
  /** It has the requireAdmin guard: a read that only admins may make (the token list). */
  adminOnly: boolean;
  /** The plugin that mounted it; null for the core's own. */
  plugin: { id: string; title: string; description?: string; scope: 'host' | 'global'; errors?: ErrorCatalogue } | null;
  input?: InputSchemas<z.ZodType | undefined, z.ZodType | undefined>;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const errorRef = { $ref: '#/components/schemas/Error' };

/** JSON Schema 2020-12 of what a schema accepts, as OpenAPI 3.1 embeds it. */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** `/api/servers/:serverId/x/:id` → `/api/servers/{serverId}/x/{id}`, and the names. */
function openApiPath(koaPath: string): { path: string; names: string[] } {
  const names: string[] = [];
  const path = koaPath.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    names.push(name);
    return `{${name}}`;
  });
  return { path, names };
}

/** Whether only admins may call it: a change that is not a viewer route, or a read behind requireAdmin. */
const forAdminsOnly = (route: DocumentedRoute) =>
  !route.public && (route.adminOnly || (!READS.has(route.method) && !route.viewer));

/** The errors a route may answer, grouped by status, each code with its meaning. */
function errorResponses(route: DocumentedRoute): Record<string, unknown> {
  const codes: ErrorFactory[] = [coreErrors.INTERNAL];
  if (!route.public) codes.push(coreErrors.UNAUTHENTICATED);
  const change = !route.public && !READS.has(route.method);
  // A viewer route decides per object (commands: a viewer's tool that changes things is 403).
  if (forAdminsOnly(route) || (change && route.viewer)) codes.push(coreErrors.FORBIDDEN);
  if (change) codes.push(coreErrors.ORIGIN_REFUSED);
  if (route.input?.body || route.input?.query || !READS.has(route.method)) codes.push(coreErrors.VALIDATION_ERROR);
  if (route.plugin?.scope === 'host') codes.push(coreErrors.SERVER_NOT_FOUND, coreErrors.PLUGIN_UNAVAILABLE);
  codes.push(...Object.values(route.plugin?.errors ?? {}));
  const byStatus = new Map<number, ErrorFactory[]>();
  for (const c of codes) byStatus.set(c.status, [...(byStatus.get(c.status) ?? []), c]);
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, list]) => [
        String(status),
        {
          description: list.map((c) => `\`${c.code}\`: ${c.meaning}`).join('\n\n'),
          content: { 'application/json': { schema: errorRef } },
        },
      ]),
  );
}

function operation(route: DocumentedRoute) {
  const { path, names } = openApiPath(route.path);
  const parameters: unknown[] = names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  const query = route.input?.query ? jsonSchema(route.input.query) : undefined;
  const required = new Set((query?.required as string[] | undefined) ?? []);
  for (const [name, schema] of Object.entries((query?.properties ?? {}) as Record<string, unknown>))
    parameters.push({ name, in: 'query', required: required.has(name), schema });
  const tag = route.plugin?.id ?? 'core';
  const who = route.public ? 'Open to anyone.' : forAdminsOnly(route) ? 'Admins.' : 'Signed-in users.';
  return {
    path,
    op: {
      operationId: `${route.method.toLowerCase()} ${path}`.replace(/[^A-Za-z0-9]+/g, '_'),
      tags: [tag],
      summary: route.input?.summary,
      description: who,
      ...(route.public ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.input?.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.input.body) } } } }
        : {}),
      responses: { '200': { description: 'Success: JSON, or a stream where the route says so.' }, ...errorResponses(route) },
    },
  };
}

/**
 * Aura's HTTP API as OpenAPI 3.1, made from the routes that are mounted now (core and started
 * plugins) and the zod schemas they parse their input with: what a script may send, what it
 * may get back as an error, and who may call what.
 */
export function openApiDocument(routes: DocumentedRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Map<string, string | undefined>([['core', 'Sign-in, tokens, servers, plugins, audit, health.']]);
  for (const route of routes) {
    if (route.method === 'HEAD' || route.method === 'OPTIONS') continue;
    const { path, op } = operation(route);
    (paths[path] ??= {})[route.method.toLowerCase()] = op;
    if (route.plugin) tags.set(route.plugin.id, route.plugin.description ?? route.plugin.title);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Aura',
      version: CORE_VERSION,
      description:
        'The API of this Aura: the core and every started plugin. Every error is `{ detail, code }` with the status given. ' +
        'Changes signed with a session cookie must come from Aura’s own origin; scripts use a bearer token (POST /auth/login) or a personal API token.',
    },
    tags: [...tags].map(([name, description]) => ({ name, ...(description ? { description } : {}) })),
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A token from POST /auth/login, or a personal API token.' },
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The browser session.' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['detail', 'code'],
          properties: {
            detail: { type: 'string', description: 'What went wrong, for a person.' },
            code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', description: 'What went wrong, for a program.' },
          },
          additionalProperties: true,
        },
      },
    },
  };
}

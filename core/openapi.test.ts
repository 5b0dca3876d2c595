import { validate as validateOpenApi } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../test/harness/aura.ts';

type Operation = {
  tags: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: { 'application/json': { schema: { properties: Record<string, unknown>; required?: string[] } } } };
  responses: Record<string, { description: string }>;
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe('GET /api/openapi.json', () => {
  let t: TestAura;
  let doc: Document;

  beforeAll(async () => {
    // Every built-in plugin that can start here starts (the default config).
    t = await startTestAura();
    const { token } = await t.login();
    const res = await t.request('/api/openapi.json', { token });
    expect(res.status).toBe(200);
    doc = (await res.json()) as Document;
  });
  afterAll(() => t?.close());

  it('is for signed-in users only', async () => {
    const res = await t.request('/api/openapi.json');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it("answers a file the reference page does not have with Aura's JSON 404", async () => {
    for (const file of ['nope.js', 'constructor', '__proto__']) {
      const res = await t.request(`/api-reference/${file}`);
      expect([res.status, await res.json()]).toEqual([
        404,
        { detail: `No file ${file} in the API reference.`, code: 'NOT_FOUND' },
      ]);
    }
    expect((await t.request('/api-reference/swagger-ui.css')).headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validateOpenApi(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('lists every mounted route, core and plugins, with its path parameters', () => {
    const routes = t.aura.routes();
    expect(routes.length).toBeGreaterThan(40);
    const missing = routes
      .map((r) => ({ ...r, path: r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}') }))
      .filter((r) => !doc.paths[r.path]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
    const restart = doc.paths['/api/servers/{serverId}/services/{unit}/{action}']!.post!;
    expect(restart.parameters?.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(['serverId', 'unit', 'action']);
    expect(restart.tags).toEqual(['services']);
  });

  it('describes input from the schemas the routes parse it with', async () => {
    const audit = doc.paths['/api/audit']!.get!;
    expect(audit.parameters).toContainEqual({
      name: 'limit',
      in: 'query',
      required: false,
      schema: expect.objectContaining({ maximum: 200 }),
    });
    // The same schema answers: a limit over 200 is refused as the document says.
    const { token } = await t.login();
    expect((await t.request('/api/audit?limit=201', { token })).status).toBe(400);
    const exec = doc.paths['/api/servers/{serverId}/exec']!.post!;
    expect(exec.requestBody?.content['application/json'].schema.required).toEqual(['command']);
  });

  it("names each plugin's error codes and who may call a route", () => {
    const exec = doc.paths['/api/servers/{serverId}/exec']!.post!;
    expect(exec.responses['403']!.description).toContain('`COMMAND_DENIED`');
    expect(exec.responses['403']!.description).toContain('`FORBIDDEN`');
    expect(exec.responses['503']!.description).toContain('`PLUGIN_UNAVAILABLE`');
    const health = doc.paths['/api/health']!.get!;
    expect(health.security).toEqual([]);
    expect(health.responses['401']).toBeUndefined();
  });

  it('says which reads are for admins only, and what a viewer route and a change may be refused', () => {
    const who = (p: string, method: string) => (doc.paths[p]![method] as Operation & { description: string }).description;
    const codes = (p: string, method: string) =>
      Object.values(doc.paths[p]![method]!.responses)
        .flatMap((r) => [...r.description.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]))
        .filter((c) => c === 'FORBIDDEN' || c === 'ORIGIN_REFUSED');
    // A read behind requireAdmin: the token list, exec's history.
    expect([who('/api/tokens', 'get'), codes('/api/tokens', 'get')]).toEqual(['Admins.', ['FORBIDDEN']]);
    expect(who('/api/servers/{serverId}/exec/history', 'get')).toBe('Admins.');
    // A plain read.
    expect([who('/api/servers/{serverId}/ports', 'get'), codes('/api/servers/{serverId}/ports', 'get')]).toEqual([
      'Signed-in users.',
      [],
    ]);
    // A viewer route: anyone signed in, refused per tool, and a cookie still needs Aura's Origin.
    const run = '/api/servers/{serverId}/commands/{id}/run';
    expect([who(run, 'post'), codes(run, 'post')]).toEqual(['Signed-in users.', ['FORBIDDEN', 'ORIGIN_REFUSED']]);
    expect([who('/api/tokens', 'post'), codes('/api/tokens', 'post')]).toEqual(['Admins.', ['FORBIDDEN', 'ORIGIN_REFUSED']]);
  });
});

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Router from '@koa/router';
import type { Auth } from './auth/index.ts';
import { notFound } from './errors.ts';
import type { AuraState } from './plugin.ts';

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Aura API reference</title>
    <link rel="stylesheet" href="/api-reference/swagger-ui.css" />
  </head>
  <body>
    <p style="margin: 0.75rem 1.25rem; font-family: system-ui, sans-serif"><a href="/">← Back to Aura</a></p>
    <div id="reference"></div>
    <script src="/api-reference/swagger-ui-bundle.js"></script>
    <script src="/api-reference/start.js"></script>
  </body>
</html>
`;

// The page's own script is a file, not inline: the UI's CSP allows scripts from Aura only.
const START = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#reference',
  deepLinking: true,
  tryItOutEnabled: false,
  // Same origin: the session cookie signs the requests "Try it out" sends.
  withCredentials: true,
  validatorUrl: 'none',
});
`;

/**
 * GET /api-reference: the OpenAPI document (GET /api/openapi.json) read by Swagger UI, served
 * from Aura's own node_modules — no CDN. Signed-in users only; others are sent to sign in.
 */
export function apiReference(auth: Auth): Router<AuraState> {
  const dist = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const assets: Record<string, { type: string; body: Buffer | string }> = {
    'swagger-ui-bundle.js': { type: 'text/javascript', body: readFileSync(path.join(dist, 'swagger-ui-bundle.js')) },
    'swagger-ui.css': { type: 'text/css', body: readFileSync(path.join(dist, 'swagger-ui.css')) },
    'start.js': { type: 'text/javascript', body: START },
  };
  const router = new Router<AuraState>({ prefix: '/api-reference' });
  router.get('/', (ctx) => {
    if (!auth.identify(ctx.req).user) return ctx.redirect('/login?next=%2Fapi-reference');
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = PAGE;
  });
  router.get('/:file', (ctx) => {
    const asset = Object.hasOwn(assets, ctx.params.file!) ? assets[ctx.params.file!] : undefined;
    if (!asset) throw notFound(`No file ${ctx.params.file} in the API reference.`);
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = asset.body;
  });
  return router;
}

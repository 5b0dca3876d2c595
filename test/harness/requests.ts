import { Writable } from 'node:stream';

export interface AuraRequestInit extends RequestInit {
  /** A bearer or API token. */
  token?: string;
  /** A Cookie header; the request then also sends Aura's own Origin, as a browser would. */
  cookie?: string;
  /** Sent as a JSON body. */
  json?: unknown;
}

/** fetch against an Aura at `base`, signed as asked, never following redirects. */
export function auraFetch(base: string, urlPath: string, init: AuraRequestInit = {}): Promise<Response> {
  const { token, cookie, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (cookie) {
    headers.set('cookie', cookie);
    if (!headers.has('origin')) headers.set('origin', base);
  }
  let body = rest.body;
  if (json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(json);
  }
  return fetch(`${base}${urlPath}`, { ...rest, headers, body, redirect: 'manual' });
}

/** A stream that keeps what is written to it: for a logger's lines or a command's output. */
export function captureLines(): { stream: Writable; lines: string[]; text(): string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, lines, text: () => lines.join('') };
}

/** Signs in as the local admin with a password and answers the bearer token (the benches' Auras). */
export async function adminToken(base: string, password: string): Promise<string> {
  const login = await auraFetch(base, '/auth/login', { method: 'POST', json: { username: 'admin', password } });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  return ((await login.json()) as { token: string }).token;
}

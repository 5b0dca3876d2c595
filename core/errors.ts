/**
 * Client-facing errors. Every code is declared once, with its status and meaning, in a
 * catalogue: the core's below, and each plugin's own (`errors` in its definition). An
 * AuraError's detail is shown to the client; any other error becomes a 500 INTERNAL whose
 * message stays in the log.
 */
export class AuraError extends Error {
  readonly status: number;
  readonly code: string;
  readonly expose = true;
  readonly extra?: Record<string, unknown>;

  constructor(status: number, code: string, detail: string, extra?: Record<string, unknown>) {
    super(detail);
    this.name = 'AuraError';
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

export const ERROR_CODE = /^[A-Z][A-Z0-9_]+$/;

export interface ErrorSpec {
  status: number;
  /** When this happens, for the catalogue in the docs. */
  meaning: string;
}

/** A declared error: call it with the detail for this occurrence. */
export interface ErrorFactory extends ErrorSpec {
  code: string;
  (detail: string, extra?: Record<string, unknown>): AuraError;
}

export type ErrorCatalogue<K extends string = string> = { readonly [C in K]: ErrorFactory };

/**
 * Declares error codes with their status and meaning, and gives back a factory per code, so
 * a code that is not declared cannot be thrown (Fastify's lib/errors.js, in one table).
 */
export function defineErrors<K extends string>(specs: Record<K, ErrorSpec>): ErrorCatalogue<K> {
  const out = {} as Record<K, ErrorFactory>;
  for (const code of Object.keys(specs) as K[]) {
    const { status, meaning } = specs[code];
    if (!ERROR_CODE.test(code) || !Number.isInteger(status) || status < 400 || status > 599)
      throw new Error(`error ${code}: codes are UPPER_SNAKE_CASE with a 4xx or 5xx status`);
    const make = (detail: string, extra?: Record<string, unknown>) => new AuraError(status, code, detail, extra);
    out[code] = Object.assign(make, { code, status, meaning });
  }
  return out;
}

/** The core's own codes; plugins may answer with these too. */
export const coreErrors = defineErrors({
  VALIDATION_ERROR: { status: 400, meaning: 'The request, a socket payload or a tool input failed validation.' },
  INVALID_COMMAND: { status: 400, meaning: 'A host command was malformed (empty, not strings, NUL bytes).' },
  UNAUTHENTICATED: { status: 401, meaning: 'No valid session, bearer token or API token.' },
  INVALID_CREDENTIALS: { status: 401, meaning: 'Wrong username or password.' },
  FORBIDDEN: { status: 403, meaning: "The user's role does not allow this." },
  ORIGIN_REFUSED: { status: 403, meaning: "A cookie-signed change did not come from Aura's own origin." },
  LOCAL_LOGIN_DISABLED: { status: 403, meaning: 'The local admin login is turned off.' },
  FILE_PERMISSION_DENIED: { status: 403, meaning: 'A host file could not be read or written: permission denied.' },
  NOT_FOUND: { status: 404, meaning: 'No such route or object.' },
  SERVER_NOT_FOUND: { status: 404, meaning: 'No server with that id is configured.' },
  TOKEN_NOT_FOUND: { status: 404, meaning: 'The user has no API token with that id.' },
  TOOL_NOT_FOUND: { status: 404, meaning: 'No started plugin offers an agent tool by that name.' },
  GOOGLE_NOT_CONFIGURED: { status: 404, meaning: 'Google sign-in is not configured.' },
  FILE_NOT_FOUND: { status: 404, meaning: 'A host file does not exist.' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'The route exists, but not for this HTTP method.' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The body is larger than bodyLimitKb.' },
  TOO_MANY_ATTEMPTS: { status: 429, meaning: 'Too many failed sign-ins; retry after the time given.' },
  INTERNAL: { status: 500, meaning: 'An unexpected error; the details are in the server log only.' },
  SSH_ERROR: { status: 502, meaning: 'An SSH server could not be reached or refused a session.' },
  SSH_KEY_UNREADABLE: { status: 502, meaning: "The server's private key file could not be read." },
  HOST_KEY_MISMATCH: { status: 502, meaning: "An SSH server's host key is unknown or differs from the pinned one." },
  GOOGLE_ERROR: { status: 502, meaning: 'Google sign-in could not start.' },
  DIAL_FAILED: { status: 502, meaning: 'A stream to a socket or command on a host could not be opened, or its command failed.' },
  FILE_ERROR: { status: 502, meaning: 'A host file could not be read or written.' },
  PLUGIN_UNAVAILABLE: { status: 503, meaning: "The plugin's conditions are not met on this server; the detail says why." },
  UI_NOT_BUILT: { status: 503, meaning: 'The web UI has not been built yet.' },
  COMMAND_TIMEOUT: { status: 504, meaning: 'A host command did not finish in time and was stopped.' },
  PLUGIN_TIMEOUT: { status: 500, meaning: "A plugin's setup or stop did not finish within pluginTimeoutSeconds." },
  DEPENDENCY_MISSING: { status: 500, meaning: 'A plugin depends on one that is disabled, missing or failed.' },
});

export const badRequest = (detail: string, extra?: Record<string, unknown>) => coreErrors.VALIDATION_ERROR(detail, extra);
export const unauthenticated = (detail = 'Sign in to continue.') => coreErrors.UNAUTHENTICATED(detail);
export const forbidden = (detail = 'Your role does not allow this action.') => coreErrors.FORBIDDEN(detail);
export const notFound = (detail = 'Not found.') => coreErrors.NOT_FOUND(detail);

const codeByStatus: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
};

export interface ErrorBody {
  detail: string;
  code: string;
  [key: string]: unknown;
}

/** Maps anything thrown to a status and the JSON body the client sees. */
export function toErrorBody(err: unknown): { status: number; body: ErrorBody; internal: boolean } {
  const e = err as {
    status?: unknown;
    statusCode?: unknown;
    code?: unknown;
    expose?: unknown;
    message?: unknown;
    extra?: unknown;
  };
  // Only our own errors and http-errors marked `expose` choose the status: a library's
  // statusCode (dockerode's 304 or 401) must not reach the client as ours.
  const trusted = err instanceof AuraError || e?.expose === true;
  const status = trusted ? Number(e.status ?? e.statusCode) || 500 : 500;
  if (status >= 500 && !(err instanceof AuraError)) {
    return { status: 500, body: { detail: 'Internal error; see the server log.', code: 'INTERNAL' }, internal: true };
  }
  const code = typeof e.code === 'string' && ERROR_CODE.test(e.code) ? e.code : (codeByStatus[status] ?? 'ERROR');
  const detail = e.expose !== false && typeof e.message === 'string' && e.message ? e.message : 'Request failed.';
  const extra = (e.extra && typeof e.extra === 'object' ? e.extra : {}) as Record<string, unknown>;
  return { status, body: { ...extra, detail, code }, internal: status >= 500 };
}

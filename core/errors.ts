/**
 * One catalogue of client-facing errors. An AuraError's detail is shown to the client;
 * any other error becomes a 500 INTERNAL whose message stays in the log.
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

export const badRequest = (detail: string, extra?: Record<string, unknown>) =>
  new AuraError(400, 'VALIDATION_ERROR', detail, extra);
export const unauthenticated = (detail = 'Sign in to continue.') => new AuraError(401, 'UNAUTHENTICATED', detail);
export const forbidden = (detail = 'Your role does not allow this action.') => new AuraError(403, 'FORBIDDEN', detail);
export const notFound = (detail = 'Not found.') => new AuraError(404, 'NOT_FOUND', detail);

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
  const code = typeof e.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(e.code) ? e.code : (codeByStatus[status] ?? 'ERROR');
  const detail = e.expose !== false && typeof e.message === 'string' && e.message ? e.message : 'Request failed.';
  const extra = (e.extra && typeof e.extra === 'object' ? e.extra : {}) as Record<string, unknown>;
  return { status, body: { ...extra, detail, code }, internal: status >= 500 };
}

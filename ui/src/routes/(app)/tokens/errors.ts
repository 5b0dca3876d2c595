import { ApiError } from '@aura/ui';

export interface FormErrors {
  name?: string;
  days?: string;
  /** Neither field's: Aura cannot be reached, or something else went wrong. */
  form?: string;
}

/**
 * Puts the server's refusal under the field it is about. A limit in the answer ("at most 7
 * days") is returned too, so the field's max follows what this server allows.
 */
export function formErrors(err: unknown): { errors: FormErrors; limit?: number } {
  const detail = err instanceof ApiError ? err.detail : String((err as Error)?.message ?? err);
  const limit = /at most (\d+) days/.exec(detail)?.[1];
  if (limit || /expiresInDays|outlive/.test(detail))
    return { errors: { days: detail }, limit: limit ? Number(limit) : undefined };
  if (/\bname\b/.test(detail)) return { errors: { name: detail } };
  return { errors: { form: err instanceof ApiError && err.code !== 'NETWORK_ERROR' ? `${detail} (${err.code})` : detail } };
}

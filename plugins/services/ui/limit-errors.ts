/** What a failed PUT …/limits said, by field; `form` holds what belongs to no one field. */
export interface LimitErrors {
  cpuQuota?: string;
  memoryMax?: string;
  form?: string;
}

type Issue = { path: string; message: string };
type Failure = { detail?: string; code?: string; issues?: Issue[] };

/**
 * A 400 VALIDATION_ERROR lists its `issues`; where the error object does not carry them, the
 * detail ("Invalid input: cpuQuota: must be …; memoryMax: …") names the same fields.
 */
function issuesOf(err: Failure): Issue[] {
  if (err.issues) return err.issues;
  const detail = err.detail?.replace(/^Invalid input: /, '') ?? '';
  return detail.split('; ').flatMap((part) => {
    const m = /^(cpuQuota|memoryMax): (.*)$/s.exec(part);
    return m ? [{ path: m[1]!, message: m[2]! }] : [];
  });
}

export function limitErrors(error: unknown): LimitErrors {
  const err = (error ?? {}) as Failure;
  const out: LimitErrors = {};
  if (err.code === 'VALIDATION_ERROR') {
    // The first word on a field is the one that explains it; later ones follow from it.
    for (const i of issuesOf(err)) if (i.path === 'cpuQuota' || i.path === 'memoryMax') out[i.path] ??= i.message;
  }
  if (!out.cpuQuota && !out.memoryMax) out.form = `${err.detail ?? String(error)}${err.code ? ` (${err.code})` : ''}`;
  return out;
}

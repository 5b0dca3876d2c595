/** `scheme://user:password@`: the password goes, the rest stays readable. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]+):([^\s/@]+)@/gi;
/** Environment variables whose values are secrets, by their names. */
const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE|CREDENTIAL/i;
/** Shorter values would match ordinary words. */
const MIN_SECRET_LENGTH = 6;

export type Redact = (text: string) => string;

/** The values of the environment's secret-looking variables (ADMIN_PASSWORD, GEMINI_API_KEY, …). */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value && value.length >= MIN_SECRET_LENGTH)
    .map(([, value]) => value!);
}

/**
 * Hides secrets in text that may reach a log or a client (a plugin's error, a library's
 * message): URL credentials, and the given secret values wherever they appear.
 */
export function redactor(values: string[]): Redact {
  const known = [...new Set(values.filter((v) => v.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.replace(URL_CREDENTIALS, '$1:[redacted]@');
    for (const v of known) if (out.includes(v)) out = out.split(v).join('[redacted]');
    return out;
  };
}

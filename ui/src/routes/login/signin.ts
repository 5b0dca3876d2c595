/** What the login page remembers and how it signs in; kept out of the page so it stays short. */

const LAST_USER = 'aura-last-username';

/** The username of the last successful sign-in in this browser, or "admin". */
export function lastUsername(): string {
  try {
    return localStorage.getItem(LAST_USER) || 'admin';
  } catch {
    return 'admin'; // storage disabled
  }
}

function remember(username: string) {
  try {
    localStorage.setItem(LAST_USER, username);
  } catch {
    // Storage disabled: the next visit starts from "admin" again.
  }
}

/** "N minutes" when it is a minute and a half or more, else "N seconds"; never 0. */
export function waitText(seconds: number): string {
  if (seconds >= 90) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minutes`;
  }
  const s = Math.max(1, Math.ceil(seconds));
  return s === 1 ? '1 second' : `${s} seconds`;
}

/**
 * POST /auth/login. Throws an Error whose message is what the page shows. Plain fetch rather
 * than api(): a throttled attempt's wait is in the Retry-After header and the body's retryAfter.
 */
export async function signIn(username: string, password: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
      credentials: 'same-origin',
    });
  } catch {
    throw new Error('Aura cannot be reached. Is it running?');
  }
  if (res.ok) return remember(username);
  const data = (await res.json().catch(() => null)) as { detail?: string; retryAfter?: number } | null;
  if (res.status === 429) {
    const seconds = Number(data?.retryAfter ?? res.headers.get('retry-after'));
    throw new Error(
      Number.isFinite(seconds) && seconds > 0
        ? `Too many attempts — try again in ${waitText(seconds)}.`
        : 'Too many attempts — try again later.',
    );
  }
  throw new Error(data?.detail ?? 'Sign-in failed.');
}

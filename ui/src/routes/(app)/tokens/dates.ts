const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Largest first. Days go up to a year: "expires in 90 days" says more than "in 3 months".
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * DAY],
  ['day', DAY],
  ['hour', HOUR],
  ['minute', MINUTE],
];

// The UI's words are English; the phrase must read as one ("created 2 minutes ago").
const phrase = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

/** "2 minutes ago", "in 30 days", "just now": how far `iso` is from `now`. */
export function relative(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  if (abs < MINUTE) return ms <= 0 ? 'just now' : 'in under a minute';
  const [unit, size] = UNITS.find(([, size]) => abs >= size)!;
  return phrase.format(Math.round(ms / size), unit);
}

/** The exact moment, in the reader's own locale and time zone: for the tooltip. */
export function exact(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** How each date of a token reads in its row or card. */
export const created = (iso: string, now: number) => `created ${relative(iso, now)}`;
export const expires = (iso: string, now: number) => `${Date.parse(iso) > now ? 'expires' : 'expired'} ${relative(iso, now)}`;
export const lastUsed = (iso: string | null, now: number) => (iso ? `used ${relative(iso, now)}` : 'never used');

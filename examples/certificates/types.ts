/** What the route and the tool answer; the panel and the card import these types too. */

/** One certificate folder under the configured dir (certbot's `live/<name>/`): read, or why not. */
export type CertificateEntry = ParsedCertificate | UnreadableCertificate;

export interface ParsedCertificate {
  name: string;
  path: string;
  /** e.g. `CN=example.org`; several parts joined by `, `. */
  subject: string;
  issuer: string;
  /** The subjectAltName entries: DNS names bare (`example.org`), others typed (`IP Address:192.0.2.1`). */
  altNames: string[];
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** Whole days until validTo, rounded down; negative once it has expired. */
  daysLeft: number;
  /** daysLeft is at most the plugin's warnDays (expired ones included). */
  expiringSoon: boolean;
  error?: undefined;
}

export interface UnreadableCertificate {
  name: string;
  path: string;
  /** Why this one could not be read or parsed, as every Aura error is shaped. */
  error: { detail: string; code: string };
}

export interface CertificateList {
  dir: string;
  warnDays: number;
  /** Sorted: unreadable ones first, then by days left. */
  certificates: CertificateEntry[];
  /** Said instead of an error when there is nothing to read (the folder does not exist). */
  note?: string;
}

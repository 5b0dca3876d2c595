/** A token as GET /api/tokens lists it (never its secret). */
export interface TokenInfo {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

/** POST /api/tokens's answer: the secret, this once. */
export interface Created extends TokenInfo {
  token: string;
}

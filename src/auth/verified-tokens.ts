import { hash } from 'node:crypto';
import type { AccessClaims } from './token-claims.js';

/** The claims jsonwebtoken returned for a token it accepted (the standard ones included). */
export type VerifiedClaims = AccessClaims & { exp: number; nbf?: number };

/**
 * Access-token strings that jsonwebtoken has already accepted in this process, with their
 * claims. An SPA sends the same access token with every request for its whole lifetime, and
 * verifying it (decode, HMAC, claim checks) was the largest single cost of a protected
 * request, larger than the session lookup. Equal strings carry equal signatures and claims,
 * so a repeat only needs its time checks again; everything else about the request (session
 * live, user active, role, typ) is still checked every time by the strategy.
 *
 * Only verified tokens get in, so filling it takes valid tokens, i.e. logins; it holds at
 * most `capacity` entries (oldest out first, ~0.5 KB each) and an expired entry is dropped
 * when it is next presented. A new process (or JWT_SECRET) starts empty, and a change of the
 * signing keys empties it. Entries are keyed by a SHA-256 digest of the token, not the string
 * itself: a key would keep the request's header string (and whatever a client padded it with)
 * alive for as long as the entry.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedClaims>();

  constructor(private readonly capacity: number) {}

  /** The claims of a token verified before, if it is still within its validity window. */
  get(token: string, nowSeconds = Date.now() / 1000): VerifiedClaims | undefined {
    const key = digest(token);
    const claims = this.entries.get(key);
    if (claims === undefined) return undefined;
    if (claims.exp <= nowSeconds || (claims.nbf !== undefined && claims.nbf > nowSeconds)) {
      // Expired: the full verification produces the proper "expired" answer.
      this.entries.delete(key);
      return undefined;
    }
    return claims;
  }

  /** Tokens without a numeric expiry are never remembered (the service always sets one). */
  remember(token: string, claims: AccessClaims & { exp?: unknown; nbf?: unknown }): void {
    if (typeof claims.exp !== 'number' || (claims.nbf !== undefined && typeof claims.nbf !== 'number')) return;
    const key = digest(token);
    if (this.entries.has(key)) return;
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, claims as VerifiedClaims);
  }

  /** After the key set changed: a token of a removed key must not outlive it here. */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

function digest(token: string): string {
  // The one-shot form: no Hash object per request (Node 20.12+).
  return hash('sha256', token, 'base64url');
}

import type { IncomingHttpHeaders } from 'node:http';

/**
 * The longest `Authorization` header taken for a bearer token. The service's tokens are
 * well under 1 KB (claims are ids and short strings); 4 KB leaves room for a kid header and
 * larger signatures without letting a client park megabytes in a header.
 */
export const MAX_AUTHORIZATION_LENGTH = 4096;

/** `Bearer`, in any letter case, exactly one space, then one compact JWS (three base64url parts). */
const BEARER_JWT = /^bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/**
 * The token of an `Authorization: Bearer <jwt>` header, or null for anything else (another
 * scheme, extra spaces, a second word, a token that is not JWT-shaped, an oversized header).
 * passport-jwt's own extractor takes `Bearer <token> <junk>` and hands the header on whole.
 */
export function bearerTokenFrom(request: { headers: IncomingHttpHeaders }): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || header.length > MAX_AUTHORIZATION_LENGTH) return null;
  return BEARER_JWT.exec(header)?.[1] ?? null;
}

/**
 * The claims every token this service issues carries. jsonwebtoken only checks `exp` when
 * it is present, so a well-signed token without one would be accepted for ever: a token
 * missing any of them is refused, whatever its signature.
 */
export function hasRequiredClaims(claims: unknown, typ: 'access' | 'refresh'): boolean {
  if (typeof claims !== 'object' || claims === null) return false;
  const { sub, sid, jti, typ: type, iat, exp } = claims as Record<string, unknown>;
  return (
    type === typ &&
    nonEmptyString(sub) &&
    nonEmptyString(sid) &&
    nonEmptyString(jti) &&
    Number.isFinite(iat) &&
    Number.isFinite(exp)
  );
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

import type { Role } from './role.enum.js';

/**
 * The caller as the per-request session lookup found it: role and status are the
 * database's current values, not the token's claims.
 */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  sessionId: string;
  /** True only for access tokens minted by a password login. */
  fresh: boolean;
  /** The rest of the caller's user row, read by the same lookup: GET /users/me needs no second query. */
  profile: {
    name: string | null;
    createdAt: Date;
    updatedAt: Date;
    lastLoginAt: Date | null;
  };
}

// A type only: the user's public shape is defined once, by its DTO.
import type { UserResponseDto } from '../users/dto/user-response.dto.js';
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
  /** True only for the first access token of a completed interactive login. */
  fresh: boolean;
  /** The caller's user row as the same lookup read it: GET /users/me needs no second query. */
  profile: UserResponseDto;
}

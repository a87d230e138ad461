import type { AuthMethod } from '../common/auth-method.js';
import type { Role } from '../common/role.enum.js';

export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  role: Role;
  fresh: boolean;
  /** How the session's login was made; tokens minted before the claim existed lack it. */
  amr?: AuthMethod[];
  typ: 'access';
}

export interface RefreshClaims {
  sub: string;
  sid: string;
  jti: string;
  typ: 'refresh';
}

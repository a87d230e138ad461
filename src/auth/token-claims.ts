import type { Role } from '../common/role.enum.js';

export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  role: Role;
  fresh: boolean;
  typ: 'access';
}

export interface RefreshClaims {
  sub: string;
  sid: string;
  jti: string;
  typ: 'refresh';
}

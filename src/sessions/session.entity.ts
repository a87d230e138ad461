import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AuthMethod } from '../common/auth-method.js';

/** How a session's refresh token travels: in response bodies, or only in the HttpOnly cookie. */
export type SessionTransport = 'bearer' | 'cookie';

/** One row per login; its id is the `sid` claim of every token the login yields. */
@Entity('sessions')
export class Session {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('IDX_sessions_user_id')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /** The `jti` of the only refresh token of this session that may still be used. */
  @Column({ name: 'refresh_jti', type: 'varchar', length: 36 })
  refreshJti: string;

  /** How the login was made; refreshed tokens carry it on. Stored space-separated. */
  @Column({
    type: 'varchar',
    length: 64,
    transformer: { to: (amr: AuthMethod[]) => amr.join(' '), from: (stored: string) => stored.split(' ') as AuthMethod[] },
  })
  amr: AuthMethod[];

  @Column({ name: 'user_agent', type: 'varchar', length: 255, nullable: true })
  userAgent: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ name: 'created_at', type: Date, precision: 3 })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: Date, precision: 3 })
  lastUsedAt: Date;

  /** Chosen at login and never changed: a cookie session's refresh token never appears in a body. */
  @Column({ type: 'varchar', length: 6, default: 'bearer' })
  transport: SessionTransport;

  /** When the current refresh token expires; an idle session dies with it. Never past created_at + SESSION_MAX_AGE. */
  @Index('IDX_sessions_expires_at')
  @Column({ name: 'expires_at', type: Date, precision: 3 })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: Date, precision: 3, nullable: true })
  revokedAt: Date | null;
}

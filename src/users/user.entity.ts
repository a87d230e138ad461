import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Role } from '../common/role.enum.js';

export enum UserStatus {
  Pending = 'pending',
  Active = 'active',
  Disabled = 'disabled',
}

@Entity('users')
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** As the user typed it; shown back to them. */
  @Column({ type: 'varchar', length: 32 })
  username: string;

  /** Lower-cased copy with the unique index: both databases then agree on "taken". */
  @Column({ name: 'username_normalized', type: 'varchar', length: 32 })
  usernameNormalized: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  name: string | null;

  /** As the user typed it; null when the account has no address. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  /** Lower-cased copy with the unique index (byte-wise on MySQL), like usernameNormalized. */
  @Column({ name: 'email_normalized', type: 'varchar', length: 254, nullable: true })
  emailNormalized: string | null;

  /** True once the owner followed a link mailed to `email`; a new address starts unverified. */
  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified: boolean;

  /** Null for an account made by an OpenID Connect login that never set a password. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash: string | null;

  @Column({ type: 'varchar', length: 16 })
  role: Role;

  @Column({ type: 'varchar', length: 16 })
  status: UserStatus;

  @Column({ name: 'created_at', type: Date, precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: Date, precision: 3 })
  updatedAt: Date;

  @Column({ name: 'last_login_at', type: Date, precision: 3, nullable: true })
  lastLoginAt: Date | null;

  /** True while a confirmed authenticator app guards the account's logins. */
  @Column({ name: 'mfa_enabled', type: 'boolean', default: false })
  mfaEnabled: boolean;
}

export { normalizeUsername } from '../common/username.js';

/**
 * Lower-cases the whole address. Strictly the local part is case-sensitive, but no real
 * mailbox provider treats it so, and two accounts differing only by case would be a trap.
 */
export function normalizeEmail(email: string): string {
  return email.toLowerCase();
}

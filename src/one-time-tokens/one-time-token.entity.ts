import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A single-use secret (a reset or verification link, an mfa token, a passkey challenge,
 * OIDC state): only its SHA-256 is stored, so the table never holds a usable token.
 */
@Entity('one_time_tokens')
@Index('IDX_one_time_tokens_purpose_subject', ['purpose', 'subject'])
export class OneTimeToken {
  /** sha256 hex of the token. */
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ type: 'varchar', length: 64 })
  purpose: string;

  /** The user it is for, when there is one; the token dies with the user. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  subject: string | null;

  /** JSON the issuer attached (e.g. the address a verification link confirms). */
  @Column({ type: 'text', nullable: true })
  data: string | null;

  @Column({ name: 'created_at', type: Date, precision: 3 })
  createdAt: Date;

  @Index('IDX_one_time_tokens_expires_at')
  @Column({ name: 'expires_at', type: Date, precision: 3 })
  expiresAt: Date;

  @Column({ name: 'used_at', type: Date, precision: 3, nullable: true })
  usedAt: Date | null;

  /** Checks made with it so far, for tokens that allow only a few (an mfa token's codes). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;
}

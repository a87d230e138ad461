import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user's authenticator app: at most one, pending until a code confirms it. */
@Entity('totp_authenticators')
export class TotpAuthenticator {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /** The base32 secret, sealed with ENCRYPTION_KEY (SecretBox, bound to userId). */
  @Column({ name: 'secret_sealed', type: 'varchar', length: 255 })
  secretSealed: string;

  /** Null while set-up is in progress: the secret does not guard logins yet. */
  @Column({ name: 'confirmed_at', type: Date, precision: 3, nullable: true })
  confirmedAt: Date | null;

  /** The time step of the last accepted code; only later steps are accepted (no replay). */
  @Column({ name: 'last_used_step', type: 'integer', nullable: true })
  lastUsedStep: number | null;

  @Column({ name: 'created_at', type: Date, precision: 3 })
  createdAt: Date;
}

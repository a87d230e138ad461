import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An account at an OpenID Provider, linked to one user of this service. */
@Entity('user_identities')
@Index('UQ_user_identities_provider_subject', ['provider', 'subject'], { unique: true })
@Index('UQ_user_identities_user_provider', ['userId', 'provider'], { unique: true })
export class UserIdentity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /** The provider's id in OIDC_PROVIDERS. */
  @Column({ type: 'varchar', length: 32 })
  provider: string;

  /** The provider's `sub`: stable and unique at that provider. */
  @Column({ type: 'varchar', length: 255 })
  subject: string;

  /** The address the provider gave at the last login, as information only (never used to match). */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  @Column({ name: 'linked_at', type: Date, precision: 3 })
  linkedAt: Date;
}

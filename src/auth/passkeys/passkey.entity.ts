import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A WebAuthn credential (a passkey) registered by a user. */
@Entity('passkeys')
export class Passkey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('IDX_passkeys_user_id')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /**
   * The credential id in lower-case hex, not base64url: MySQL's default collations compare
   * case-insensitively, and base64url ids differing only in case are different credentials.
   */
  @Index('UQ_passkeys_credential_id', { unique: true })
  @Column({ name: 'credential_id', type: 'varchar', length: 512 })
  credentialId: string;

  /** COSE public key, base64url. */
  @Column({ name: 'public_key', type: 'text' })
  publicKey: string;

  /** The authenticator's signature counter as last seen; 0 for authenticators that do not count. */
  @Column({ type: 'bigint', transformer: { to: (value: number) => value, from: (value: string | number) => Number(value) } })
  counter: number;

  /** Comma-separated transports the browser reported (usb, nfc, ble, internal, hybrid, ...). */
  @Column({ type: 'varchar', length: 255 })
  transports: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ name: 'created_at', type: Date, precision: 3 })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: Date, precision: 3, nullable: true })
  lastUsedAt: Date | null;
}

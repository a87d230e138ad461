import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One fixed window of one counter (a client's auth requests, an account's login attempts),
 * shared by every instance through the database.
 */
@Entity('abuse_counters')
export class AbuseCounter {
  /** sha256 hex of scope and key: no raw username or address is stored. */
  @PrimaryColumn({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash: string;

  /** Which policy counts here (`auth`, `lockout`); for operators and tests. */
  @Column({ type: 'varchar', length: 32 })
  scope: string;

  @Column({ type: 'int', default: 0 })
  hits: number;

  @Column({ name: 'window_ends_at', type: Date, precision: 3 })
  windowEndsAt: Date;

  @Column({ name: 'blocked_until', type: Date, precision: 3, nullable: true })
  blockedUntil: Date | null;
}

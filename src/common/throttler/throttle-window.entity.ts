import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One fixed rate-limit window per throttler key, shared by every instance. */
@Entity('throttle_windows')
export class ThrottleWindow {
  /** The throttler's key (already a sha256 hex digest). */
  @PrimaryColumn({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash: string;

  @Column({ type: 'int', default: 0 })
  hits: number;

  @Column({ name: 'window_ends_at', type: Date, precision: 3 })
  windowEndsAt: Date;

  @Column({ name: 'blocked_until', type: Date, precision: 3, nullable: true })
  blockedUntil: Date | null;
}

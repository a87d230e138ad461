import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Consecutive unsuccessful logins for one username, known or not: keying unknown names too
 * means a lockout never reveals which usernames exist.
 */
@Entity('login_attempts')
export class LoginAttempt {
  /** sha256 hex of the normalized username. */
  @PrimaryColumn({ name: 'username_hash', type: 'varchar', length: 64 })
  usernameHash: string;

  @Column({ type: 'int', default: 0 })
  failures: number;

  /** Attempts are counted when they start, so a burst of parallel guesses cannot outrun the count. */
  @Column({ name: 'last_attempt_at', type: Date, precision: 3 })
  lastAttemptAt: Date;

  @Column({ name: 'locked_until', type: Date, precision: 3, nullable: true })
  lockedUntil: Date | null;
}

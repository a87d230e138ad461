import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One single-use recovery code, stored as its SHA-256 only. */
@Entity('recovery_codes')
@Index('IDX_recovery_codes_user_code', ['userId', 'codeHash'], { unique: true })
export class RecoveryCode {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ name: 'used_at', type: Date, precision: 3, nullable: true })
  usedAt: Date | null;

  @Column({ name: 'created_at', type: Date, precision: 3 })
  createdAt: Date;
}

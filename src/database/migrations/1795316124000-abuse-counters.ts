import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampColumn } from './column-types.js';


/**
 * Login failure counters and rate-limit windows live in the database so every instance
 * shares them. Keys are sha256 hex digests, never the raw username or address.
 */
export class AbuseCounters1795316124000 implements MigrationInterface {
  name = 'AbuseCounters1795316124000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumn(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'login_attempts',
        columns: [
          { name: 'username_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'failures', type: 'int', default: 0 },
          timestamp('last_attempt_at'),
          timestamp('locked_until', true),
        ],
        indices: [{ name: 'IDX_login_attempts_last_attempt_at', columnNames: ['last_attempt_at'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'throttle_windows',
        columns: [
          { name: 'key_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'hits', type: 'int', default: 0 },
          timestamp('window_ends_at'),
          timestamp('blocked_until', true),
        ],
        indices: [{ name: 'IDX_throttle_windows_window_ends_at', columnNames: ['window_ends_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('throttle_windows');
    await queryRunner.dropTable('login_attempts');
  }
}

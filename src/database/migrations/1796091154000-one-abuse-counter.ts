import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampColumn } from './column-types.js';

const counterTable = (
  timestamp: ReturnType<typeof timestampColumn>,
  name: string, keyColumn: string, countColumn: string, windowColumn: string, blockColumn: string) =>
  new Table({
    name,
    columns: [
      { name: keyColumn, type: 'varchar', length: '64', isPrimary: true },
      { name: countColumn, type: 'int', default: 0 },
      timestamp(windowColumn),
      timestamp(blockColumn, true),
    ],
    indices: [{ name: `IDX_${name}_${windowColumn}`, columnNames: [windowColumn] }],
  });

/**
 * The login lockout and the per-client throttle now share one fixed-window counter table.
 * The old tables held only short-lived counts, so they are dropped rather than copied: at
 * worst a lock or a throttle window in force during the upgrade starts over.
 */
export class OneAbuseCounter1796091154000 implements MigrationInterface {
  name = 'OneAbuseCounter1796091154000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumn(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'abuse_counters',
        columns: [
          { name: 'key_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'scope', type: 'varchar', length: '32' },
          { name: 'hits', type: 'int', default: 0 },
          timestamp('window_ends_at'),
          timestamp('blocked_until', true),
        ],
        indices: [{ name: 'IDX_abuse_counters_window_ends_at', columnNames: ['window_ends_at'] }],
      }),
    );
    await queryRunner.dropTable('login_attempts');
    await queryRunner.dropTable('throttle_windows');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumn(queryRunner);
    await queryRunner.createTable(counterTable(timestamp, 'throttle_windows', 'key_hash', 'hits', 'window_ends_at', 'blocked_until'));
    await queryRunner.createTable(counterTable(timestamp, 'login_attempts', 'username_hash', 'failures', 'last_attempt_at', 'locked_until'));
    await queryRunner.dropTable('abuse_counters');
  }
}

import { Table, TableColumn, type MigrationInterface, type QueryRunner, type TableForeignKeyOptions } from 'typeorm';
import { timestampColumn } from './column-types.js';
const toUser = (): TableForeignKeyOptions => ({ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' });

/**
 * Two-factor login: an authenticator app per user (secret sealed at rest), its recovery codes
 * (hashed), the user's `mfa_enabled` flag the per-request lookup reads, and a wrong-code
 * counter on one-time tokens so an mfa token dies after a few guesses.
 */
export class TwoFactor1796100200000 implements MigrationInterface {
  name = 'TwoFactor1796100200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumn(queryRunner);
    await queryRunner.addColumn('users', new TableColumn({ name: 'mfa_enabled', type: 'boolean', default: false }));
    await queryRunner.addColumn('one_time_tokens', new TableColumn({ name: 'attempts', type: 'integer', default: 0 }));
    await queryRunner.createTable(
      new Table({
        name: 'totp_authenticators',
        columns: [
          { name: 'user_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'secret_sealed', type: 'varchar', length: '255' },
          timestamp('confirmed_at', true),
          { name: 'last_used_step', type: 'integer', isNullable: true },
          timestamp('created_at'),
        ],
        foreignKeys: [toUser()],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'recovery_codes',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'code_hash', type: 'varchar', length: '64' },
          timestamp('used_at', true),
          timestamp('created_at'),
        ],
        indices: [{ name: 'IDX_recovery_codes_user_code', columnNames: ['user_id', 'code_hash'], isUnique: true }],
        foreignKeys: [toUser()],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('recovery_codes');
    await queryRunner.dropTable('totp_authenticators');
    await queryRunner.dropColumn('one_time_tokens', 'attempts');
    await queryRunner.dropColumn('users', 'mfa_enabled');
  }
}

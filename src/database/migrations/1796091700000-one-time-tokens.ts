import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampColumn } from './column-types.js';

/** One table for every single-use secret; rows hold the token's hash, never the token. */
export class OneTimeTokens1796091700000 implements MigrationInterface {
  name = 'OneTimeTokens1796091700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumn(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'one_time_tokens',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'purpose', type: 'varchar', length: '64' },
          { name: 'subject', type: 'varchar', length: '36', isNullable: true },
          { name: 'data', type: 'text', isNullable: true },
          timestamp('created_at'),
          timestamp('expires_at'),
          timestamp('used_at', true),
        ],
        indices: [
          { name: 'IDX_one_time_tokens_purpose_subject', columnNames: ['purpose', 'subject'] },
          { name: 'IDX_one_time_tokens_expires_at', columnNames: ['expires_at'] },
        ],
        foreignKeys: [
          { columnNames: ['subject'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('one_time_tokens');
  }
}

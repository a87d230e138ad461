import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampColumn } from './column-types.js';

/** WebAuthn credentials; they die with their user. */
export class Passkeys1796100100000 implements MigrationInterface {
  name = 'Passkeys1796100100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumn(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'passkeys',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'credential_id', type: 'varchar', length: '512' },
          { name: 'public_key', type: 'text' },
          { name: 'counter', type: 'bigint' },
          { name: 'transports', type: 'varchar', length: '255' },
          { name: 'name', type: 'varchar', length: '64' },
          timestamp('created_at'),
          timestamp('last_used_at', true),
        ],
        indices: [
          { name: 'UQ_passkeys_credential_id', columnNames: ['credential_id'], isUnique: true },
          { name: 'IDX_passkeys_user_id', columnNames: ['user_id'] },
        ],
        foreignKeys: [
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('passkeys');
  }
}

import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampColumn } from './column-types.js';

const id = { name: 'id', type: 'varchar', length: '36', isPrimary: true };
/** Written with the schema builder so the same migration runs on SQLite, MySQL and PostgreSQL. */
export class InitialSchema1763769600000 implements MigrationInterface {
  name = 'InitialSchema1763769600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    const timestamp = timestampColumn(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          id,
          { name: 'username', type: 'varchar', length: '32' },
          { name: 'username_normalized', type: 'varchar', length: '32' },
          { name: 'name', type: 'varchar', length: '100', isNullable: true },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '16' },
          timestamp('created_at'),
          timestamp('updated_at'),
          timestamp('last_login_at', true),
        ],
        uniques: [{ name: 'UQ_users_username_normalized', columnNames: ['username_normalized'] }],
        indices: [
          { name: 'IDX_users_status_created', columnNames: ['status', 'created_at'] },
          { name: 'IDX_users_role_status', columnNames: ['role', 'status'] },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          id,
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'refresh_jti', type: 'varchar', length: '36' },
          { name: 'user_agent', type: 'varchar', length: '255', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          timestamp('created_at'),
          timestamp('last_used_at'),
          timestamp('expires_at'),
          timestamp('revoked_at', true),
        ],
        indices: [
          { name: 'IDX_sessions_user_id', columnNames: ['user_id'] },
          { name: 'IDX_sessions_expires_at', columnNames: ['expires_at'] },
        ],
        foreignKeys: [
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );

    // The search copies compare byte-wise on MySQL, as SQLite does, so `q` means the same on both.
    const searchCollation = mysql ? 'utf8mb4_bin' : undefined;
    await queryRunner.createTable(
      new Table({
        name: 'authors',
        columns: [
          id,
          { name: 'owner_id', type: 'varchar', length: '36' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'book', type: 'varchar', length: '200' },
          { name: 'country', type: 'varchar', length: '60' },
          { name: 'booker_prize', type: 'boolean', default: false },
          { name: 'name_search', type: 'varchar', length: '100', collation: searchCollation },
          { name: 'book_search', type: 'varchar', length: '200', collation: searchCollation },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        uniques: [{ name: 'UQ_authors_owner_name_book', columnNames: ['owner_id', 'name', 'book'] }],
        indices: [
          { name: 'IDX_authors_owner_created', columnNames: ['owner_id', 'created_at', 'id'] },
          { name: 'IDX_authors_owner_name', columnNames: ['owner_id', 'name', 'id'] },
          { name: 'IDX_authors_owner_country', columnNames: ['owner_id', 'country'] },
        ],
        foreignKeys: [
          { columnNames: ['owner_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          id,
          timestamp('at'),
          { name: 'action', type: 'varchar', length: '64' },
          { name: 'actor_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'target_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'detail', type: 'text', isNullable: true },
        ],
        indices: [
          { name: 'IDX_audit_events_at', columnNames: ['at'] },
          { name: 'IDX_audit_events_action_at', columnNames: ['action', 'at'] },
          { name: 'IDX_audit_events_actor_at', columnNames: ['actor_id', 'at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_events');
    await queryRunner.dropTable('authors');
    await queryRunner.dropTable('sessions');
    await queryRunner.dropTable('users');
  }
}

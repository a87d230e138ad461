import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampColumn } from './column-types.js';

/**
 * Sign in with OpenID Connect: a provider's account (provider, subject) linked to one user,
 * at most one per provider and user. A user made by an OIDC login has no password, so
 * `users.password_hash` becomes nullable (on SQLite TypeORM rebuilds the table with foreign
 * keys off, as it does for every migration there).
 */
export class OidcIdentities1796100300000 implements MigrationInterface {
  name = 'OidcIdentities1796100300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await setPasswordHashNullable(queryRunner, true);
    const timestamp = timestampColumn(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'user_identities',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'provider', type: 'varchar', length: '32' },
          // OIDC caps `sub` at 255 ASCII characters; compared byte-wise like every key here.
          {
            name: 'subject',
            type: 'varchar',
            length: '255',
            collation: queryRunner.connection.options.type === 'mysql' ? 'utf8mb4_bin' : undefined,
          },
          { name: 'email', type: 'varchar', length: '254', isNullable: true },
          timestamp('linked_at'),
        ],
        indices: [
          { name: 'UQ_user_identities_provider_subject', columnNames: ['provider', 'subject'], isUnique: true },
          { name: 'UQ_user_identities_user_provider', columnNames: ['user_id', 'provider'], isUnique: true },
        ],
        foreignKeys: [
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('user_identities');
    // Passwordless accounts cannot survive a NOT NULL column: they lose their way to log in anyway.
    await queryRunner.query('DELETE FROM users WHERE password_hash IS NULL');
    await setPasswordHashNullable(queryRunner, false);
  }
}

async function setPasswordHashNullable(queryRunner: QueryRunner, nullable: boolean): Promise<void> {
  const table = await queryRunner.getTable('users');
  const column = table?.findColumnByName('password_hash');
  if (!table || !column) throw new Error('users.password_hash is missing');
  const changed = column.clone();
  changed.isNullable = nullable;
  await queryRunner.changeColumn(table, column, changed);
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * MySQL and MariaDB compare the lower-cased username key under the database's collation,
 * which folds accents (and pads spaces): "rôot_admin" found "root_admin". The key is now
 * compared byte-wise, as the authors' search keys already are, so neither lookups nor the
 * unique index depend on a collation. SQLite and PostgreSQL compare bytes already.
 * (utf8mb4_bin still pads trailing spaces, which cannot matter: a key never holds a space.)
 */
export class BinaryUsernameKey1796091155000 implements MigrationInterface {
  name = 'BinaryUsernameKey1796091155000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await setCollation(queryRunner, 'utf8mb4_bin');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await setCollation(queryRunner, 'utf8mb4_unicode_ci');
  }
}

async function setCollation(queryRunner: QueryRunner, collation: string): Promise<void> {
  if (queryRunner.connection.options.type !== 'mysql') return;
  const table = await queryRunner.getTable('users');
  const column = table?.findColumnByName('username_normalized');
  if (!table || !column) throw new Error('users.username_normalized is missing');
  const changed = column.clone();
  changed.collation = collation;
  changed.charset = 'utf8mb4';
  await queryRunner.changeColumn(table, column, changed);
}

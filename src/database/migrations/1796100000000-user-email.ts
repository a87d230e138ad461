import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A user's email address (optional) and whether its owner proved they read it. The
 * lower-cased copy carries the unique index; on MySQL it compares byte-wise (utf8mb4_bin),
 * as SQLite does, so both databases agree on "taken".
 */
export class UserEmail1796100000000 implements MigrationInterface {
  name = 'UserEmail1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    await queryRunner.addColumns('users', [
      new TableColumn({ name: 'email', type: 'varchar', length: '254', isNullable: true }),
      new TableColumn({
        name: 'email_normalized',
        type: 'varchar',
        length: '254',
        isNullable: true,
        collation: mysql ? 'utf8mb4_bin' : undefined,
      }),
      new TableColumn({ name: 'email_verified', type: 'boolean', isNullable: false, default: false }),
    ]);
    // NULLs never collide in a unique index (SQLite, MySQL and PostgreSQL alike): many users may have no address.
    // A unique index rather than a constraint: TypeORM's MySQL runner only adds unique indexes to an existing table.
    await queryRunner.createIndex(
      'users',
      new TableIndex({ name: 'UQ_users_email_normalized', columnNames: ['email_normalized'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('users', 'UQ_users_email_normalized');
    await queryRunner.dropColumns('users', ['email_verified', 'email_normalized', 'email']);
  }
}

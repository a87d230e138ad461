import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Uniqueness and the name sort move to the lower-cased copies (byte-wise on both
 * databases): on the raw columns MySQL's collation ignores case and accents while SQLite
 * compares bytes, so "Ada"/"ada" was one author on MySQL and two on SQLite, and `sort=name`
 * ordered differently.
 */
export class AuthorNormalizedKeys1795316100000 implements MigrationInterface {
  name = 'AuthorNormalizedKeys1795316100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await dropUnique(queryRunner, 'UQ_authors_owner_name_book');
    await queryRunner.dropIndex('authors', 'IDX_authors_owner_name');
    await queryRunner.createIndex(
      'authors',
      new TableIndex({
        name: 'UQ_authors_owner_name_book_search',
        columnNames: ['owner_id', 'name_search', 'book_search'],
        isUnique: true,
      }),
    );
    await queryRunner.createIndex(
      'authors',
      new TableIndex({ name: 'IDX_authors_owner_name_search', columnNames: ['owner_id', 'name_search', 'id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('authors', 'IDX_authors_owner_name_search');
    await queryRunner.dropIndex('authors', 'UQ_authors_owner_name_book_search');
    await queryRunner.createIndex(
      'authors',
      new TableIndex({ name: 'IDX_authors_owner_name', columnNames: ['owner_id', 'name', 'id'] }),
    );
    await queryRunner.createIndex(
      'authors',
      new TableIndex({ name: 'UQ_authors_owner_name_book', columnNames: ['owner_id', 'name', 'book'], isUnique: true }),
    );
  }
}

/** MySQL keeps a table's unique constraints as unique indexes; SQLite as constraints. */
async function dropUnique(queryRunner: QueryRunner, name: string): Promise<void> {
  if (queryRunner.connection.options.type === 'mysql') {
    await queryRunner.dropIndex('authors', name);
  } else {
    await queryRunner.dropUniqueConstraint('authors', name);
  }
}

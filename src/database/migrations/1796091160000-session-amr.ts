import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** How each session's login was made (the `amr` its tokens carry); every earlier login was a password login. */
export class SessionAmr1796091160000 implements MigrationInterface {
  name = 'SessionAmr1796091160000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'sessions',
      new TableColumn({ name: 'amr', type: 'varchar', length: '64', isNullable: false, default: "'pwd'" }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('sessions', 'amr');
  }
}

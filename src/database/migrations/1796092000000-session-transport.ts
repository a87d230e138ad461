import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A session remembers how its refresh token travels ('bearer' or 'cookie'), fixed at login.
 * Sessions from before were bearer unless a later refresh asked for cookie mode; 'bearer'
 * keeps their behaviour until they end.
 */
export class SessionTransport1796092000000 implements MigrationInterface {
  name = 'SessionTransport1796092000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('sessions', new TableColumn({ name: 'transport', type: 'varchar', length: '6', default: "'bearer'" }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('sessions', 'transport');
  }
}

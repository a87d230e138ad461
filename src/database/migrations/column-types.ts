import type { QueryRunner } from 'typeorm';

/**
 * A millisecond timestamp column: `datetime(3)` on SQLite and MySQL (what the migrations
 * have always made there), `timestamptz(3)` on PostgreSQL, which has no `datetime` and whose
 * zone-less `timestamp` would store each instance's local time.
 */
export function timestampColumn(queryRunner: QueryRunner) {
  const type = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
  return (name: string, isNullable = false) => ({ name, type, precision: 3, isNullable }) as const;
}

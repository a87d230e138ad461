import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  driverErrorCode,
  isDeadlock,
  isDriverError,
  isPostgresUnavailable,
  isTooLongText,
  isUniqueViolation,
  isUnstorableText,
} from '../src/common/database-errors.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { withQuestionMarkPlaceholders } from './support/test-app.js';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from './support/test-database.js';

/**
 * The HTTP error filter answers 409, 400 or 503 by what these classifiers say of a driver's
 * error. Each case here provokes the real error from the database the suite runs on, through
 * the app's own data source options (timeouts included), so a driver upgrade that renames a
 * code fails here rather than turning a client's mistake into a 500.
 */
describe('database errors, as the real driver raises them', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const run = (sql: string, parameters: unknown[] = []) => dataSource.query(sql, parameters);
  const failure = async (sql: string, parameters: unknown[] = []): Promise<unknown> => {
    try {
      await run(sql, parameters);
    } catch (error) {
      return error;
    }
    throw new Error(`expected ${sql} to fail`);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const initialized = await new DataSource(dataSourceOptions(database.url)).initialize();
    dataSource = database.kind === 'postgres' ? withQuestionMarkPlaceholders(initialized) : initialized;
    await run('CREATE TABLE error_parents (id VARCHAR(8) PRIMARY KEY)');
    await run('CREATE TABLE error_children (id VARCHAR(8) PRIMARY KEY, name VARCHAR(4) NOT NULL, parent_id VARCHAR(8) REFERENCES error_parents (id))');
    await run("INSERT INTO error_parents (id) VALUES ('p1')");
    await run("INSERT INTO error_children (id, name, parent_id) VALUES ('c1', 'abc', 'p1')");
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('a duplicate key is a unique violation (409), nothing else', async () => {
    const error = await failure("INSERT INTO error_children (id, name) VALUES ('c1', 'x')");
    expect(isUniqueViolation(error)).toBe(true);
    expect(isDriverError(error)).toBe(true);
    expect([isDeadlock(error), isTooLongText(error), isUnstorableText(error), isPostgresUnavailable(error)]).toEqual([false, false, false, false]);
  });

  it('a missing parent row is a foreign-key violation, not a unique one', async () => {
    const error = await failure("INSERT INTO error_children (id, name, parent_id) VALUES ('c2', 'x', 'nobody')");
    const expected = { sqlite: 'SQLITE_CONSTRAINT_FOREIGNKEY', mysql: 'ER_NO_REFERENCED_ROW_2', postgres: '23503' }[database.kind];
    expect(driverErrorCode(error)).toBe(expected);
    expect(isUniqueViolation(error)).toBe(false);
  });

  it('a value longer than its column is too-long text (400) where the database checks lengths', async () => {
    if (database.kind === 'sqlite') {
      // SQLite stores it: validation is what keeps lengths there.
      await run("INSERT INTO error_children (id, name) VALUES ('c3', 'abcdef')");
      expect(await run("SELECT name FROM error_children WHERE id = 'c3'")).toEqual([{ name: 'abcdef' }]);
      return;
    }
    const error = await failure("INSERT INTO error_children (id, name) VALUES ('c3', 'abcdef')");
    expect(isTooLongText(error)).toBe(true);
    expect(isUniqueViolation(error)).toBe(false);
  });

  it('text PostgreSQL cannot store is unstorable (400); the other databases find nothing', async () => {
    if (database.kind !== 'postgres') {
      expect(await run('SELECT id FROM error_children WHERE name = ?', ['a\u0000b'])).toEqual([]);
      return;
    }
    const error = await failure('SELECT id FROM error_children WHERE name = ?', ['a\u0000b']);
    expect(isUnstorableText(error)).toBe(true);
    expect(isPostgresUnavailable(error)).toBe(false);
  });

  // SQLite runs in-process: it has no statement timeout.
  (testDatabaseKind() === 'sqlite' ? it.skip : it)('a statement past the 1.5 s limit is the database failing (503), and the pool still answers after it', async () => {
    const error = await failure(database.kind === 'mysql' ? 'SELECT SLEEP(3)' : 'SELECT pg_sleep(3)');
    if (database.kind === 'mysql') {
      expect(driverErrorCode(error)).toBe('PROTOCOL_SEQUENCE_TIMEOUT');
      expect(isDriverError(error)).toBe(true);
    } else {
      expect(isPostgresUnavailable(error)).toBe(true);
    }
    expect(await run("SELECT name FROM error_children WHERE id = 'c1'")).toEqual([{ name: 'abc' }]);
  }, 10_000);
});

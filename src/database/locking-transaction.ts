import type { DataSource, EntityManager } from 'typeorm';

/** Whether the database has row locks (SELECT ... FOR UPDATE): MySQL/MariaDB and PostgreSQL do, SQLite does not. */
export function hasRowLocks(dataSource: DataSource): boolean {
  return dataSource.options.type === 'mysql' || dataSource.options.type === 'postgres';
}

/** The `lock` option for a find that must hold its rows until the transaction ends; none on SQLite. */
export function writeLock(dataSource: DataSource) {
  return hasRowLocks(dataSource) ? ({ mode: 'pessimistic_write' } as const) : undefined;
}

/** Tail of each SQLite data source's queue of locking transactions. */
const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in one transaction for a check-then-write that must not interleave with another
 * of its kind (the last active admin, the last way to log in). `work` takes its row locks first
 * (`writeLock`), and returns an HttpException instead of throwing it: nothing is written by then,
 * and on SQLite a rollback would also undo other requests' statements (below).
 *
 * MySQL and PostgreSQL: the row locks make concurrent callers queue. SQLite: every query of this
 * process shares one connection, on which TypeORM nests a concurrent transaction as a savepoint
 * rather than isolating it, so callers queue in-process; other connections are held off by
 * SQLite's single writer.
 */
export function lockingTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const run = () => dataSource.transaction(work);
  if (hasRowLocks(dataSource)) return run();
  const queued = (sqliteQueues.get(dataSource) ?? Promise.resolve()).then(run, run);
  sqliteQueues.set(dataSource, queued.catch(() => undefined));
  return queued;
}

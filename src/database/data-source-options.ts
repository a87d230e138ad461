import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type mysql2 from 'mysql2';
import type { DataSourceOptions } from 'typeorm';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { AbuseCounter } from '../abuse/abuse-counter.entity.js';
import { Author } from '../authors/author.entity.js';
import { UserIdentity } from '../auth/oidc/user-identity.entity.js';
import { Passkey } from '../auth/passkeys/passkey.entity.js';
import { RecoveryCode } from '../auth/mfa/recovery-code.entity.js';
import { TotpAuthenticator } from '../auth/mfa/totp-authenticator.entity.js';
import { OneTimeToken } from '../one-time-tokens/one-time-token.entity.js';
import { Session } from '../sessions/session.entity.js';
import { User } from '../users/user.entity.js';
import { TypeOrmLogger } from '../logging/typeorm-logger.js';
import { DropTimedOutConnectionsSubscriber } from './drop-timed-out-connections.subscriber.js';
import { migrations } from './migrations/index.js';

export const entities = [User, Session, Author, AuditEvent, AbuseCounter, OneTimeToken, Passkey, TotpAuthenticator, RecoveryCode, UserIdentity];

const DB_TIMEOUT_MS = 1500;

/**
 * mysql2 whose pools make every new connection's reads causal on a MariaDB Galera cluster
 * (`wsrep_sync_wait=1`): a read on one node waits until it has applied what any node had
 * committed when the read began, so a logout or a disable on one node is seen by the very
 * next request through another. Without it, 3-19 % of such reads missed the write. A single
 * statement that loses a write conflict with another node is re-run by the node up to 4
 * times (default once), so racing registrations or refreshes end as on one server. The SET
 * is queued on the connection before anything the pool hands it out for; on a server
 * without Galera it changes nothing (MariaDB) or fails harmlessly (MySQL has no such variables).
 * Loaded only for a MySQL URL (~2 MB of heap that SQLite and PostgreSQL never use), as
 * TypeORM loads the other drivers.
 */
function causalReadsMysql() {
  const driver = createRequire(import.meta.url)('mysql2') as typeof mysql2;
  return {
    ...driver,
    createPool(options: mysql2.PoolOptions): mysql2.Pool {
      const pool = driver.createPool(options);
      pool.on('connection', (connection) => {
        connection.query('SET SESSION wsrep_sync_wait = 1, wsrep_retry_autocommit = 4', () => undefined);
      });
      return pool;
    },
  };
}

/**
 * One set of options for the app, the tests and the TypeORM CLI (ormconfig.ts):
 * `DATABASE_URL` picks the driver, migrations (never synchronize) build the schema.
 */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  if (databaseUrl.startsWith('mysql://')) {
    return {
      type: 'mysql',
      url: databaseUrl,
      entities,
      migrations,
      migrationsRun: true,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      // Fail fast instead of hanging requests when the server is gone or stops answering:
      // a connect or a statement gives up after 1.5 s, so the client has its 503 within 2 s.
      // Migrations run under the same per-statement limit, which today's stay far below.
      connectTimeout: DB_TIMEOUT_MS,
      enableQueryTimeout: true,
      maxQueryExecutionTime: DB_TIMEOUT_MS,
      subscribers: [DropTimedOutConnectionsSubscriber],
      logger: new TypeOrmLogger(),
      extra: { connectionLimit: 10, enableKeepAlive: true },
      driver: causalReadsMysql(),
    };
  }
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    return {
      type: 'postgres',
      url: databaseUrl,
      entities,
      migrations,
      migrationsRun: true,
      // The same fail-fast bounds as MySQL: the server cancels a statement after 1.5 s
      // (statement_timeout), and the client gives up on an answer that never comes (a
      // stalled network) after 1.5 s plus a margin for the server's own cancel to arrive.
      connectTimeoutMS: DB_TIMEOUT_MS,
      subscribers: [DropTimedOutConnectionsSubscriber],
      logger: new TypeOrmLogger(),
      extra: {
        max: 10,
        keepAlive: true,
        statement_timeout: DB_TIMEOUT_MS,
        lock_timeout: DB_TIMEOUT_MS,
        query_timeout: DB_TIMEOUT_MS + 300,
        idle_in_transaction_session_timeout: 10_000,
        // A new PostgreSQL connection is a new server process: keep idle ones a while.
        idleTimeoutMillis: 60_000,
      },
    };
  }
  const database = databaseUrl.slice('sqlite:'.length);
  if (database !== ':memory:') createPrivately(database);
  return {
    type: 'better-sqlite3',
    database,
    entities,
    migrations,
    migrationsRun: true,
    // WAL lets readers proceed during a write; the busy timeout turns short lock waits
    // into a delay instead of an error when several instances share the file.
    enableWAL: database !== ':memory:',
    timeout: 5000,
    logger: new TypeOrmLogger(),
    prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
      db.pragma('foreign_keys = ON');
    },
  };
}

/**
 * The database holds password hashes and sessions: like the secret file, it is created
 * readable by its owner only. SQLite gives its -wal and -shm files the main file's mode;
 * files from before this rule are tightened at start-up.
 */
function createPrivately(database: string): void {
  mkdirSync(dirname(database), { recursive: true, mode: 0o700 });
  if (!existsSync(database)) closeSync(openSync(database, 'a', 0o600));
  for (const file of [database, `${database}-wal`, `${database}-shm`, `${database}-journal`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

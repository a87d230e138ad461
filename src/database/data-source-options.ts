import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { AbuseCounter } from '../abuse/abuse-counter.entity.js';
import { Author } from '../authors/author.entity.js';
import { RecoveryCode } from '../auth/mfa/recovery-code.entity.js';
import { TotpAuthenticator } from '../auth/mfa/totp-authenticator.entity.js';
import { OneTimeToken } from '../one-time-tokens/one-time-token.entity.js';
import { Session } from '../sessions/session.entity.js';
import { User } from '../users/user.entity.js';
import { TypeOrmLogger } from '../logging/typeorm-logger.js';
import { DropTimedOutConnectionsSubscriber } from './drop-timed-out-connections.subscriber.js';
import { migrations } from './migrations/index.js';

export const entities = [User, Session, Author, AuditEvent, AbuseCounter, OneTimeToken, TotpAuthenticator, RecoveryCode];

const DB_TIMEOUT_MS = 1500;

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
    };
  }
  const database = databaseUrl.slice('sqlite:'.length);
  if (database !== ':memory:') mkdirSync(dirname(database), { recursive: true });
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

import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { APP_OPTIONS, createAdapter, setupApp } from '../../src/app.setup.js';
import { createOpenApiDocument } from '../../src/common/openapi/document.js';
import { AppConfig } from '../../src/config/app-config.js';
import { validateResponses } from './openapi-validator.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_ENCRYPTION_KEY = 'test-encryption-key-that-is-long-enough-0123456789';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  dataSource: DataSource;
  database: TestDatabase;
  /** A supertest client bound to this app. */
  http: () => ReturnType<typeof request>;
  /** Closes the app; drops the database unless another instance still uses it. */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Share a database with another instance (two-instance and restart tests). */
  database?: TestDatabase;
}

/** Builds the real AppModule with main.ts's setup, on its own throw-away database. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config = new AppConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    JWT_SECRET: TEST_JWT_SECRET,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    // Suites make many auth calls from one address; the throttle suite lowers this again.
    THROTTLE_AUTH_LIMIT: '100000',
    LOGIN_MAX_FAILURES: '1000',
    // Apps log nothing in tests; TEST_LOG_LEVEL=error shows why a run got a 500 or a 503.
    ...(process.env.TEST_LOG_LEVEL ? { LOG_LEVEL: process.env.TEST_LOG_LEVEL } : {}),
    ...options.env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useValue(config)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(options.env ?? {}), { ...APP_OPTIONS, logger: false });
  await setupApp(app);
  // Every answer in every e2e suite is checked against the document this app serves.
  validateResponses(app.getHttpAdapter().getInstance(), createOpenApiDocument(app));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    database,
    dataSource: database.kind === 'postgres' ? withQuestionMarkPlaceholders(app.get(DataSource)) : app.get(DataSource),
    http: () => request(app.getHttpServer()),
    async close({ keepDatabase = false } = {}) {
      await app.close();
      if (!keepDatabase) await database.drop();
    },
  };
}

/**
 * The suites' raw SQL is written with `?` placeholders (SQLite and MySQL); on PostgreSQL
 * the tests' view of the DataSource numbers them ($1, $2, ...). The app itself is untouched.
 */
export function withQuestionMarkPlaceholders(dataSource: DataSource): DataSource {
  const query = (sql: string, parameters?: unknown[]) => {
    let n = 0;
    return dataSource.query(
      sql.replace(/\?/g, () => `$${++n}`),
      parameters,
    );
  };
  return new Proxy(dataSource, {
    get(target, property) {
      if (property === 'query') return query;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A password that satisfies the policy and contains no test username. */
export function strongPassword(): string {
  return `Quiet-harbor-${randomBytes(6).toString('hex')}-lantern`;
}

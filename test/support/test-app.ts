import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { APP_OPTIONS, createAdapter, setupApp } from '../../src/app.setup.js';
import { AppConfig } from '../../src/config/app-config.js';
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
    ...options.env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useValue(config)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(), { ...APP_OPTIONS, logger: false });
  await setupApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    database,
    dataSource: app.get(DataSource),
    http: () => request(app.getHttpServer()),
    async close({ keepDatabase = false } = {}) {
      await app.close();
      if (!keepDatabase) await database.drop();
    },
  };
}

export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A password that satisfies the policy and contains no test username. */
export function strongPassword(): string {
  return `Quiet-harbor-${randomBytes(6).toString('hex')}-lantern`;
}

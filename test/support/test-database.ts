import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  kind: 'sqlite' | 'mysql' | 'postgres';
  drop(): Promise<void>;
}

/** Which database createTestDatabase() makes in this run, known before any suite starts (for `it.skip`). */
export function testDatabaseKind(): TestDatabase['kind'] {
  if (process.env.TEST_POSTGRES_URL) return 'postgres';
  return process.env.TEST_MYSQL_URL ? 'mysql' : 'sqlite';
}

/**
 * A throw-away database: a SQLite file by default, or a uniquely named database on the
 * server TEST_MYSQL_URL (MySQL/MariaDB, e.g. mysql://root@127.0.0.1:3306) or
 * TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432) points at.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const kind = testDatabaseKind();
  if (kind === 'postgres') return createPostgresDatabase(process.env.TEST_POSTGRES_URL!);
  if (kind === 'mysql') {
    const server = process.env.TEST_MYSQL_URL!;
    const name = `authtest_${process.pid}_${randomBytes(4).toString('hex')}`;
    const base = new URL(server);
    base.pathname = '/';
    const connection = await createConnection({ uri: base.toString() });
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await connection.end();
    const url = new URL(base.toString());
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      kind: 'mysql',
      async drop() {
        const admin = await createConnection({ uri: base.toString() });
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'authtest-'));
  return {
    url: `sqlite:${join(dir, 'test.db')}`,
    kind: 'sqlite',
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createPostgresDatabase(server: string): Promise<TestDatabase> {
  const name = `authtest_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new URL(server);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`);
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: 'postgres',
    async drop() {
      // FORCE: a spawned server killed mid-test may leave its connections behind.
      await run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

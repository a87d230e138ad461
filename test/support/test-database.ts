import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

export interface TestDatabase {
  url: string;
  kind: 'sqlite' | 'mysql';
  drop(): Promise<void>;
}

/**
 * A throw-away database: a SQLite file by default, or, when TEST_MYSQL_URL points at a
 * MySQL/MariaDB server (e.g. mysql://root@127.0.0.1:3306), a uniquely named database on it.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = process.env.TEST_MYSQL_URL;
  if (server) {
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

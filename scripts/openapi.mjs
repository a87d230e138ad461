// The OpenAPI document exactly as the built service serves it at /docs-json: the compiled app
// (dist/) starts in-process on a throw-away in-memory SQLite database and answers one request.
//   node scripts/openapi.mjs FILE          write the document to FILE
//   node scripts/openapi.mjs --check FILE  exit 1 when FILE differs from the served document
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const check = args[0] === '--check';
const file = check ? args[1] : args[0];
if (!file) {
  process.stderr.write('usage: node scripts/openapi.mjs [--check] FILE\n');
  process.exit(2);
}

// Only what the document needs: no data folder, no generated development secret, no logs.
Object.assign(process.env, {
  NODE_ENV: 'test',
  DATABASE_URL: 'sqlite::memory:',
  JWT_SECRET: 'openapi-export-only-0123456789abcdef0123456789',
  DOCS_ENABLED: 'true',
  LOG_LEVEL: 'silent',
});

const { NestFactory } = await import('@nestjs/core');
const { AppModule } = await import('../dist/src/app.module.js');
const { APP_OPTIONS, createAdapter, setupApp } = await import('../dist/src/app.setup.js');

const app = await NestFactory.create(AppModule, createAdapter(), { ...APP_OPTIONS, logger: false });
await setupApp(app);
await app.init();
await app.getHttpAdapter().getInstance().ready();
const response = await app.inject({ method: 'GET', url: '/docs-json' });
await app.close();
if (response.statusCode !== 200) {
  process.stderr.write(`GET /docs-json answered ${response.statusCode}\n`);
  process.exit(1);
}
const served = JSON.stringify(JSON.parse(response.body), null, 2) + '\n';

if (!check) {
  writeFileSync(file, served);
} else {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // A missing file is simply out of date.
  }
  if (committed !== served) {
    process.stderr.write(`${file} is not the document the service serves: run \`npm run openapi:write\` and commit it\n`);
    process.exit(1);
  }
}

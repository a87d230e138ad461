// Builds the bundled web client (web/) into dist/web, which the service serves at /.
// tsc only type-checks; esbuild bundles, so the client can use npm packages (the
// password-strength scorer) while the page still loads nothing but same-origin files.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

if (existsSync('web/tsconfig.json')) {
  // The API types come from docs/openapi.json (openapi-typescript), fresh at every build.
  execFileSync(process.execPath, ['scripts/web-types.mjs'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'web/tsconfig.json'], { stdio: 'inherit' });
  rmSync('dist/web', { recursive: true, force: true });
  mkdirSync('dist/web', { recursive: true });
  await build({
    entryPoints: ['web/src/main.ts'],
    bundle: true,
    format: 'esm',
    // Code splitting keeps the scorer's dictionaries (~1 MB) out of the first load:
    // only the pages that take a new password import them.
    splitting: true,
    outdir: 'dist/web/js',
    chunkNames: 'chunks/[name]-[hash]',
    target: 'es2022',
    minify: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'styles.css', 'favicon.svg']) {
    if (existsSync(`web/${file}`)) copyFileSync(`web/${file}`, `dist/web/${file}`);
  }
}

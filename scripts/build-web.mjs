// Compiles the bundled web client (web/) into dist/web, which the service serves at /.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

if (existsSync('web/tsconfig.json')) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'web/tsconfig.json'], { stdio: 'inherit' });
  mkdirSync('dist/web', { recursive: true });
  for (const file of ['index.html', 'styles.css', 'favicon.svg']) {
    if (existsSync(`web/${file}`)) copyFileSync(`web/${file}`, `dist/web/${file}`);
  }
}

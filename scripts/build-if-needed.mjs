// `npm start` on a fresh clone: compile once, then reuse dist/ while it is newer than the sources.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ENTRY = 'dist/src/main.js';
const SOURCES = ['src', 'web', 'ormconfig.ts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

function newestChange(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

const built = existsSync(ENTRY) ? statSync(ENTRY).mtimeMs : 0;
if (built === 0 || Math.max(...SOURCES.map(newestChange)) > built) {
  execSync('npm run build', { stdio: 'inherit' });
}

/**
 * `npm run keys:add`
 *
 * Writes a new private key for JWT_ALGORITHM (ES256 or EdDSA) to JWT_KEYS_DIR and prints its
 * kid on stdout. Being the newest file, it signs new tokens as soon as the service reads the
 * folder again (SIGHUP, within a minute, or a restart); the older keys keep verifying until
 * their files are removed.
 *
 * Exit codes: 0 added, 1 refused (HS256 configured, or the folder holds a key that does not load).
 */
import { AppConfig } from '../config/app-config.js';
import { validateEnvironment } from '../config/env.validation.js';
import { addKeyFile, readKeyFolder } from '../auth/tokens/key-files.js';
import { existsSync } from 'node:fs';

function main(): void {
  const config = new AppConfig(validateEnvironment(process.env) as Record<string, string | undefined>);
  const algorithm = config.tokens.algorithm;
  if (algorithm === 'HS256') {
    throw new Error('JWT_ALGORITHM is HS256: its key is JWT_SECRET, there is no key file to add (set JWT_ALGORITHM=ES256 or EdDSA)');
  }
  // A folder the service could not load after this addition is refused before anything is written.
  if (existsSync(config.tokens.keysDir)) readKeyFolder(config.tokens.keysDir, algorithm);
  const key = addKeyFile(config.tokens.keysDir, algorithm);
  process.stdout.write(`${key.kid}\n`);
  process.stderr.write(`Added ${algorithm} key ${key.file}: it signs new tokens once the service reads the folder again (SIGHUP, within a minute, or a restart)\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`keys:add failed: ${(error as Error).message}\n`);
  process.exit(1);
}

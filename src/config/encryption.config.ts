import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvReader } from './env-reader.js';

const DEV_KEY_FILE = join('data', 'encryption-key');

/** The key that seals secrets kept at rest (TOTP secrets). */
export class EncryptionConfig {
  private readonly configuredKey?: string;
  private generatedKey?: string;

  constructor(read: EnvReader, production: boolean) {
    this.configuredKey = read.optionalString('ENCRYPTION_KEY', { minLength: 32 });
    if (production && this.configuredKey === undefined) {
      read.problem('ENCRYPTION_KEY is required (at least 32 characters) when NODE_ENV=production');
    }
  }

  /** ENCRYPTION_KEY, or outside production one generated on first use (never during validation). */
  get key(): string {
    return this.configuredKey ?? (this.generatedKey ??= developmentKey());
  }
}

/** Kept on disk, so restarting the development server can still open the secrets it sealed. */
function developmentKey(): string {
  if (existsSync(DEV_KEY_FILE)) {
    const stored = readFileSync(DEV_KEY_FILE, 'utf8').trim();
    if (stored.length >= 32) return stored;
  }
  mkdirSync('data', { recursive: true });
  const key = randomBytes(48).toString('base64url');
  writeFileSync(DEV_KEY_FILE, key + '\n', { mode: 0o600 });
  chmodSync(DEV_KEY_FILE, 0o600);
  return key;
}

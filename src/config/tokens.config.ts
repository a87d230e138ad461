import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvReader } from './env-reader.js';

const DEV_SECRET_FILE = join('data', 'jwt-secret');

/** Access and refresh tokens: the signing secret, the iss/aud they carry, their lifetimes. */
export class TokensConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly accessTtlSeconds: number;
  readonly refreshTtlSeconds: number;
  private readonly configuredSecret?: string;
  private generatedSecret?: string;

  constructor(read: EnvReader, production: boolean) {
    this.configuredSecret = read.optionalString('JWT_SECRET', { minLength: 32 });
    if (production && this.configuredSecret === undefined) {
      read.problem('JWT_SECRET is required (at least 32 characters) when NODE_ENV=production');
    }
    this.issuer = read.string('JWT_ISSUER', 'nest-auth-service', { maxLength: 200 });
    this.audience = read.string('JWT_AUDIENCE', 'nest-auth-service', { maxLength: 200 });
    this.accessTtlSeconds = read.duration('JWT_ACCESS_TTL', '15m');
    this.refreshTtlSeconds = read.duration('JWT_REFRESH_TTL', '7d');
  }

  /** JWT_SECRET, or outside production one generated on first use (never during validation). */
  get secret(): string {
    return this.configuredSecret ?? (this.generatedSecret ??= developmentSecret());
  }
}

/**
 * Outside production a secret is generated once and kept on disk, so restarting the
 * development server keeps existing sessions valid.
 */
function developmentSecret(): string {
  if (existsSync(DEV_SECRET_FILE)) {
    const stored = readFileSync(DEV_SECRET_FILE, 'utf8').trim();
    if (stored.length >= 32) return stored;
  }
  mkdirSync('data', { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(DEV_SECRET_FILE, secret + '\n', { mode: 0o600 });
  chmodSync(DEV_SECRET_FILE, 0o600);
  return secret;
}

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvReader } from './env-reader.js';

const DEV_SECRET_FILE = join('data', 'jwt-secret');

export const JWT_ALGORITHMS = ['HS256', 'ES256', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** Access and refresh tokens: the signing keys, the iss/aud they carry, their lifetimes. */
export class TokensConfig {
  readonly algorithm: JwtAlgorithm;
  /** PEM private keys for ES256/EdDSA (development: created with one key when empty). */
  readonly keysDir: string;
  readonly production: boolean;
  readonly issuer: string;
  readonly audience: string;
  readonly accessTtlSeconds: number;
  readonly refreshTtlSeconds: number;
  /** A session's absolute lifetime from its login; refreshing never extends it. */
  readonly sessionMaxAgeSeconds: number;
  private readonly configuredSecret?: string;
  private generatedSecret?: string;

  constructor(read: EnvReader, production: boolean) {
    this.production = production;
    this.algorithm = read.oneOf('JWT_ALGORITHM', JWT_ALGORITHMS, 'HS256');
    const keysDir = read.optionalString('JWT_KEYS_DIR');
    if (production && this.algorithm !== 'HS256' && keysDir === undefined) {
      read.problem(`JWT_KEYS_DIR is required when NODE_ENV=production and JWT_ALGORITHM=${this.algorithm}`);
    }
    this.keysDir = keysDir ?? join('data', 'keys');
    this.configuredSecret = read.optionalString('JWT_SECRET', { minLength: 32 });
    if (production && this.configuredSecret === undefined) {
      read.problem('JWT_SECRET is required (at least 32 characters) when NODE_ENV=production');
    }
    this.issuer = read.string('JWT_ISSUER', 'nest-auth-service', { maxLength: 200 });
    this.audience = read.string('JWT_AUDIENCE', 'nest-auth-service', { maxLength: 200 });
    this.accessTtlSeconds = read.duration('JWT_ACCESS_TTL', '15m');
    this.refreshTtlSeconds = read.duration('JWT_REFRESH_TTL', '7d');
    this.sessionMaxAgeSeconds = read.duration('SESSION_MAX_AGE', '30d');
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

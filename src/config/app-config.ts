import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDurationSeconds } from './duration.js';

const DEV_SECRET_FILE = join('data', 'jwt-secret');

/** The typed, validated configuration every module reads (see API.md's configuration table). */
export class AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly port: number;
  readonly databaseUrl: string;
  readonly jwtSecret: string;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly accessTtlSeconds: number;
  readonly refreshTtlSeconds: number;
  readonly requireApproval: boolean;
  readonly adminUsername?: string;
  readonly adminPassword?: string;
  readonly passwordMinLength: number;
  readonly loginMaxFailures: number;
  readonly loginLockoutSeconds: number;
  readonly throttleAuthLimit: number;
  readonly corsOrigins: string[];
  readonly docsEnabled: boolean;
  readonly shutdownTimeoutSeconds: number;
  readonly logLevel: string;
  /** The web client's public origin: links in mails point here. */
  readonly appUrl: string;
  /** Unset: mails are written as .eml files into mailOutbox. */
  readonly smtpUrl?: string;
  readonly mailFrom: string;
  readonly mailOutbox: string;
  readonly mailPerHour: number;
  readonly requireEmailVerification: boolean;
  readonly verifyTokenTtlSeconds: number;
  readonly resetTokenTtlSeconds: number;

  /** `env` has already passed validateEnvironment, so only defaults and parsing remain. */
  constructor(env: Record<string, string | undefined>) {
    this.nodeEnv = (env.NODE_ENV as AppConfig['nodeEnv']) ?? 'development';
    this.port = Number(env.PORT ?? 3000);
    this.databaseUrl = env.DATABASE_URL ?? 'sqlite:data/app.db';
    this.jwtSecret = env.JWT_SECRET ?? developmentSecret();
    this.jwtIssuer = env.JWT_ISSUER ?? 'nest-auth-service';
    this.jwtAudience = env.JWT_AUDIENCE ?? 'nest-auth-service';
    this.accessTtlSeconds = parseDurationSeconds(env.JWT_ACCESS_TTL ?? '15m')!;
    this.refreshTtlSeconds = parseDurationSeconds(env.JWT_REFRESH_TTL ?? '7d')!;
    this.requireApproval = env.REQUIRE_APPROVAL === 'true';
    this.adminUsername = env.ADMIN_USERNAME;
    this.adminPassword = env.ADMIN_PASSWORD;
    this.passwordMinLength = Number(env.PASSWORD_MIN_LENGTH ?? 15);
    this.loginMaxFailures = Number(env.LOGIN_MAX_FAILURES ?? 5);
    this.loginLockoutSeconds = parseDurationSeconds(env.LOGIN_LOCKOUT ?? '15m')!;
    this.throttleAuthLimit = Number(env.THROTTLE_AUTH_LIMIT ?? 20);
    this.corsOrigins = (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
    this.docsEnabled = env.DOCS_ENABLED !== 'false';
    this.shutdownTimeoutSeconds = parseDurationSeconds(env.SHUTDOWN_TIMEOUT ?? '10s')!;
    this.logLevel = env.LOG_LEVEL ?? (this.nodeEnv === 'test' ? 'silent' : 'info');
    this.appUrl = (env.APP_URL ?? `http://localhost:${this.port}`).replace(/\/+$/, '');
    this.smtpUrl = env.SMTP_URL;
    this.mailFrom = env.MAIL_FROM ?? 'no-reply@localhost';
    this.mailOutbox = env.MAIL_OUTBOX ?? join('data', 'outbox');
    this.mailPerHour = Number(env.MAIL_PER_HOUR ?? 5);
    this.requireEmailVerification = env.REQUIRE_EMAIL_VERIFICATION === 'true';
    this.verifyTokenTtlSeconds = parseDurationSeconds(env.VERIFY_TOKEN_TTL ?? '24h')!;
    this.resetTokenTtlSeconds = parseDurationSeconds(env.RESET_TOKEN_TTL ?? '30m')!;
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

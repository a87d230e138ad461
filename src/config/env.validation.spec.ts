import { describe, expect, it } from '@jest/globals';
import { AppConfig } from './app-config.js';
import { parseDurationSeconds } from './duration.js';
import { validateEnvironment } from './env.validation.js';

const SECRET = 'x'.repeat(32);

describe('validateEnvironment', () => {
  it('accepts an empty environment (every variable has a default)', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'test' })).not.toThrow();
  });

  it('names every invalid variable', () => {
    expect(() => validateEnvironment({ PORT: 'eighty', DATABASE_URL: 'postgres://x', JWT_ACCESS_TTL: '15 minutes' })).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*JWT_ACCESS_TTL/,
    );
    expect(() => validateEnvironment({ REQUIRE_APPROVAL: 'yes' })).toThrow(/REQUIRE_APPROVAL/);
    expect(() => validateEnvironment({ PASSWORD_MIN_LENGTH: '4' })).toThrow(/PASSWORD_MIN_LENGTH/);
  });

  it('requires a long JWT_SECRET in production', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required/);
    expect(() => validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET must be at least 32/);
    expect(() => validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: SECRET })).not.toThrow();
  });

  it('checks the mail settings', () => {
    expect(() =>
      validateEnvironment({
        SMTP_URL: 'http://mail.example.com',
        APP_URL: 'localhost:3000',
        MAIL_FROM: 'nobody',
        MAIL_PER_HOUR: '0',
        REQUIRE_EMAIL_VERIFICATION: 'maybe',
        RESET_TOKEN_TTL: 'soon',
      }),
    ).toThrow(/APP_URL[\s\S]*SMTP_URL[\s\S]*MAIL_FROM[\s\S]*MAIL_PER_HOUR[\s\S]*REQUIRE_EMAIL_VERIFICATION[\s\S]*RESET_TOKEN_TTL/);
    expect(() =>
      validateEnvironment({ SMTP_URL: 'smtps://user:pass@mail.example.com:465', APP_URL: 'https://auth.example.com', MAIL_FROM: 'no-reply@localhost' }),
    ).not.toThrow();
  });

  it('wants ADMIN_USERNAME and ADMIN_PASSWORD together', () => {
    expect(() => validateEnvironment({ ADMIN_USERNAME: 'root' })).toThrow(/ADMIN_USERNAME and ADMIN_PASSWORD/);
  });

  it('treats empty values as unset', () => {
    expect(() => validateEnvironment({ PORT: '', CORS_ORIGINS: '' })).not.toThrow();
  });
});

describe('AppConfig', () => {
  it('applies the documented defaults', () => {
    const config = new AppConfig({ JWT_SECRET: SECRET });
    expect(config).toMatchObject({
      appUrl: 'http://localhost:3000',
      smtpUrl: undefined,
      mailFrom: 'no-reply@localhost',
      mailOutbox: 'data/outbox',
      mailPerHour: 5,
      requireEmailVerification: false,
      verifyTokenTtlSeconds: 86_400,
      resetTokenTtlSeconds: 1_800,
      port: 3000,
      databaseUrl: 'sqlite:data/app.db',
      accessTtlSeconds: 900,
      refreshTtlSeconds: 7 * 86400,
      requireApproval: false,
      passwordMinLength: 15,
      loginMaxFailures: 5,
      loginLockoutSeconds: 900,
      throttleAuthLimit: 20,
      corsOrigins: [],
      docsEnabled: true,
    });
  });

  it('parses lists and switches', () => {
    const config = new AppConfig({ JWT_SECRET: SECRET, CORS_ORIGINS: 'https://a.example, https://b.example', DOCS_ENABLED: 'false', REQUIRE_APPROVAL: 'true' });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.docsEnabled).toBe(false);
    expect(config.requireApproval).toBe(true);
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['900', 900],
    ['30s', 30],
    ['15m', 900],
    ['12h', 43200],
    ['7d', 604800],
  ])('%s is %i seconds', (input, seconds) => {
    expect(parseDurationSeconds(input)).toBe(seconds);
  });

  it.each(['', '0', '15 minutes', '-5m', '1w'])('rejects %p', (input) => {
    expect(parseDurationSeconds(input)).toBeUndefined();
  });
});

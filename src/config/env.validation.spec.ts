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
    expect(() => validateEnvironment({ PORT: 'eighty', DATABASE_URL: 'oracle://x', JWT_ACCESS_TTL: '15 minutes' })).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*JWT_ACCESS_TTL/,
    );
    expect(() => validateEnvironment({ REQUIRE_APPROVAL: 'yes' })).toThrow(/REQUIRE_APPROVAL/);
    expect(() => validateEnvironment({ PASSWORD_MIN_LENGTH: '4' })).toThrow(/PASSWORD_MIN_LENGTH/);
  });

  it('accepts each supported DATABASE_URL form', () => {
    for (const url of ['sqlite:data/app.db', 'sqlite::memory:', 'mysql://u:p@db:3306/auth', 'postgres://u:p@db:5432/auth', 'postgresql://db/auth']) {
      expect(() => validateEnvironment({ DATABASE_URL: url })).not.toThrow();
    }
    expect(() => validateEnvironment({ DATABASE_URL: 'postgres:/db' })).toThrow(/DATABASE_URL/);
  });

  it('requires a long JWT_SECRET in production', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required/);
    expect(() => validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET must be at least 32/);
    expect(() => validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: SECRET, ENCRYPTION_KEY: SECRET })).not.toThrow();
  });

  it('requires a long ENCRYPTION_KEY in production', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: SECRET })).toThrow(/ENCRYPTION_KEY is required/);
    expect(() => validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: SECRET, ENCRYPTION_KEY: 'short' })).toThrow(
      /ENCRYPTION_KEY must be at least 32/,
    );
  });

  it('takes HS256, ES256 or EdDSA, and a key folder for the asymmetric ones in production', () => {
    expect(() => validateEnvironment({ JWT_ALGORITHM: 'RS256' })).toThrow(/JWT_ALGORITHM must be one of: HS256, ES256, EdDSA/);
    expect(() => validateEnvironment({ JWT_ALGORITHM: 'none' })).toThrow(/JWT_ALGORITHM/);
    expect(() => validateEnvironment({ JWT_ALGORITHM: 'ES256' })).not.toThrow();
    const production = { NODE_ENV: 'production', JWT_SECRET: SECRET, ENCRYPTION_KEY: SECRET };
    expect(() => validateEnvironment({ ...production, JWT_ALGORITHM: 'EdDSA' })).toThrow(/JWT_KEYS_DIR is required when NODE_ENV=production and JWT_ALGORITHM=EdDSA/);
    expect(() => validateEnvironment({ ...production, JWT_ALGORITHM: 'EdDSA', JWT_KEYS_DIR: '/etc/auth/keys' })).not.toThrow();
    expect(new AppConfig({ JWT_SECRET: SECRET }).tokens).toMatchObject({ algorithm: 'HS256', keysDir: 'data/keys' });
  });

  it('checks the mail settings', () => {
    const bad = {
      SMTP_URL: 'http://mail.example.com',
      APP_URL: 'localhost:3000',
      MAIL_FROM: 'nobody',
      MAIL_PER_HOUR: '0',
      REQUIRE_EMAIL_VERIFICATION: 'maybe',
      RESET_TOKEN_TTL: 'soon',
    };
    for (const name of Object.keys(bad)) {
      expect(() => validateEnvironment(bad)).toThrow(new RegExp(`- ${name} must`));
    }
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
  it('applies the documented defaults, area by area', () => {
    const config = new AppConfig({ JWT_SECRET: SECRET });
    expect(config.nodeEnv).toBe('development');
    expect(config.http).toEqual({ port: 3000, corsOrigins: [], trustProxy: false, shutdownTimeoutSeconds: 10, appUrl: 'http://localhost:3000' });
    expect(config.database).toEqual({ url: 'sqlite:data/app.db' });
    expect(config.tokens).toMatchObject({
      secret: SECRET,
      issuer: 'nest-auth-service',
      audience: 'nest-auth-service',
      accessTtlSeconds: 900,
      refreshTtlSeconds: 7 * 86400,
    });
    expect(config.accounts).toEqual({ requireApproval: false, passwordMinLength: 15, requireEmailVerification: false });
    expect(config.mail).toEqual({
      smtpUrl: undefined,
      from: 'no-reply@localhost',
      outbox: 'data/outbox',
      perHour: 5,
      verifyTokenTtlSeconds: 86_400,
      resetTokenTtlSeconds: 1_800,
    });
    expect(config.abuse).toEqual({ loginMaxFailures: 5, loginLockoutSeconds: 900, throttleAuthLimit: 20 });
    expect(config.admin).toEqual({ username: undefined, password: undefined });
    expect(config.docs).toEqual({ enabled: true });
    expect(config.logging).toEqual({ level: 'info' });
    expect(new AppConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET }).logging.level).toBe('silent');
  });

  it('parses lists and switches', () => {
    const config = new AppConfig({ JWT_SECRET: SECRET, CORS_ORIGINS: 'https://a.example, https://b.example', DOCS_ENABLED: 'false', REQUIRE_APPROVAL: 'true' });
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.docs.enabled).toBe(false);
    expect(config.accounts.requireApproval).toBe(true);
  });
});

describe('TRUST_PROXY', () => {
  const trustProxy = (value: string) => new AppConfig({ JWT_SECRET: SECRET, TRUST_PROXY: value }).http.trustProxy;

  it('accepts false, a hop count, or addresses and CIDR ranges', () => {
    expect(trustProxy('false')).toBe(false);
    expect(trustProxy('1')).toBe(1);
    expect(trustProxy('10.0.0.1')).toEqual(['10.0.0.1']);
    expect(trustProxy('10.0.0.0/8, 192.168.1.7,::1,fd00::/8')).toEqual(['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8']);
  });

  it('refuses true, which would let every client choose its own address', () => {
    expect(() => validateEnvironment({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true would trust every hop/);
  });

  it.each(['TRUE', 'yes', '-1', '1.5', '10.0.0.0/33', '::1/129', 'proxy.example', '10.0.0.1,', '10.0.0.1/8/8'])('refuses %p at start-up', (value) => {
    expect(() => validateEnvironment({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY must be false, a hop count, or comma-separated proxy addresses\/CIDRs/);
  });
});

describe('every variable is validated', () => {
  it.each([
    ['NODE_ENV', 'staging'],
    ['PORT', '70000'],
    ['JWT_ISSUER', 'x'.repeat(201)],
    ['JWT_REFRESH_TTL', '1w'],
    ['LOGIN_MAX_FAILURES', '0'],
    ['LOGIN_LOCKOUT', 'soon'],
    ['THROTTLE_AUTH_LIMIT', 'many'],
    ['DOCS_ENABLED', 'TRUE'],
    ['SHUTDOWN_TIMEOUT', '0'],
    ['LOG_LEVEL', 'verbose'],
    ['ADMIN_USERNAME', 'a b'],
  ])('%s=%p stops start-up, naming it', (name, value) => {
    expect(() => validateEnvironment({ [name]: value, ADMIN_PASSWORD: name === 'ADMIN_USERNAME' ? 'x' : undefined })).toThrow(
      new RegExp(`Invalid configuration:[\\s\\S]*${name}`),
    );
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

describe('WebAuthnConfig', () => {
  it('takes the relying party from APP_URL unless WEBAUTHN_RP_ID says otherwise', () => {
    expect(new AppConfig({ PORT: '8080' }).webauthn).toEqual({ origin: 'http://localhost:8080', rpId: 'localhost', rpName: 'nest-auth-service' });
    const config = new AppConfig({ APP_URL: 'https://auth.example.com/app/', WEBAUTHN_RP_NAME: 'Shelf' });
    expect(config.webauthn).toEqual({ origin: 'https://auth.example.com', rpId: 'auth.example.com', rpName: 'Shelf' });
    expect(new AppConfig({ APP_URL: 'https://auth.example.com', WEBAUTHN_RP_ID: 'example.com' }).webauthn.rpId).toBe('example.com');
  });

  it('refuses an APP_URL that is not an http(s) URL and an RP id that is not a host name', () => {
    expect(() => validateEnvironment({ APP_URL: 'auth.example.com' })).toThrow(/APP_URL/);
    expect(() => validateEnvironment({ APP_URL: 'ftp://example.com' })).toThrow(/APP_URL/);
    expect(() => validateEnvironment({ WEBAUTHN_RP_ID: 'https://example.com' })).toThrow(/WEBAUTHN_RP_ID/);
  });
  describe('OIDC_PROVIDERS', () => {
    const entry = { id: 'google', name: 'Google', issuer: 'https://accounts.google.com', clientId: 'id', clientSecret: 'secret' };
    const env = (value: unknown) => ({ OIDC_PROVIDERS: typeof value === 'string' ? value : JSON.stringify(value) });

    it('is optional and parses a valid list', () => {
      expect(new AppConfig({}).oidc.providers).toEqual([]);
      const config = new AppConfig({ ...env([entry]), APP_URL: 'https://auth.example.com' });
      expect(config.oidc.providers).toEqual([entry]);
      expect(config.oidc.callbackUrl('google')).toBe('https://auth.example.com/api/auth/oidc/google/callback');
    });

    it('refuses malformed lists, naming the variable', () => {
      for (const bad of [
        'not json',
        { ...entry },
        [{ ...entry, id: 'Has Space' }],
        [entry, { ...entry, name: 'Again' }],
        [{ ...entry, issuer: 'accounts.google.com' }],
        [{ ...entry, issuer: 'ftp://accounts.google.com' }],
        [{ ...entry, clientSecret: '' }],
        [{ ...entry, extra: true }],
        [{ id: 'x' }],
      ]) {
        expect(() => validateEnvironment(env(bad))).toThrow(/OIDC_PROVIDERS/);
      }
    });
  });
});

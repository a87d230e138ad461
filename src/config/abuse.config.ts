import type { EnvReader } from './env-reader.js';

/** Per-account lockout and per-client throttle of the auth routes. */
export class AbuseConfig {
  readonly loginMaxFailures: number;
  readonly loginLockoutSeconds: number;
  /** Requests per minute per client to login, register and refresh. */
  readonly throttleAuthLimit: number;

  constructor(read: EnvReader) {
    this.loginMaxFailures = read.integer('LOGIN_MAX_FAILURES', 5, 1, 1000);
    this.loginLockoutSeconds = read.duration('LOGIN_LOCKOUT', '15m');
    this.throttleAuthLimit = read.integer('THROTTLE_AUTH_LIMIT', 20, 1, 100000);
  }
}

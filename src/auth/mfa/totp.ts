import { Injectable } from '@nestjs/common';
import { Secret, TOTP } from 'otpauth';
import { Clock } from '../../common/clock.js';

/** RFC 6238 as authenticator apps expect it by default. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
const ALGORITHM = 'SHA1';
/** One step either way: a phone clock a little off, or a code typed as it rolled over. */
const DRIFT_STEPS = 1;
/** 160 bits, RFC 4226's recommended secret length. */
const SECRET_BYTES = 20;
const ISSUER = 'nest-auth-service';

/** TOTP codes against the injected clock; which step was last used is the caller's to keep. */
@Injectable()
export class TotpService {
  constructor(private readonly clock: Clock) {}

  /** A new random secret, base32 as apps take it. */
  generateSecret(): string {
    return new Secret({ size: SECRET_BYTES }).base32;
  }

  otpauthUrl(secret: string, accountName: string): string {
    return this.totp(secret, accountName).toString();
  }

  /**
   * The time step `code` belongs to, if it is valid now (within the drift) and later than
   * `lastUsedStep`, so a code that was accepted once is never accepted again; else null.
   */
  matchStep(secret: string, code: string, lastUsedStep: number | null): number | null {
    if (!/^\d{6}$/.test(code)) return null;
    const timestamp = this.clock.now();
    const delta = this.totp(secret).validate({ token: code, timestamp, window: DRIFT_STEPS });
    if (delta === null) return null;
    const step = TOTP.counter({ period: PERIOD_SECONDS, timestamp }) + delta;
    return lastUsedStep !== null && step <= lastUsedStep ? null : step;
  }

  private totp(secret: string, label = ''): TOTP {
    return new TOTP({ issuer: ISSUER, label, algorithm: ALGORITHM, digits: DIGITS, period: PERIOD_SECONDS, secret: Secret.fromBase32(secret) });
  }
}

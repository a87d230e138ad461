import { Injectable } from '@nestjs/common';

/** The current time, injected where a rule depends on it (TOTP steps) so tests can move it. */
@Injectable()
export class Clock {
  /** Milliseconds since the epoch. */
  now(): number {
    return Date.now();
  }
}

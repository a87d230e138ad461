import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';
import { availableParallelism } from 'node:os';
import { normalizePassword } from './password-strength.js';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * Hashes and verifies passwords; argon2 runs in libuv's thread pool, off the event loop.
 * At most one argon2 run per core is in flight: more only queue for the same cores while
 * each holds 19 MiB, and they starve the event loop's own core during a login storm.
 */
@Injectable()
export class PasswordService {
  readonly maxConcurrent = availableParallelism();
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private dummyHash?: Promise<string>;

  /** Hashes the NFKC form, so the password typed on another keyboard or input method still matches. */
  hash(password: string): Promise<string> {
    return this.withSlot(() => argon2.hash(normalizePassword(password), ARGON2_OPTIONS));
  }

  async verify(hash: string, password: string): Promise<boolean> {
    return (await this.matchingForm(hash, password)) !== undefined;
  }

  /**
   * Which form of the password the hash was made from: `normalized` (NFKC, every hash made
   * since), or `raw` for a hash made before normalization from a password NFKC changes.
   * The raw form is tried only when it differs, so most checks cost one argon2 run.
   * A `raw` match should be re-hashed (see needsRehash's caller).
   */
  async matchingForm(hash: string, password: string): Promise<'normalized' | 'raw' | undefined> {
    const normalized = normalizePassword(password);
    if (await this.argon2Verify(hash, normalized)) return 'normalized';
    if (normalized !== password && (await this.argon2Verify(hash, password))) return 'raw';
    return undefined;
  }

  /**
   * Verifies against a throw-away hash so a login for an unknown username costs the same
   * argon2 work as one for a real user, and timing does not reveal which names exist.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('dummy password that never matches anything');
    await this.matchingForm(await this.dummyHash, password);
    return false;
  }

  private async argon2Verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.withSlot(() => argon2.verify(hash, password));
    } catch {
      // A malformed stored hash must fail closed, not surface as a 500.
      return false;
    }
  }

  /** True when the stored hash was made with weaker or other parameters than ARGON2_OPTIONS. */
  needsRehash(hash: string): boolean {
    try {
      // argon2.needsRehash compares version and costs only, not the variant (argon2i/d).
      return !hash.startsWith('$argon2id$') || argon2.needsRehash(hash, ARGON2_OPTIONS);
    } catch {
      return true;
    }
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.maxConcurrent) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

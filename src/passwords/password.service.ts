import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Hashes and verifies passwords; argon2 runs in libuv's thread pool, off the event loop. */
@Injectable()
export class PasswordService {
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      // A malformed stored hash must fail closed, not surface as a 500.
      return false;
    }
  }

  /**
   * Verifies against a throw-away hash so a login for an unknown username costs the same
   * argon2 work as one for a real user, and timing does not reveal which names exist.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('dummy password that never matches anything');
    await this.verify(await this.dummyHash, password);
    return false;
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
}

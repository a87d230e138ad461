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

/** Bounds rawFormHashes should its entries not be consumed (e.g. a password change replaces the hash anyway). */
const RAW_FORM_MEMORY = 1000;

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
  /** Hashes verify() matched only in their raw form, until needsRehash() reports them. */
  private readonly rawFormHashes = new Set<string>();

  /** Hashes the NFKC form, so the password typed on another keyboard or input method still matches. */
  hash(password: string): Promise<string> {
    return this.withSlot(() => argon2.hash(normalizePassword(password), ARGON2_OPTIONS));
  }

  /**
   * Checks the NFKC form (every hash made since normalization), then, only when it differs,
   * the password as typed: a hash made before normalization still verifies, and is
   * remembered so needsRehash() asks for it to be replaced.
   */
  async verify(hash: string, password: string): Promise<boolean> {
    const normalized = normalizePassword(password);
    if (await this.argon2Verify(hash, normalized)) return true;
    if (normalized === password || !(await this.argon2Verify(hash, password))) return false;
    if (this.rawFormHashes.size >= RAW_FORM_MEMORY) this.rawFormHashes.clear();
    this.rawFormHashes.add(hash);
    return true;
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

  private async argon2Verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.withSlot(() => argon2.verify(hash, password));
    } catch {
      // A malformed stored hash must fail closed, not surface as a 500.
      return false;
    }
  }

  /**
   * True when the stored hash was made with weaker or other parameters than ARGON2_OPTIONS,
   * or verify() just found it was made from the password's raw (pre-NFKC) form.
   */
  needsRehash(hash: string): boolean {
    if (this.rawFormHashes.delete(hash)) return true;
    try {
      // argon2.needsRehash compares version and costs only, not the variant (argon2i/d).
      return !hash.startsWith('$argon2id$') || argon2.needsRehash(hash, ARGON2_OPTIONS);
    } catch {
      return true;
    }
  }

  /** argon2 jobs queued for a free core (a metrics gauge). */
  get jobsWaiting(): number {
    return this.waiting.length;
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

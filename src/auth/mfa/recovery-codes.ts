import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/** Base32 without look-alikes' worries: lower-case letters and 2-7, easy to read back and type. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** 10 characters = 50 random bits each: far past guessing within the lockout's budget. */
const CODE_LENGTH = 10;

/** Ten fresh codes, shown as `xxxxx-xxxxx`. */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/**
 * The stored form of a code. SHA-256 suffices (no argon2): the codes are random with 50 bits,
 * not chosen by people. Case, spaces and dashes as typed do not matter.
 */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code.toLowerCase().replace(/[\s-]/g, ''), 'utf8').digest('hex');
}

import { describe, expect, it, jest } from '@jest/globals';
import argon2 from 'argon2';
import { ARGON2_OPTIONS, PasswordService } from './password.service.js';

describe('PasswordService', () => {
  it('hashes with argon2id and the configured parameters, and verifies', async () => {
    const passwords = new PasswordService();
    const hash = await passwords.hash('a long enough passphrase');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await passwords.verify(hash, 'a long enough passphrase')).toBe(true);
    expect(await passwords.verify(hash, 'another passphrase')).toBe(false);
    expect(await passwords.verify('not a hash', 'anything')).toBe(false);
    expect(passwords.needsRehash(hash)).toBe(false);
    expect(passwords.needsRehash(await argon2.hash('x', { ...ARGON2_OPTIONS, memoryCost: 4096 }))).toBe(true);
  });

  it('runs at most one argon2 operation per core at a time, and finishes them all', async () => {
    const passwords = new PasswordService();
    let inFlight = 0;
    let peak = 0;
    const verify = argon2.verify;
    const spy = jest.spyOn(argon2, 'verify').mockImplementation(async (...args: Parameters<typeof argon2.verify>) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        return await verify(...args);
      } finally {
        inFlight--;
      }
    });
    try {
      const hash = await passwords.hash('a long enough passphrase');
      const results = await Promise.all(Array.from({ length: passwords.maxConcurrent * 3 }, () => passwords.verify(hash, 'a long enough passphrase')));
      expect(results.every(Boolean)).toBe(true);
      expect(peak).toBe(passwords.maxConcurrent);
    } finally {
      spy.mockRestore();
    }
  });
});

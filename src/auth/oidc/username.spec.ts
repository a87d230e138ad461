import { describe, expect, it } from '@jest/globals';
import { usernameBase } from './oidc.service.js';

describe('usernameBase', () => {
  it('takes the first hint that makes a valid username', () => {
    expect(usernameBase(['ada.lovelace'])).toBe('ada.lovelace');
    expect(usernameBase(['ada@example.com'])).toBe('ada');
    expect(usernameBase(['Zoë Ångström'])).toBe('Zoe.Angstrom');
    expect(usernameBase(['', 'x', '李', 'grace'])).toBe('grace');
    expect(usernameBase(['..--ada--..'])).toBe('ada');
  });

  it('cuts long hints to 32 characters and falls back to "user"', () => {
    expect(usernameBase(['a'.repeat(40)])).toBe('a'.repeat(32));
    expect(usernameBase([])).toBe('user');
    expect(usernameBase(['李小龍', '!!'])).toBe('user');
  });
});

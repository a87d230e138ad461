import { describe, expect, it } from '@jest/globals';
import { Role } from '../common/role.enum.js';
import { VerifiedTokens } from './verified-tokens.js';

const claims = (exp: number | undefined, extra: object = {}) =>
  ({ sub: 'u', sid: 's', jti: 'j', role: Role.User, fresh: false, typ: 'access' as const, exp, ...extra });

describe('VerifiedTokens', () => {
  it('returns remembered claims until the token expires, then forgets them', () => {
    const tokens = new VerifiedTokens(10);
    tokens.remember('a', claims(1000));
    expect(tokens.get('a', 999.5)).toMatchObject({ exp: 1000 });
    expect(tokens.get('a', 1000)).toBeUndefined();
    expect(tokens.size).toBe(0);
    expect(tokens.get('a', 999)).toBeUndefined();
  });

  it('does not answer for a token that is not valid yet', () => {
    const tokens = new VerifiedTokens(10);
    tokens.remember('a', claims(1000, { nbf: 500 }));
    expect(tokens.get('a', 400)).toBeUndefined();
  });

  it('never remembers a token without a numeric expiry', () => {
    const tokens = new VerifiedTokens(10);
    tokens.remember('a', claims(undefined));
    tokens.remember('b', claims('1000' as unknown as number));
    tokens.remember('c', claims(1000, { nbf: 'soon' }));
    expect(tokens.size).toBe(0);
  });

  it('holds at most its capacity, dropping the oldest first', () => {
    const tokens = new VerifiedTokens(3);
    for (const token of ['a', 'b', 'c', 'd']) tokens.remember(token, claims(1000));
    expect(tokens.size).toBe(3);
    expect(tokens.get('a', 0)).toBeUndefined();
    expect(tokens.get('d', 0)).toBeDefined();
  });
});

describe('VerifiedTokens keys', () => {
  it('keeps a digest of the token, not the token string', () => {
    const tokens = new VerifiedTokens(10);
    const token = 'header.payload.signature' + 'x'.repeat(10_000);
    tokens.remember(token, claims(1000));
    const keys = [...(tokens as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(keys).toHaveLength(1);
    expect(keys[0].length).toBeLessThan(64);
    expect(keys[0]).not.toContain('payload');
    expect(tokens.get(token, 0)).toBeDefined();
    expect(tokens.get(token + 'y', 0)).toBeUndefined();
  });
});

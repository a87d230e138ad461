import { describe, expect, it } from '@jest/globals';
import { safeReturnTo } from './return-to.js';

describe('safeReturnTo', () => {
  it('keeps paths of this origin', () => {
    for (const path of ['/', '/account', '/authors?page=2', '/a/b#c']) expect(safeReturnTo(path)).toBe(path);
  });

  it('turns everything else into /', () => {
    for (const bad of ['//evil.com', '/\\evil.com', '\\\\evil.com', 'https://evil.com', 'javascript:alert(1)', 'account', '', '/a\nb', '/\tx', `/${'a'.repeat(600)}`, undefined, ['/a'], 42]) {
      expect(safeReturnTo(bad)).toBe('/');
    }
  });
});

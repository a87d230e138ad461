import { describe, expect, it } from '@jest/globals';
import { isoString } from './live-session.repository.js';

describe('isoString (the lookup’s timestamps as the answer prints them)', () => {
  it('prints what TypeORM writes to SQLite as the instant it stands for (UTC)', () => {
    expect(isoString('2026-12-01 05:34:27.123')).toBe('2026-12-01T05:34:27.123Z');
  });

  it('gives SQLite’s own defaults (no fraction) the same milliseconds form', () => {
    expect(isoString('2026-12-01 05:34:27')).toBe('2026-12-01T05:34:27.000Z');
  });

  it('prints a driver’s Date (mysql2, pg) as Date#toJSON would', () => {
    const at = new Date('2026-12-01T05:34:27.123Z');
    expect(isoString(at)).toBe(at.toJSON());
  });

  it('normalises any other text SQLite may hold to the same form', () => {
    expect(isoString('2026-12-01 05:34:27.5')).toBe('2026-12-01T05:34:27.500Z');
  });
});

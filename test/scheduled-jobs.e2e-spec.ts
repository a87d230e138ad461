import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { FixedWindowCounter } from '../src/abuse/fixed-window-counter.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const POLICY = { scope: 'purge-test', limit: 10, windowMs: 60_000, blockMs: 60_000 };

describe('scheduled purge jobs (@nestjs/schedule)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('registers the session and abuse-counter purges as intervals', () => {
    expect(t.app.get(SchedulerRegistry).getIntervals().sort()).toEqual(['abuse-counter-purge', 'session-purge']);
  });

  it('the abuse-counter purge drops ended windows and keeps live ones', async () => {
    const counter = t.app.get(FixedWindowCounter);
    await counter.hit(POLICY, 'ended');
    await counter.hit(POLICY, 'live');
    const past = new Date(Date.now() - 120_000);
    const pastValue = t.database.kind === 'sqlite' ? past.toISOString().replace('T', ' ').replace('Z', '') : past;
    const [ended] = await t.dataSource.query("SELECT key_hash FROM abuse_counters WHERE scope = 'purge-test' ORDER BY key_hash");
    await t.dataSource.query('UPDATE abuse_counters SET window_ends_at = ? WHERE key_hash = ?', [pastValue, ended.key_hash]);

    await counter.purgeExpired();
    const left: Array<{ key_hash: string }> = await t.dataSource.query("SELECT key_hash FROM abuse_counters WHERE scope = 'purge-test'");
    expect(left).toHaveLength(1);
    expect(left[0].key_hash).not.toBe(ended.key_hash);
  });
});

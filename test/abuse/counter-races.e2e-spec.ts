import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FixedWindowCounter, type CounterPolicy } from '../../src/abuse/fixed-window-counter.js';
import { createTestApp, uniqueName, type TestApp } from '../support/test-app.js';

/** Concurrent successful logins of one account reset its counter while other logins count on it. */
describe('fixed-window counter under concurrent resets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('a hit whose row is deleted under it by reset() counts as a first hit, never a 503', async () => {
    const counter = t.app.get(FixedWindowCounter);
    const policy: CounterPolicy = { scope: 'race-test', limit: 1000, windowMs: 60_000, blockMs: 60_000 };
    const key = uniqueName('race');
    const outcomes: Array<{ ok: boolean; hits?: number; error?: string }> = [];
    for (let round = 0; round < 100; round++) {
      const hits = Array.from({ length: 10 }, () =>
        counter.hit(policy, key).then(
          (state) => outcomes.push({ ok: true, hits: state.hits }),
          (error: Error) => outcomes.push({ ok: false, error: error.message }),
        ),
      );
      const resets = Array.from({ length: 10 }, () => counter.reset(policy, key));
      await Promise.all([...hits, ...resets]);
    }
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(outcomes).toHaveLength(1000);
    // A reset forgets hits, so a racing hit may read a fresh row its increment missed (0): an
    // undercount the reset meant anyway. It is never blocked or refused.
    for (const outcome of outcomes) expect(outcome.hits).toBeGreaterThanOrEqual(0);
  });

  it('counts a hit as the first of a new count when its row is gone each time it is read back (SQLite: a trigger plays the concurrent reset)', async () => {
    if (t.dataSource.options.type !== 'better-sqlite3') return;
    // Every increment of this scope's row deletes it at once, as a reset() landing between the
    // counter's statements would: deterministic here, a race elsewhere.
    await t.dataSource.query(
      "CREATE TRIGGER abuse_counter_vanishes AFTER UPDATE ON abuse_counters WHEN NEW.scope = 'vanishing' " +
        'BEGIN DELETE FROM abuse_counters WHERE key_hash = NEW.key_hash; END',
    );
    try {
      const counter = t.app.get(FixedWindowCounter);
      const policy: CounterPolicy = { scope: 'vanishing', limit: 5, windowMs: 60_000, blockMs: 60_000 };
      const state = await counter.hit(policy, uniqueName('gone'));
      expect(state).toEqual({ hits: 1, blocked: false, newlyBlocked: false, blockedUntil: null, retryAfterSeconds: 60 });
    } finally {
      await t.dataSource.query('DROP TRIGGER abuse_counter_vanishes');
    }
  });
});

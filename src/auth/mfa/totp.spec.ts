import { TOTP, Secret } from 'otpauth';
import { Clock } from '../../common/clock.js';
import { TotpService } from './totp.js';

/** A clock the test moves by hand. */
class FakeClock extends Clock {
  constructor(public at: number) {
    super();
  }
  override now(): number {
    return this.at;
  }
}

const STEP_MS = 30_000;
// Mid-step, so "one step earlier/later" is unambiguous.
const T0 = 1_796_000_000_000 - (1_796_000_000_000 % STEP_MS) + 10_000;

describe('TotpService', () => {
  let clock: FakeClock;
  let totp: TotpService;
  let secret: string;
  /** What an authenticator app shows at `timestamp`, computed independently of the service. */
  const appCode = (timestamp: number) =>
    new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp });
  const stepOf = (timestamp: number) => Math.floor(timestamp / STEP_MS);

  beforeEach(() => {
    clock = new FakeClock(T0);
    totp = new TotpService(clock);
    secret = totp.generateSecret();
  });

  it('makes 160-bit base32 secrets and an otpauth URL apps accept', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(totp.generateSecret()).not.toBe(secret);
    const url = new URL(totp.otpauthUrl(secret, 'ada_l'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
    expect(url.searchParams.get('algorithm')).toBe('SHA1');
  });

  it('accepts the current code and answers its step', () => {
    expect(totp.matchStep(secret, appCode(T0), null)).toBe(stepOf(T0));
  });

  it('allows one step of drift either way, not two', () => {
    expect(totp.matchStep(secret, appCode(T0 - STEP_MS), null)).toBe(stepOf(T0) - 1);
    expect(totp.matchStep(secret, appCode(T0 + STEP_MS), null)).toBe(stepOf(T0) + 1);
    expect(totp.matchStep(secret, appCode(T0 - 2 * STEP_MS), null)).toBeNull();
    expect(totp.matchStep(secret, appCode(T0 + 2 * STEP_MS), null)).toBeNull();
  });

  it('follows the clock: a code expires once the clock moves two steps on', () => {
    const code = appCode(T0);
    clock.at = T0 + STEP_MS;
    expect(totp.matchStep(secret, code, null)).toBe(stepOf(T0));
    clock.at = T0 + 2 * STEP_MS;
    expect(totp.matchStep(secret, code, null)).toBeNull();
  });

  it('refuses a replayed step, and an earlier step after a later one was used', () => {
    const step = totp.matchStep(secret, appCode(T0), null)!;
    expect(totp.matchStep(secret, appCode(T0), step)).toBeNull();
    expect(totp.matchStep(secret, appCode(T0 - STEP_MS), step)).toBeNull();
    expect(totp.matchStep(secret, appCode(T0 + STEP_MS), step)).toBe(step + 1);
  });

  it('refuses wrong codes and anything that is not six digits', () => {
    const right = appCode(T0);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    expect(totp.matchStep(secret, wrong, null)).toBeNull();
    for (const bad of ['', '12345', '1234567', 'abcdef', ` ${right}`, `${right}\n`]) {
      expect(totp.matchStep(secret, bad, null)).toBeNull();
    }
    // Another account's secret does not accept this code.
    expect(totp.matchStep(totp.generateSecret(), right, null)).toBeNull();
  });
});

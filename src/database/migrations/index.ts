import { InitialSchema1763769600000 } from './1763769600000-initial-schema.js';
import { AuthorNormalizedKeys1795316100000 } from './1795316100000-author-normalized-keys.js';
import { AbuseCounters1795316124000 } from './1795316124000-abuse-counters.js';
import { AuthorOwnerIndex1795320900000 } from './1795320900000-author-owner-index.js';
import { OneAbuseCounter1796091154000 } from './1796091154000-one-abuse-counter.js';
import { BinaryUsernameKey1796091155000 } from './1796091155000-binary-username-key.js';
import { SessionAmr1796091160000 } from './1796091160000-session-amr.js';
import { OneTimeTokens1796091700000 } from './1796091700000-one-time-tokens.js';
import { SessionTransport1796092000000 } from './1796092000000-session-transport.js';
import { UserEmail1796100000000 } from './1796100000000-user-email.js';
import { Passkeys1796100100000 } from './1796100100000-passkeys.js';
import { TwoFactor1796100200000 } from './1796100200000-two-factor.js';
import { OidcIdentities1796100300000 } from './1796100300000-oidc-identities.js';

/** Every migration, oldest first; the app, the tests and the CLI all run this list. */
export const migrations = [
  InitialSchema1763769600000,
  AuthorNormalizedKeys1795316100000,
  AbuseCounters1795316124000,
  AuthorOwnerIndex1795320900000,
  OneAbuseCounter1796091154000,
  BinaryUsernameKey1796091155000,
  SessionAmr1796091160000,
  OneTimeTokens1796091700000,
  SessionTransport1796092000000,
  UserEmail1796100000000,
  Passkeys1796100100000,
  TwoFactor1796100200000,
  OidcIdentities1796100300000,
];

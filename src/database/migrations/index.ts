import { InitialSchema1763769600000 } from './1763769600000-initial-schema.js';
import { AuthorNormalizedKeys1795316100000 } from './1795316100000-author-normalized-keys.js';
import { AbuseCounters1795316124000 } from './1795316124000-abuse-counters.js';
import { AuthorOwnerIndex1795320900000 } from './1795320900000-author-owner-index.js';
import { SessionTransport1796092000000 } from './1796092000000-session-transport.js';

/** Every migration, oldest first; the app, the tests and the CLI all run this list. */
export const migrations = [
  InitialSchema1763769600000,
  AuthorNormalizedKeys1795316100000,
  AbuseCounters1795316124000,
  AuthorOwnerIndex1795320900000,
  SessionTransport1796092000000,
];

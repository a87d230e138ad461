import { InitialSchema1763769600000 } from './1763769600000-initial-schema.js';

/** Every migration, oldest first; the app, the tests and the CLI all run this list. */
export const migrations = [InitialSchema1763769600000];

import { setFlagsFromString } from 'node:v8';

/**
 * V8's allocation-site pretenuring watches which allocation sites' objects survive a
 * scavenge and then allocates them straight in the old generation. Under load the
 * objects of in-flight requests (50 connections) are alive at each scavenge, so V8
 * pretenures the request path itself: every request then leaves garbage in the old
 * generation, which grew by ~25 MB/s to ~300 MB before a full collection, and each
 * scavenge took 6-7 ms. Without pretenuring those objects die young: the heap stays
 * near 100 MB and GET /api/users/me serves ~10 % more requests (`npm run bench`).
 * The flag is read at every collection, so setting it here, first thing, takes effect.
 */
setFlagsFromString('--no-allocation-site-pretenuring');

import { setFlagsFromString } from 'node:v8';

/**
 * V8's allocation-site pretenuring watches which allocation sites' objects survive a
 * scavenge and then allocates them straight in the old generation. Under load the
 * objects of in-flight requests (50 connections) are alive at each scavenge, so V8
 * pretenures the request path itself: every request then leaves garbage in the old
 * generation, which grew by ~25 MB/s to ~300 MB before a full collection, and each
 * scavenge took 6-7 ms. Without pretenuring those objects die young: the heap stays
 * near 100 MB and GET /api/users/me serves ~10 % more requests (`npm run bench`).
 * The flag is read at every collection, so setting it at run time takes effect.
 */
setFlagsFromString('--no-allocation-site-pretenuring');

/**
 * Memory: V8 lets the old generation grow to about twice what is live before a full
 * collection; for a service whose live heap is ~40-60 MB that slack was the largest part
 * of the heap at peak. A 30 % growing factor starts full collections sooner; interleaved
 * `npm run bench` runs were within noise of each other. Read at every collection, too.
 * (The young generation's size cannot be changed at run time: scripts/start.sh caps it.)
 */
setFlagsFromString('--heap-growing-percent=30');

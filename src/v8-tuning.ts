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

/**
 * Memory: V8 grows the young generation to 2 x 16 MB semi-spaces during start-up and keeps
 * them, and lets the old generation grow to about twice what is live before a full
 * collection. For a service whose live heap is ~60 MB that is ~60 MB of slack resident at
 * peak. Growth factor 1 keeps the semi-spaces at their initial size and a 30 % growing
 * factor starts full collections sooner; throughput in `npm run bench` was unchanged
 * (interleaved runs within noise), peak heap went from ~120 MB to ~60 MB. Both are read at
 * every collection, like the flag above.
 */
setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--heap-growing-percent=30');

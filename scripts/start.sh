#!/bin/sh
# Starts the built service the way production runs it: `npm start`, the Docker image and
# `npm run bench` all come through here, so the benchmark measures what ships.
#   sh scripts/start.sh [node options... entry]    (default: dist/src/main.js next to this script)
#
# malloc: every argon2 hash allocates 19 MiB on a libuv pool thread, and glibc keeps a freed
# block that large cached in the thread's own arena; with four pool threads ~76 MB stayed
# resident for good (the largest part of the service's memory). MALLOC_ARENA_MAX=1: one
# arena, so the blocks of the hashes in flight (at most one per core, PasswordService) are
# reused by whichever thread runs next. Fixed thresholds: 19 MiB blocks come from that arena
# rather than fresh mmaps (MMAP 32 MiB), and up to 64 MiB free at its top is kept rather than
# trimmed (TRIM), because faulting 19 MiB of new pages in for each hash cost ~5 % of login
# throughput. glibc reads these when the process starts, so main.ts cannot set them; values
# already in the environment win.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-67108864}"
#
# --max-semi-space-size=4: V8 grows the young generation to 2 x 16 MB while the modules load
# and keeps it; 4 MB semi-spaces served GET /api/users/me as fast (interleaved runs within
# noise; 1 MB cost ~10 %) and keep ~24 MB less resident. It must be given at start-up.
[ "$#" -gt 0 ] || set -- "$(dirname "$0")/../dist/src/main.js"
exec node --max-semi-space-size=4 "$@"

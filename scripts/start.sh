#!/bin/sh
# Starts the built service the way production runs it: `npm start`, the Docker image and
# `npm run bench` all come through here, so the benchmark measures what ships.
#   sh scripts/start.sh [node options... entry]    (default: dist/src/main.js next to this script)
#
# MALLOC_ARENA_MAX=1: every argon2 hash allocates 19 MiB on a libuv pool thread, and glibc
# keeps a freed block that large cached in the thread's own malloc arena; with four pool
# threads ~76 MB stayed resident for good (the largest part of the service's memory). With
# one arena the blocks of the hashes in flight (at most one per core, PasswordService) are
# reused by whichever thread runs next. glibc reads it when the process starts, so main.ts
# cannot set it; a value already in the environment wins.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"
#
# --max-semi-space-size=4: V8 grows the young generation to 2 x 16 MB while the modules load
# and keeps it; 4 MB semi-spaces served GET /api/users/me as fast (interleaved runs within
# noise; 1 MB cost ~10 %) and keep ~24 MB less resident. It must be given at start-up.
[ "$#" -gt 0 ] || set -- "$(dirname "$0")/../dist/src/main.js"
exec node --max-semi-space-size=4 "$@"

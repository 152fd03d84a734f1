#!/usr/bin/env bash
# loadtest.sh: `make loadtest`, a bounded load test of `colophon serve` on
# 127.0.0.1 (not part of CI). It installs Debian's wrk if it is missing,
# builds colophon, and runs cmd/loadtest: the bundled catalogue indexed
# into a temporary directory, served with a write token, a mixed SRU and
# JSON search load from wrk (scripts/loadtest.lua) for LOADTEST_DURATION
# (default 60s) alongside a steady stream of record writes, each checked by
# a new reader. It prints searches/s, p50/p99 latency and the errors, and
# exits 1 on any error.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
	echo "loadtest: installing wrk (Debian package wrk)"
	apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
fi
command -v wrk >/dev/null || { echo "loadtest: wrk is not installed and could not be installed" >&2; exit 1; }

GO=${GO:-go}
$GO build -o bin/colophon ./cmd/colophon
exec $GO run ./cmd/loadtest -colophon bin/colophon -data testdata/marc -lua scripts/loadtest.lua \
	-duration "${LOADTEST_DURATION:-60s}" -threads "${LOADTEST_THREADS:-2}" -connections "${LOADTEST_CONNECTIONS:-16}" \
	-write-interval "${LOADTEST_WRITE_INTERVAL:-200ms}" "$@"

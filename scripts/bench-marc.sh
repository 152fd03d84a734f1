#!/usr/bin/env bash
# bench-marc.sh: time `colophon marc` against yaz-marcdump on the same
# 100,000-record MARC-8 file (solrmarc's uva_001_2000.mrc repeated 50 times),
# one core each (GOMAXPROCS=1; yaz is single-threaded), output to /dev/null,
# median of RUNS runs, and print the speed-up ratios.
#
# Times are CPU seconds (user+sys) by default, which stay comparable when
# other processes share the machine; TIME=wall uses elapsed time instead.
#
#   scripts/bench-marc.sh            # or: make bench-marc
#   RUNS=3 TIME=wall scripts/bench-marc.sh
#   COLOPHON_BIN=path/to/colophon scripts/bench-marc.sh   # skip the build
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
TIME=${TIME:-cpu}
WORK=${WORK:-bench/.cache/marc}
SRC=testdata/marc/solrmarc/test/data/records/uva_001_2000.mrc
GO=${GO:-go}

command -v yaz-marcdump >/dev/null || { echo "bench-marc: yaz-marcdump not found (make deps)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench-marc: /usr/bin/time not found (Debian package time)" >&2; exit 2; }
mkdir -p "$WORK"
BIN=${COLOPHON_BIN:-$WORK/colophon}
[ -n "${COLOPHON_BIN:-}" ] || $GO build -o "$BIN" ./cmd/colophon

BIG=$WORK/uva100k.mrc
if [ ! -s "$BIG" ]; then
	for _ in $(seq 50); do cat "$SRC"; done > "$BIG.tmp" && mv "$BIG.tmp" "$BIG"
fi
XML=$WORK/uva100k.xml
if [ ! -s "$XML" ]; then
	yaz-marcdump -f marc8 -t utf8 -o marcxml "$BIG" > "$XML.tmp" && mv "$XML.tmp" "$XML"
fi
echo "input: $BIG ($(stat -c %s "$BIG") bytes, $(tr -cd '\035' < "$BIG" | wc -c) records), $XML ($(stat -c %s "$XML") bytes)"
echo "median of $RUNS runs, GOMAXPROCS=1, $TIME seconds"

# measure CMD...: prints the median time of RUNS runs.
measure() {
	local times=() t out
	out=$(mktemp)
	for _ in $(seq "$RUNS"); do
		GOMAXPROCS=1 /usr/bin/time -f "%e %U %S" -o "$out" "$@" > /dev/null 2>/dev/null || true
		if [ "$TIME" = wall ]; then
			t=$(tail -n 1 "$out" | awk '{print $1}')
		else
			t=$(tail -n 1 "$out" | awk '{printf "%.3f", $2+$3}')
		fi
		times+=("$t")
	done
	rm -f "$out"
	printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# job NAME TARGET "COLOPHON CMD" "YAZ CMD"
job() {
	local name=$1 target=$2 ours theirs
	ours=$(measure $3)
	theirs=$(measure $4)
	awk -v n="$name" -v o="$ours" -v y="$theirs" -v t="$target" 'BEGIN {
		r = (o > 0) ? y / o : 0
		printf "%-44s colophon %7.3fs  yaz %7.3fs  ratio %5.2fx (target %sx) %s\n", n, o, y, r, t, (r >= t) ? "ok" : "BELOW TARGET"
	}'
}

job "ISO 2709 -> MARCXML, MARC-8 conversion" 5 \
	"$BIN marc convert -to marcxml $BIG" \
	"yaz-marcdump -f marc8 -t utf8 -o marcxml $BIG"
# yaz -o marcxml copies the MARC-8 bytes into its XML; colophon always
# writes UTF-8, so its side is the same conversion as above.
job "ISO 2709 -> MARCXML (yaz: no conversion)" 5 \
	"$BIN marc convert -to marcxml $BIG" \
	"yaz-marcdump -o marcxml $BIG"
job "read and validate (marc check)" 3 \
	"$BIN marc check $BIG" \
	"yaz-marcdump -n $BIG"
job "read and validate, no conversion" 3 \
	"$BIN marc check -charset raw $BIG" \
	"yaz-marcdump -n $BIG"
job "MARCXML -> ISO 2709" 2 \
	"$BIN marc convert -from marcxml -to iso2709 $XML" \
	"yaz-marcdump -i marcxml -o marc $XML"

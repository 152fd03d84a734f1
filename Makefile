# Colophon: catalogue search for libraries.
#   make demo   build, index the bundled catalogue and run the demo
#   make test   install test dependencies and run every test

GO        ?= go
SHARED    ?= $(abspath ../shared)
BIN       := bin/colophon
FUZZTIME  ?= 10m
export COLOPHON_SHARED := $(SHARED)

.PHONY: all build test test-long deps lint fuzz bench bench-marc loadtest bench-peers bench-scale bench-large demo clean

all: build

# The binaries are built without cgo: Pebble then keeps its block cache
# and memtables on the Go heap, where the memory limit that index.Build
# sets bounds them (with cgo they come from C's malloc, outside it: a
# 1,000,000-record build peaked at 1,203 MiB RSS that way, against 914 MiB
# without cgo, with the 1 GiB budget).
export CGO_ENABLED := 0

build:
	$(GO) build -o $(BIN) ./cmd/colophon

# deps installs the Debian packages that the tests run against: yaz
# (yaz-marcdump, the reference MARC reader; libyaz-dev for the CQL oracle)
# and libxml2-utils (xmllint, for MARCXML schema validation). The server's
# real-client tests use yaz (yaz-client, yaz-url), curl and chromium.
DEB_PKGS := yaz libyaz-dev libxml2-utils pkg-config gcc curl chromium time
deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

lint:
	@test -z "$$(gofmt -l . | tee /dev/stderr)" || (echo "gofmt needed" && exit 1)
	$(GO) vet ./...

test: deps lint
	$(GO) test -tags invariants -count=1 ./...

# demo builds, indexes the bundled catalogue (testdata/marc) into a
# temporary directory and serves it on 127.0.0.1:8080 until interrupted.
demo: build
	./$(BIN) demo -data testdata/marc -addr 127.0.0.1:8080

# fuzz runs every native fuzz target of every package for FUZZTIME each
# (the issues ask for at least 10 minutes per target), one after another.
FUZZ_PKGS ?= ./marc ./analysis ./query ./index ./facets ./server ./bench
fuzz:
	@for p in $(FUZZ_PKGS); do \
		for t in $$($(GO) test -list 'Fuzz.*' $$p | grep ^Fuzz); do \
			echo "== $$p $$t ($(FUZZTIME))"; \
			$(GO) test $$p -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) || exit 1; \
		done; \
	done

bench:
	COLOPHON_BENCH_RECORDS=1000000 $(GO) test -run '^$$' -bench . -benchmem ./...

# loadtest runs a 60 s mixed SRU/JSON search load with wrk against
# colophon serve on 127.0.0.1, alongside a stream of record writes that a
# new reader must find (scripts/loadtest.sh; not part of CI).
loadtest:
	scripts/loadtest.sh

# bench-marc times colophon marc against yaz-marcdump (scripts/bench-marc.sh).
bench-marc:
	scripts/bench-marc.sh

# bench-peers runs the same generated corpus and query mix through
# Colophon, Bleve, Zebra, SQLite FTS5 and Xapian (and the parsing jobs
# through yaz-marcdump), one engine after another, BENCH_PEERS_RUNS runs
# each with the median, installing the Debian peers it needs. It prints
# the table and writes bench/results/<date>.md, .json and .svg.
# bench-scale and bench-large add the scaling curve (10k to 1M, 10M).
# None of this runs in `make test`.
BENCH_PEERS_RECORDS ?= 10000
BENCH_PEERS_RUNS    ?= 3
BENCH_PEERS_FLAGS   ?=
BENCHPEERS = $(GO) build -o bin/benchpeers ./bench/cmd/benchpeers && bin/benchpeers -runs $(BENCH_PEERS_RUNS) $(BENCH_PEERS_FLAGS)
bench-peers:
	$(BENCHPEERS) -sizes $(BENCH_PEERS_RECORDS)

bench-scale:
	$(BENCHPEERS) -sizes 10000,100000,1000000

bench-large:
	$(BENCHPEERS) -sizes 10000,100000,1000000,10000000

clean:
	rm -rf bin

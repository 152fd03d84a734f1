# Colophon: catalogue search for libraries.
#   make demo   build, index the bundled catalogue and run the demo
#   make test   install test dependencies and run every test

GO        ?= go
SHARED    ?= $(abspath ../shared)
BIN       := bin/colophon
FUZZTIME  ?= 10m
export COLOPHON_SHARED := $(SHARED)

.PHONY: all build test deps lint fuzz bench bench-marc demo clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/colophon

# deps installs the Debian packages that the tests run against: yaz
# (yaz-marcdump, the reference MARC reader; libyaz-dev for the CQL oracle)
# and libxml2-utils (xmllint, for MARCXML schema validation).
DEB_PKGS := yaz libyaz-dev libxml2-utils pkg-config gcc
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

demo: build
	./$(BIN) marc check testdata/marc/*.mrc testdata/marc/*.xml || true

fuzz:
	@for t in $$($(GO) test -list 'Fuzz.*' ./marc | grep ^Fuzz); do \
		$(GO) test ./marc -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

bench:
	COLOPHON_BENCH_RECORDS=1000000 $(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin

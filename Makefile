# asynchttpserver for Go. A newcomer needs two commands: `make run` and `make test`.
GO      ?= go
BIN     := bin
PKGS    := ./...

.PHONY: all build run test unit race lint vet fmt-check cross fuzz soak examples bench bench-cost bench-idle bench-test bench-smoke clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

## run: build and start the seed's Hello World server on :8080.
run:
	$(GO) build -o $(BIN)/hello ./cmd/hello
	./$(BIN)/hello -addr :8080

## test: every test: vet, gofmt, the kqueue cross-build, unit + end-to-end + fuzz seed corpora,
## the race detector, the user-side examples (real clients, the docs' programs vetted from
## a user's module), and the benchmark pipeline's smoke run.
test: lint cross unit race examples bench-test bench-smoke

unit:
	$(GO) test -count=1 $(PKGS)
	$(GO) test -count=1 -tags parsercount ./internal/parser # the parser's work counters, off in production

race:
	$(GO) test -count=1 -race $(PKGS)

lint: vet fmt-check

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## cross: the kqueue backend must compile and vet for the BSDs and macOS.
cross:
	GOOS=darwin  GOARCH=arm64 $(GO) vet $(PKGS)
	GOOS=darwin  GOARCH=amd64 $(GO) build $(PKGS)
	GOOS=freebsd GOARCH=amd64 $(GO) vet $(PKGS)
	GOOS=netbsd  GOARCH=amd64 $(GO) build $(PKGS)
	GOOS=openbsd GOARCH=amd64 $(GO) build $(PKGS)

## fuzz: run each fuzz target for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## soak: a 60-second mix of good, pipelining, slow, malformed and vanishing clients
## (a 5-second version runs in `make test`).
SOAK_DURATION ?= 60s
soak:
	SOAK_DURATION=$(SOAK_DURATION) $(GO) test -count=1 -run '^TestSoak$$' -v ./server

## examples: examples/ is a module of its own, as a user's would be: its programs are vetted
## from outside ours, driven by real clients (Go, curl, Python, node; skipped where missing,
## CI installs them), and the README's and docs' Go programs are built and vetted there too.
examples:
	cd examples && $(GO) vet ./... && $(GO) test -count=1 ./...

## bench: every server, every scenario, interleaved rounds; tables and chart in bench/results.
bench:
	$(MAKE) -C bench bench

## bench-cost: instructions per request under callgrind, ours and each peer.
bench-cost:
	$(MAKE) -C bench bench-cost

## bench-idle: memory per idle keep-alive connection, ours beside every peer (gnet, evio, ...).
bench-idle:
	$(MAKE) -C bench bench-idle

## bench-test: the benchmark harness's own tests (bench/ is a module of its own).
bench-test:
	$(MAKE) -C bench test

## bench-smoke: seconds-long run of the whole benchmark pipeline, correctness only.
bench-smoke:
	$(MAKE) -C bench bench-smoke

clean:
	rm -rf $(BIN) bench/bin

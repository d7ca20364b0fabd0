# Bedstate: build, lint and test entry points.
# `make test` is what CI runs (through .ci/run) on a fresh Debian 12 machine.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

# Pure-Go SQLite (modernc.org/sqlite): cgo would also compile mattn/go-sqlite3,
# which is slow and unwanted.
export CGO_ENABLED := 0

# Redocly CLI would otherwise send usage data and check for updates.
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true

GO ?= go
BIN := bin/bedstate
CMD := ./backend/cmd/bedstate

# v0.8.x is the staticcheck line built against Go 1.26.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# Debian packages the tests need: a browser for pwa/tests and docker-compose
# to validate docker-compose.yml (no Docker engine is needed for that).
DEBIAN_PACKAGES := chromium fonts-liberation docker-compose

.PHONY: run build deps lint test test-go test-browser pwa-assets bench clean

# Run the server with demo data on :8080 (embedded SQLite under ./data).
run:
	$(GO) run $(CMD) serve --demo

# Build a static binary into bin/bedstate.
build:
	$(GO) build -trimpath -o $(BIN) $(CMD)

# Install what the tests need; quick and quiet when everything is there.
deps: node_modules/.package-lock.json
	scripts/apt-install.sh $(DEBIAN_PACKAGES)
	$(GO) mod download

# npm ci only when node_modules is missing or older than the lock file.
node_modules/.package-lock.json: package-lock.json package.json
	npm ci --no-audit --no-fund
	touch $@

# Static checks: go vet, gofmt, staticcheck, the OpenAPI spec, the compose file.
lint: node_modules/.package-lock.json
	$(GO) vet ./...
	@unformatted=$$(find . -name '*.go' -not -path './node_modules/*' -not -path './.git/*' | xargs -r gofmt -l); \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt: these files need formatting (run gofmt -w):"; \
		echo "$$unformatted"; \
		exit 1; \
	fi
	$(STATICCHECK) ./...
	npx --no-install redocly lint --config .redocly.yaml openapi.yaml
	docker-compose -f docker-compose.yml config -q

# Everything CI checks. The Go tests need PostgreSQL on 127.0.0.1:5432
# (BEDSTATE_TEST_POSTGRES_URL overrides) and fail without it.
test: deps lint test-go test-browser

# Go unit and API tests against SQLite and PostgreSQL.
test-go:
	$(GO) test -count=1 -timeout 20m ./...

# Browser tests: pwa/tests/*.test.js start the real server and drive
# /usr/bin/chromium with playwright-core; screenshots go to test-artifacts/.
test-browser: node_modules/.package-lock.json
	node --test --test-reporter=spec pwa/tests/ 2>&1 | { grep -v -E 'dbus|org\.freedesktop' || true; }

# Copy nhsuk-frontend's CSS, JS and icons from node_modules into
# pwa/static/vendor (committed, so go build needs no npm).
pwa-assets: node_modules/.package-lock.json
	scripts/pwa-assets.sh

# Benchmarks against a national dataset on SQLite and PostgreSQL (which must
# answer on 127.0.0.1:5432): bed updates, vacancy search over HTTP against a
# SQL baseline, 304 revalidation and memory, each printed with its target.
# A missed target is printed, never a failure. The "bench" build tag keeps
# them out of `make test`. Then the Go micro-benchmarks, with allocations.
bench:
	$(GO) test -tags bench -count=1 -timeout 30m -v -run '^TestBench' ./backend/bench/
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Remove build and test output. ./data is kept: it holds the generated keys.
clean:
	rm -rf bin test-artifacts

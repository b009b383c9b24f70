# Rapport: the two commands a new user needs.
#   make run    builds and starts Rapport on http://127.0.0.1:3000 (SQLite under ./data)
#   make test   passes the whole test suite (lint, unit, integration, end-to-end)
# Both install what is missing first (see .ci/ensure-tools.sh).

SHELL := /bin/bash
.DEFAULT_GOAL := run

# One set of flags for cargo-leptos and plain cargo, so they share artifacts
# (cargo-leptos adds exactly this flag to debug builds).
export RUSTFLAGS := --cfg erase_components
export CARGO_TARGET_DIR ?= $(CURDIR)/target
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
BIN := $(CARGO_TARGET_DIR)/debug/rapport

.PHONY: run demo test tools tools-test build lint test-rust test-postgres api-fuzz e2e bench bench-load wasm-size screenshots release clean

## Build and start Rapport (debug build; first start shows the setup page).
run: tools build
	LEPTOS_SITE_ROOT=$(CURDIR)/target/site $(BIN) serve

## Load the demo organisation, then start Rapport.
demo: tools build
	$(BIN) demo-data || true
	LEPTOS_SITE_ROOT=$(CURDIR)/target/site $(BIN) serve

## The whole suite: formatting, lints (native and wasm), unit and integration
## tests on SQLite (and PostgreSQL when RAPPORT_TEST_POSTGRES_URL is set),
## schemathesis against the served OpenAPI document, then the browser
## journeys at desktop and phone size.
test: tools-test lint build test-rust test-postgres api-fuzz e2e

tools:
	@.ci/ensure-tools.sh

tools-test:
	@.ci/ensure-tools.sh --browser

build:
	env -u RUSTFLAGS cargo leptos build

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p rapport-app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
	@# The browser graph must stay free of I/O crates.
	@! cargo tree -p rapport-app --target wasm32-unknown-unknown --no-default-features --features hydrate -e normal | grep -E '(^|[ ─])(sea-orm|sqlx|tokio|axum|argon2|ring) v'
	@! cargo tree -p rapport-shared -e normal | grep -E '(^|[ ─])(sea-orm|sqlx|tokio|axum) v'

test-rust:
	@# SQLite here whatever the environment says: the API tests pick
	@# PostgreSQL when RAPPORT_TEST_POSTGRES_URL is set, and test-postgres runs them there.
	env -u RAPPORT_TEST_POSTGRES_URL cargo test --workspace
	@# The load benchmark at the tiny scale (debug build, a moment per
	@# operation; PostgreSQL too when RAPPORT_TEST_POSTGRES_URL is set), so it cannot rot.
	cargo test -p rapport-server --bench load

test-postgres:
	@if [ -n "$$RAPPORT_TEST_POSTGRES_URL" ]; then \
		echo "== server tests on PostgreSQL"; cargo test -p rapport-server --test api; \
	else echo "== RAPPORT_TEST_POSTGRES_URL not set: PostgreSQL run skipped"; fi

## Generated requests against every documented operation of the debug
## server: no 5xx, answers as documented (see .ci/schemathesis.sh).
api-fuzz:
	.ci/schemathesis.sh

e2e:
	cd e2e && npm ci --no-audit --no-fund
	cd e2e && RAPPORT_BIN=$(BIN) LEPTOS_SITE_ROOT=$(CURDIR)/target/site npx playwright test

## Figures, not pass/fail: the release build's wasm size (raw, gzip,
## brotli); activity logging, timeline and board reads, and the reminder
## scheduler with a million reminders; the HTTP load benchmark against a bare
## axum + sqlx baseline over 1M generated customers (SQLite; PostgreSQL too
## when RAPPORT_BENCH_POSTGRES_URL is set); how soon the board of 5,000 deals
## is usable in Chromium.
bench: tools-test release wasm-size
	cargo bench -p rapport-server --bench figures --bench scheduler --bench load
	cd e2e && npm ci --no-audit --no-fund
	cd e2e && RAPPORT_BIN=$(CARGO_TARGET_DIR)/release/rapport LEPTOS_SITE_ROOT=$(CURDIR)/target/site node bench/board_paint.js

## Only the HTTP load benchmark (RAPPORT_LOAD_SCALE=tiny|small|large, default large).
bench-load: tools
	cargo bench -p rapport-server --bench load

## The README's pictures, from the demo organisation in Chromium.
screenshots: tools-test build
	cd e2e && npm ci --no-audit --no-fund
	cd e2e && RAPPORT_BIN=$(BIN) LEPTOS_SITE_ROOT=$(CURDIR)/target/site node readme_screenshots.js

wasm-size:
	node e2e/bench/wasm_size.js $(CURDIR)/target/site

## Optimised build (wasm-opt from npm's binaryen; never Debian's), with
## brotli and gzip copies of the assets, which the server sends to browsers
## that accept them.
release: tools
	env -u RUSTFLAGS cargo leptos build --release --precompress

clean:
	cargo clean

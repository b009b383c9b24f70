#!/usr/bin/env bash
# Installs what building Rapport needs, skipping whatever is already present
# at the right version. Idempotent; safe to run every time.
#   .ci/ensure-tools.sh            tools to build and run
#   .ci/ensure-tools.sh --browser  also what the tests need: Chromium for the
#                                  end-to-end tests, aiosmtpd for the mail tests
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132.0.0
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, "", $0); print; exit}' Cargo.lock)

step() { printf '== %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 20-35 minutes on two cores, once)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=2 \
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
fi

# cargo-leptos would try to download wasm-bindgen; it must match Cargo.lock exactly.
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# wasm-opt for release builds: npm's binaryen (Debian's v108 breaks hydration).
if [ ! -x .tools/node_modules/.bin/wasm-opt ]; then
  step "installing wasm-opt (binaryen $BINARYEN_VERSION from npm)"
  mkdir -p .tools
  (cd .tools && npm install --no-audit --no-fund --prefix . "binaryen@$BINARYEN_VERSION" >/dev/null)
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
  step "installing Debian's chromium for the end-to-end tests"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

# The mail tests start a real SMTP server: aiosmtpd from PyPI, for the python3
# on PATH, in the user's site-packages (or the active virtualenv's).
if [ "${1:-}" = "--browser" ] && ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  step "installing aiosmtpd (the SMTP server the mail tests start)"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip
  fi
  pip_flags=(--quiet --disable-pip-version-check --no-warn-script-location)
  if python3 -c 'import sys; sys.exit(sys.prefix != sys.base_prefix)'; then
    pip_flags+=(--user)
  fi
  # Debian's own Python (PEP 668) refuses even user installs without this
  # flag; a user install writes to ~/.local only, never to Debian's packages.
  if python3 -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
    pip_flags+=(--break-system-packages)
  fi
  python3 -m pip install "${pip_flags[@]}" aiosmtpd
fi

# The property-based API test (.ci/schemathesis.sh): schemathesis from PyPI in
# its own virtualenv under .tools (git-ignored). Pinned: its CLI changed
# between majors (v4 renamed and dropped v3's options).
SCHEMATHESIS_VERSION=4.32.5
if [ "${1:-}" = "--browser" ] &&
  [ "$(.tools/schemathesis/bin/schemathesis --version 2>/dev/null | awk '{print $3}')" != "$SCHEMATHESIS_VERSION" ]; then
  step "installing schemathesis $SCHEMATHESIS_VERSION (API fuzzing against the OpenAPI document)"
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
  fi
  mkdir -p .tools
  python3 -m venv .tools/schemathesis
  .tools/schemathesis/bin/python -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

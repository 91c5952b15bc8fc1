#!/usr/bin/env bash
# Browser tests of the dashboard: installs what they need when missing (Debian's Chromium and
# sqlite3, playwright-core from npm; never a downloaded browser), builds the site in release
# (for the first-load budget test in release/) and in debug (for the tests in tests/), and runs
# `node --test` against a server the tests start themselves.
# Usage: bash end2end/run.sh   (from anywhere; CARGO_TARGET_DIR is honoured)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "end2end: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

[ -x node_modules/.bin/tailwindcss ] || npm ci --no-audit --no-fund
(cd end2end && npm ci --no-audit --no-fund)

target="${CARGO_TARGET_DIR:-$root/target}"
# Run private copies: another build in the same target dir must not swap a binary mid-run.
bin_dir="$(mktemp -d)"
trap 'rm -rf "$bin_dir"' EXIT

# The release bundle (optimised, content-hashed, precompressed) for the first-load budget
# test; its site is kept aside before the debug build replaces it. The bundle names are in
# hash.txt, which the server reads next to its binary.
cargo leptos build --release --precompress --split --frontend-only
mkdir -p "$bin_dir/release"
cp -r target/site "$bin_dir/release/site"
cp "$target/release/hash.txt" "$bin_dir/release/"

cargo leptos build --split
cargo build -p evolution-sim
cp "$target/debug/server" "$target/debug/evolution-sim" "$target/debug/hash.txt" "$bin_dir/"
cp "$target/debug/server" "$bin_dir/release/"

cd end2end
FLOW_SERVER_BIN="$bin_dir/release/server" FLOW_SITE_ROOT="$bin_dir/release/site" \
  node --test --test-concurrency=1 release/
FLOW_SERVER_BIN="$bin_dir/server" SIM_BIN="$bin_dir/evolution-sim" node --test --test-concurrency=1 tests/

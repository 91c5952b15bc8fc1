#!/usr/bin/env bash
# Browser tests of the dashboard: installs what they need when missing (Debian's Chromium and
# sqlite3, playwright-core from npm; never a downloaded browser), builds the site in debug,
# and runs `node --test` against a server the tests start themselves.
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

cargo leptos build
cargo build -p evolution-sim
target="${CARGO_TARGET_DIR:-$root/target}"
# Run private copies: another build in the same target dir must not swap a binary mid-run.
bin_dir="$(mktemp -d)"
trap 'rm -rf "$bin_dir"' EXIT
cp "$target/debug/server" "$target/debug/evolution-sim" "$bin_dir/"

cd end2end
FLOW_SERVER_BIN="$bin_dir/server" SIM_BIN="$bin_dir/evolution-sim" node --test --test-concurrency=1 tests/

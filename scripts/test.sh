#!/usr/bin/env bash
# The one test command: installs what is needed, starts a real Redmine on
# loopback, runs every test, stops Redmine. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/setup.sh
tests/support/redmine.sh install >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/hypercare-test.XXXXXX")
cleanup() {
  tests/support/redmine.sh stop "$work/redmine" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== starting Redmine" >&2
eval "$(tests/support/redmine.sh start "$work/redmine" "${REDMINE_PORT:-3300}")"
export REDMINE_URL REDMINE_API_KEY REDMINE_DIR
export REDMINE_DATA="$work/redmine"   # tests stop/start the server with tests/support/redmine.sh
export HYPERCARE_TEST_WORK="$work"

echo "== desktop UI: build (the shell embeds ui/dist)" >&2
(cd ui && npm run --silent build)

echo "== UI bindings: regenerate from the Rust types and compare with the committed ones" >&2
fresh="$work/bindings"
TS_RS_EXPORT_DIR="$fresh" cargo test --workspace --lib --locked -q export_bindings >/dev/null
if ! diff -r ui/src/bindings "$fresh" >&2; then
  echo "FAIL: ui/src/bindings is stale; run 'cargo test --workspace --lib export_bindings' and commit ui/src/bindings" >&2
  exit 1
fi

echo "== desktop UI: type check, unit tests (vitest)" >&2
(cd ui && npm run --silent check && npm run --silent test)

echo "== core tests" >&2
cargo test --workspace --locked -- --test-threads=2

echo "== end-to-end tests (real window: Xvfb, tauri-driver, WebKitWebDriver)" >&2
TAURI_DRIVER=$(bash scripts/tauri-driver.sh)
export TAURI_DRIVER
# The e2e target is `test = false`: the stage above skips it, this one runs
# it alone, one test at a time (one WebDriver session per WebKit process),
# bounded in time because a hang in the window chain is silent. Building the
# test also builds the app binary it drives (target/debug/hypercare-desk),
# with the same features as the tests above, so Tauri compiles once.
cargo test --locked -p hypercare-desk --test e2e --no-run
timeout 900 cargo test --locked -p hypercare-desk --test e2e -- --test-threads=1
cargo test --locked -p hypercare-desk --test e2e_validation --no-run
timeout 600 cargo test --locked -p hypercare-desk --test e2e_validation -- --test-threads=1
cargo test --locked -p hypercare-desk --test e2e_themes --no-run
timeout 300 cargo test --locked -p hypercare-desk --test e2e_themes -- --test-threads=1
cargo test --locked -p hypercare-desk --test e2e_boot --no-run
timeout 300 cargo test --locked -p hypercare-desk --test e2e_boot -- --test-threads=1

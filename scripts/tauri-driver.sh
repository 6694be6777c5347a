#!/usr/bin/env bash
# Print the path of a usable `tauri-driver`, installing it into the
# git-ignored `.tools/` of the repository when it is missing (~1.5 min once).
# Usage: scripts/tauri-driver.sh        -> prints /abs/path/to/tauri-driver
# Env:   TAURI_DRIVER   use this binary instead (must exist)
#        TAURI_DRIVER_VERSION  version to install (default 2.0.4 or newer 2.x)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [ -n "${TAURI_DRIVER:-}" ]; then
  [ -x "$TAURI_DRIVER" ] || { echo "tauri-driver: TAURI_DRIVER=$TAURI_DRIVER is not an executable" >&2; exit 1; }
  echo "$TAURI_DRIVER"
  exit 0
fi

bin="$root/.tools/bin/tauri-driver"
if [ ! -x "$bin" ]; then
  echo "tauri-driver: installing into $root/.tools (about 1.5 minutes, once)" >&2
  cargo install tauri-driver --version "${TAURI_DRIVER_VERSION:-^2}" --locked --root "$root/.tools" >&2
fi
if ! command -v WebKitWebDriver >/dev/null; then
  echo "tauri-driver: WebKitWebDriver is missing; run scripts/setup.sh (apt package webkit2gtk-driver)" >&2
  exit 1
fi
echo "$bin"

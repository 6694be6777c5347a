#!/usr/bin/env bash
# Build the web UI into ui/dist, which the Tauri shell embeds at compile time
# (so build it BEFORE compiling hypercare-desk). `npm ci` only when
# node_modules is missing or older than the lock file.
set -euo pipefail
cd "$(dirname "$0")/../ui"

command -v npm >/dev/null || { echo "build-ui: npm is missing (apt: nodejs npm)" >&2; exit 1; }
if [ ! -f index.html ]; then
  echo "build-ui: no UI sources (ui/index.html) yet; keeping ui/dist as it is" >&2
  mkdir -p dist
  [ -f dist/index.html ] || echo '<!doctype html><html><body>UI not built</body></html>' > dist/index.html
  exit 0
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi
npm run build >&2

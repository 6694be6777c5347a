#!/usr/bin/env bash
# The README's run command: install what is missing, build the web UI and the
# desktop app (debug build; the first one takes several minutes, later ones
# seconds), then open the app. Without a display it runs under Xvfb.
# Arguments are passed to the app. The workspace is the CLI's
# (HYPERCARE_DATA_DIR, else $XDG_DATA_HOME/hypercare-desk); a first run opens
# on the built-in demo.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "run: building the UI (ui/ → ui/dist)" >&2
(cd ui && npm run --silent build)

echo "run: building the desktop app (cargo build -p hypercare-desk)" >&2
cargo build -p hypercare-desk
app="${CARGO_TARGET_DIR:-target}/debug/hypercare-desk"

echo "run: starting $app (log files: <data dir>/logs/)" >&2
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no DISPLAY is set, so the app runs under a virtual X server (xvfb-run) and its window is not visible; run this from a desktop session to see it" >&2
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$app" "$@"
fi
exec "$app" "$@"

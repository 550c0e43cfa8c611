#!/usr/bin/env bash
# Redraws the demo's sample seal and signature (transparent PNGs) from their SVG
# pages with headless Chromium. They are drawn for the demo and say on their face
# that they have no legal value; the reference year installs them so the demo's
# issued PDF shows where a signature and a seal go (Nghị định 30/2020).
set -euo pipefail
cd "$(dirname "$0")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
shot() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
    --default-background-color=00000000 --window-size="$2" --screenshot="$PWD/$1.png" "file://$PWD/$1.html"
}
shot seal-sample 400,400
shot signature-sample 500,200

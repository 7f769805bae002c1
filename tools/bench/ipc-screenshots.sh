#!/bin/sh
# Screenshots of the IPC report page in headless Chromium at the two widths it is checked at (1024 and
# 1400 px), to look at: tools/bench/ipc-screenshots.sh [page.html] [out-dir]
# Defaults: bench/results/latest/ipc.html (run `npm start` first) and bench/results/latest/.
set -eu
page=${1:-bench/results/latest/ipc.html}
out=${2:-$(dirname "$page")}
chromium=${RVX_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then echo "ipc-screenshots: no chromium (apt-get install -y chromium, or set RVX_CHROMIUM)" >&2; exit 2; fi
if [ ! -f "$page" ]; then echo "ipc-screenshots: $page: no such file" >&2; exit 2; fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for w in 1024 1400; do
  "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
    --window-size=$w,4000 --screenshot="$out/ipc-$w.png" "file://$(realpath "$page")" 2>/dev/null
  echo "$out/ipc-$w.png"
done

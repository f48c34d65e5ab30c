#!/bin/sh
# Draws the example specs with `cnnc graph` and renders each SVG to PNG in headless Chromium, as a
# browser (and GitHub, which shows SVG through <img>) draws it, to look at the pictures.
#
#   Tests/Graph/render.sh [-o DIR] [SPEC...]
#
# DIR defaults to /tmp/cnnc-graph; the specs to every spec in specs/. CNNC names the cnnc to run
# (default .build/debug/cnnc). Chromium comes from Debian: apt-get install -y chromium.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=/tmp/cnnc-graph
if [ "${1:-}" = "-o" ]; then
    out=$2
    shift 2
fi
if [ $# -eq 0 ]; then
    set -- "$root"/specs/*.yaml "$root"/specs/*.json
fi
cnnc=${CNNC:-$root/.build/debug/cnnc}
chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chromium" ]; then
    echo "render.sh: no Chromium found (apt-get install -y chromium)" >&2
    exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
for spec in "$@"; do
    name=$(basename "$spec")
    name=${name%.*}
    "$cnnc" graph "$spec" -o "$out/$name.svg"
    width=$(sed -n '1s/^<svg[^>]* width="\([0-9.]*\)".*/\1/p' "$out/$name.svg")
    height=$(sed -n '1s/^<svg[^>]* height="\([0-9.]*\)".*/\1/p' "$out/$name.svg")
    # The SVG as an image at its own size, as a Markdown page shows it.
    printf '<!doctype html><style>body{margin:0}img{display:block}</style><img src="%s.svg">\n' "$name" \
        >"$out/$name.html"
    "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
        --screenshot="$out/$name.png" --window-size="$width,$height" "file://$out/$name.html" >/dev/null 2>&1
    echo "$out/$name.png (${width}x$height)"
done

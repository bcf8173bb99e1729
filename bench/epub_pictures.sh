#!/usr/bin/env bash
# Pictures of the EPUB editions as two reading-system engines draw them:
# headless Chromium (Blink: Thorium, Google Play Books, Readium) and
# WebKitGTK (WebKit: Apple Books, Kobo), at a phone's width (390×844) and a
# tablet's (820×1180). Pages: the packet's cover image, a chapter, a table,
# the footnotes, and the packet's contents page. Builds the sample project
# plus bench/review-post.md (a table, footnotes, code and lists, which the
# sample lacks) with the release binary.
#
#   bench/epub_pictures.sh [OUT]   (default /tmp/epub-pictures; needs
#   chromium, and for WebKit gir1.2-webkit2-4.1 python3-gi python3-gi-cairo xvfb)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-/tmp/epub-pictures}"
bin="${BRIEF:-${CARGO_TARGET_DIR:-$here/target}/release/brief}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/p"
cp -r "$here/brief.toml" "$here/content" "$here/letters" "$work/p/"
cp "$here/bench/review-post.md" "$work/p/content/review.md"
(cd "$work/p" && "$bin" build --format epub --no-cache --quiet)
mkdir -p "$work/book" "$work/packet"
(cd "$work/book" && unzip -q "$work/p/output/epub/review.epub")
(cd "$work/packet" && unzip -q "$work/p/output/packets/oversight-briefing.epub")
# The cover as a reader's library shows it: the image, fitted to the screen.
printf '<html><body style="margin:0;background:#444;display:flex;justify-content:center"><img src="OEBPS/cover.png" style="max-width:100%%;max-height:100vh"/></body></html>' > "$work/packet/cover-view.html"

pages=(
  "cover|$work/packet/cover-view.html"
  "chapter|$work/book/OEBPS/chapter-1.xhtml"
  "table|$work/book/OEBPS/chapter-1.xhtml#what-each-mission-received"
  "footnote|$work/book/OEBPS/notes.xhtml"
  "contents|$work/packet/OEBPS/cover.xhtml"
)
sizes=("phone|390|844" "tablet|820|1180")
for page in "${pages[@]}"; do
  name="${page%%|*}"; file="${page#*|}"
  for size in "${sizes[@]}"; do
    IFS='|' read -r label w h <<<"$size"
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$work/chromium" --hide-scrollbars --window-size="$w,$h" \
      --screenshot="$out/chromium-$name-$label.png" "file://$file" >/dev/null 2>&1
    if [ -e /usr/lib/x86_64-linux-gnu/girepository-1.0/WebKit2-4.1.typelib ]; then
      xvfb-run -a /usr/bin/python3 "$here/bench/webkit_shot.py" "file://$file" "$w" "$h" \
        "$out/webkit-$name-$label.png" 2>/dev/null
    fi
  done
done
# Two contact sheets (what docs/pictures/ keeps): every page, Chromium
# then WebKit side by side, at each size, drawn at half size.
for size in phone tablet; do
  sheet="$out/sheet-$size.html"
  printf '<html><body style="margin:0;background:#777;display:flex;gap:4px">' > "$sheet"
  for page in "${pages[@]}"; do
    name="${page%%|*}"
    for engine in chromium webkit; do
      [ -e "$out/$engine-$name-$size.png" ] &&
        printf '<figure style="margin:0;font:12px sans-serif;color:#fff"><img src="%s" style="height:%s;display:block"/>%s %s</figure>' \
          "$engine-$name-$size.png" "$([ $size = phone ] && echo 422px || echo 400px)" "$name" "$engine" >> "$sheet"
    done
  done
  printf '</body></html>' >> "$sheet"
  width=$([ $size = phone ] && echo 1990 || echo 2820)
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/chromium" --hide-scrollbars --window-size="$width,$([ $size = phone ] && echo 440 || echo 418)" \
    --screenshot="$out/epub-$size.png" "file://$sheet" >/dev/null 2>&1
done
ls -1 "$out"

#!/usr/bin/env bash
# Renders the pictures the README shows, from the sample project, into
# docs/pictures/: the sample's first PDF page, the packet cover and its
# contents page (pdftoppm), the e-mail text (set by brief in a code
# block, then pdftoppm), and an EPUB chapter (headless Chromium, when installed;
# otherwise the script says so and leaves it out).
# Usage: bench/pictures.sh [path/to/brief]   (default: target/release/brief)
set -euo pipefail
cd "$(dirname "$0")/.."
brief="${1:-${CARGO_TARGET_DIR:-target}/release/brief}"
out=docs/pictures
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r brief.toml content letters "$work/"
(cd "$work" && SOURCE_DATE_EPOCH=1756785600 "$brief" build --quiet)
slug=the-case-for-international-oversight-of-korean-child-trafficking-networks
packet="$work/output/packets/oversight-briefing.pdf"
pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$work/output/pdf/$slug.pdf" "$out/pdf-page-1"
pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$packet" "$out/packet-cover"
# The contents page: the first page whose text says "Contents".
pages="$(pdfinfo "$packet" 2>/dev/null | awk '/^Pages:/ {print $2}')"
contents=2
for p in $(seq 1 "$pages"); do
  if pdftotext -f "$p" -l "$p" "$packet" - 2>/dev/null | grep -q "Contents"; then contents="$p"; break; fi
done
pdftoppm -png -r 60 -f "$contents" -l "$contents" -singlefile "$packet" "$out/packet-contents"
# The e-mail text as brief itself sets it in a code block (monospace, the
# 72-column lines kept), since no text-to-image tool is assumed here.
mkdir -p "$work/mail/content"
# Its own (empty) brief.toml: else brief would find the sample's above it.
: > "$work/mail/brief.toml"
{
  printf -- '---\ntitle: "The e-mail text edition (first 60 lines)"\ndate: 2025-09-02\n---\n\n````text\n'
  head -n 60 "$work/output/email/$slug.txt"
  printf -- '````\n'
} > "$work/mail/content/email-text.md"
(cd "$work/mail" && SOURCE_DATE_EPOCH=1756785600 "$brief" build --quiet --format pdf)
pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$work/mail/output/pdf/email-text.pdf" "$out/email-text" 2>/dev/null
chromium="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -n "$chromium" ]; then
  mkdir -p "$work/epub"
  (cd "$work/epub" && python3 -m zipfile -e "$work/output/epub/$slug.epub" .)
  chapter="$(find "$work/epub" -name '*.xhtml' ! -name 'nav.xhtml' ! -name '*toc*' | sort | head -n 1)"
  "$chromium" --headless --no-sandbox --disable-gpu --window-size=800,1000 \
    --screenshot="$out/epub-chapter.png" "file://$chapter"
else
  echo "EPUB chapter picture: no headless Chromium installed; left out"
fi
ls -l "$out"

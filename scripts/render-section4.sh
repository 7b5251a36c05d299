#!/usr/bin/env bash
# Renders the demo engagement's Section 4 (.docx) the way a reader opens it: LibreOffice
# converts it to PDF and pdftoppm turns pages of it into PNGs in docs/screenshots/
# (section4-title.png, -first.png, -exceptions.png, -continued.png). The demo is not
# concluded throughout, so the document is a draft and says so on every page.
#
#   scripts/render-section4.sh                  build the CLI, then render
#   TICKMARK=path/to/tickmark scripts/render-section4.sh    use an already built CLI
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }
missing=()
have soffice || missing+=(libreoffice-writer-nogui)
have pdftoppm || missing+=(poppler-utils)
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -z "${TICKMARK:-}" ]; then
  cargo build -p tickmark --locked --bin tickmark
  TICKMARK="${CARGO_TARGET_DIR:-target}/debug/tickmark"
fi

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
# The demo's signing identity and LibreOffice's profile stay in the throwaway directory.
export TICKMARK_CONFIG_DIR="$data/config" HOME="$data"
export TICKMARK_NOW="${TICKMARK_NOW:-2026-11-23T10:00:00Z}"
export TICKMARK_USER="${TICKMARK_USER:-Dana Whitfield}"
"$TICKMARK" demo --out "$data/demo.tickmark" >/dev/null
"$TICKMARK" report "$data/demo.tickmark" --section4 --draft --out "$data/section4.docx"
soffice --headless --convert-to pdf --outdir "$data" "$data/section4.docx" >/dev/null

out=docs/screenshots
mkdir -p "$out"
rm -f "$out"/section4-*.png
# The title page, the first criterion's page, the first page with an exception, and the
# first page where a table runs on with its header row repeated.
pages=$(pdfinfo "$data/section4.pdf" | awk '/^Pages:/ {print $2}')
text() { pdftotext -f "$1" -l "$1" "$data/section4.pdf" - | grep -v '^[[:space:]]*$'; }
exceptions=1
continued=""
for ((p = 1; p <= pages; p++)); do
  if [ "$exceptions" = 1 ] && text "$p" | grep -q "Exceptions noted"; then exceptions=$p; fi
  # A page that opens on a table's repeated header row (after the page header's lines).
  if [ -z "$continued" ] && text "$p" | grep -v -e '^DRAFT$' -e 'Section 4, Tests of controls' | head -1 | grep -q '^Control'; then
    continued=$p
  fi
done
render() { # page name
  pdftoppm -png -r 60 -singlefile -f "$1" -l "$1" "$data/section4.pdf" "$out/section4-$2"
}
render 1 title
render 2 first
render "$exceptions" exceptions
[ -n "$continued" ] && render "$continued" continued
ls "$out"/section4-*.png

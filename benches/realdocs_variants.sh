#!/usr/bin/env bash
# Scores a build on the labelled real notices re-made by other producers,
# the closest this machine comes to layouts nobody here has seen: the Word
# notices exported by LibreOffice to PDF, HTML and Word, that HTML printed
# by Chromium, every PDF re-rendered by pdftocairo, and every PDF scanned
# and OCRed by OCRmyPDF (its default renderer; with SANDWICH=1 also
# Tesseract's own). The variants and their labels go to a temporary
# directory, never into the repository.
#
#   benches/realdocs_variants.sh [BINARY]
#
# Needs Debian's libreoffice-writer, chromium, poppler-utils, ocrmypdf and
# tesseract-ocr-eng. OCR takes about a minute a notice; the long Tesseract
# timeout keeps a loaded machine from giving a page no text layer at all.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/sopncheck}
real=../shared/realdocs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/set" "$work/lo" "$work/lohtml" "$work/lodocx" "$work/chrome" "$work/cairo" "$work/ocr" "$work/sandwich"
for f in "$real"/*.docx; do cp "$f" "$work/src_$(basename "$f")"; done
soffice --headless --convert-to pdf --outdir "$work/lo" "$work"/src_*.docx >/dev/null 2>&1
soffice --headless --convert-to html --outdir "$work/lohtml" "$work"/src_*.docx >/dev/null 2>&1
soffice --headless --convert-to 'docx:MS Word 2007 XML' --outdir "$work/lodocx" "$work"/src_*.docx >/dev/null 2>&1
for f in "$work"/lohtml/*.html; do
  chromium --headless --no-sandbox --disable-gpu --print-to-pdf="$work/chrome/$(basename "$f" .html).pdf" "file://$f" >/dev/null 2>&1
done
for f in "$real"/*.pdf; do
  b=$(basename "$f" .pdf)
  [ "$b" = blank ] && continue
  pdftocairo -pdf "$f" "$work/cairo/src_$b.pdf"
  ocrmypdf -q --force-ocr --tesseract-timeout 3600 "$f" "$work/ocr/src_$b.pdf"
  if [ "${SANDWICH:-0}" = 1 ]; then
    ocrmypdf -q --force-ocr --tesseract-timeout 3600 --pdf-renderer sandwich "$f" "$work/sandwich/src_$b.pdf"
  fi
done
python3 - "$real" "$work" <<'PY'
import glob, json, os, shutil, sys
real, work = sys.argv[1:]
for variant in ("lo", "lohtml", "lodocx", "chrome", "cairo", "ocr", "sandwich"):
    for path in glob.glob(os.path.join(work, variant, "src_*")):
        name = os.path.basename(path)[4:]
        stem, ext = os.path.splitext(name)
        if ext not in (".pdf", ".html", ".docx"):
            continue  # an image beside an exported page
        label = json.load(open(os.path.join(real, stem + ".json")))
        label["file"] = f"{variant}-{stem}{ext}"
        shutil.copy(path, os.path.join(work, "set", label["file"]))
        json.dump(label, open(os.path.join(work, "set", f"{variant}-{stem}.json"), "w"))
PY
sed "s#^REAL = .*#REAL = '$work/set'#" ../shared/tools/realdocs-score > "$work/score"
python3 "$work/score" "$bin"

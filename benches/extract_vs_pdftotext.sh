#!/usr/bin/env bash
# Whole-process extraction benchmark: sopncheck extract against poppler's
# pdftotext on the same generated corpus of synthetic notices, one thread
# and all cores.
#
#   benches/extract_vs_pdftotext.sh [COUNT]      (default 1000 files)
#
# Needs pdftotext and hyperfine (Debian: poppler-utils, hyperfine); installs
# them with apt-get when missing and running as root. Prints a table of
# throughput and the ratios sopncheck/pdftotext. Both write the text they
# extract (to /dev/null), so both do the whole job. Each row is the mean of
# hyperfine's runs after one warm-up (files in the page cache for both).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
out=bench-out/extract
corpus=$out/corpus

missing=()
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v hyperfine >/dev/null || missing+=(hyperfine)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo build --release --quiet --bins
bin=target/release/sopncheck
rm -rf "$corpus" && mkdir -p "$corpus"
target/release/sopncheck-synth corpus --count "$count" --seed 2026 "$corpus" >/dev/null
files=$(find "$corpus" -name '*.pdf' | wc -l)
bytes=$(find "$corpus" -name '*.pdf' -printf '%s\n' | awk '{s+=$1} END {print s}')
pages=$(find "$corpus" -name '*.pdf' -print0 | xargs -0 -n 1 pdfinfo 2>/dev/null | awk '/^Pages:/ {s+=$2} END {print s}')
cores=$(nproc)
echo "corpus: $files PDFs, $pages pages, $bytes bytes; machine: $cores cores"

list=$out/files.txt
find "$corpus" -name '*.pdf' | sort > "$list"

# One process per file for pdftotext (how it is used); sopncheck both ways.
hyperfine --warmup 1 --runs 3 --style basic --export-json "$out/results.json" \
  -n "pdftotext, 1 process at a time" "xargs -a $list -d '\n' -I{} -P 1 pdftotext -q {} - >/dev/null; true" \
  -n "pdftotext, $cores processes" "xargs -a $list -d '\n' -I{} -P $cores pdftotext -q {} - >/dev/null; true" \
  -n "sopncheck, 1 process per file, 1 at a time" "xargs -a $list -d '\n' -n 1 -P 1 $bin extract -j 1 >/dev/null; true" \
  -n "sopncheck, 1 process, 1 thread" "xargs -a $list -d '\n' $bin extract -j 1 >/dev/null; true" \
  -n "sopncheck, 1 process, $cores threads" "xargs -a $list -d '\n' $bin extract -j $cores >/dev/null; true" \
  >/dev/null

python3 - "$out/results.json" "$files" "$bytes" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
files, size = int(sys.argv[2]), int(sys.argv[3])
by = {r["command"]: r["mean"] for r in results}
base = [v for k, v in by.items() if k.startswith("pdftotext, 1 ")][0]
print(f"{'command':48} {'seconds':>8} {'files/s':>9} {'MB/s':>7} {'vs pdftotext 1':>15}")
for name, mean in by.items():
    print(f"{name:48} {mean:8.3f} {files/mean:9.1f} {size/mean/1e6:7.2f} {base/mean:14.2f}x")
PY

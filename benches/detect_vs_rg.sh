#!/usr/bin/env bash
# Whole-process detection benchmark: `sopncheck scan` (full detection:
# classification, candidate segmentation, address status, findings) against
# ripgrep searching the same text files for the UK postcode pattern only.
#
#   benches/detect_vs_rg.sh [MEGABYTES]     (default 100 MB of notice text)
#
# The corpus is the synthetic benchmark corpus's notices, extracted and
# written as text (`sopncheck-synth text-corpus`), the form `sopncheck scan`
# reads from `.txt` files. Needs rg and hyperfine (Debian: ripgrep,
# hyperfine); installs them with apt-get when missing and running as root.
# Both tools read every file from the page cache (one warm-up run each).
set -euo pipefail
cd "$(dirname "$0")/.."
megabytes=${1:-100}
out=bench-out/detect
corpus=$out/text

missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v hyperfine >/dev/null || missing+=(hyperfine)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo build --release --quiet --bins
bin=target/release/sopncheck
rm -rf "$corpus" && mkdir -p "$corpus"
target/release/sopncheck-synth text-corpus --megabytes "$megabytes" --seed 2026 "$corpus"
files=$(find "$corpus" -name '*.txt' | wc -l)
bytes=$(find "$corpus" -name '*.txt' -printf '%s\n' | awk '{s+=$1} END {print s}')
cores=$(nproc)
echo "corpus: $files text notices, $bytes bytes; machine: $cores cores"

postcode='\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b'
hyperfine --warmup 1 --runs 5 --style basic --export-json "$out/results.json" \
  -n "rg postcode, 1 thread" "rg -j 1 -c -e '$postcode' $corpus >/dev/null" \
  -n "rg postcode, $cores threads" "rg -j $cores -c -e '$postcode' $corpus >/dev/null" \
  -n "sopncheck scan, 1 thread" "$bin scan -j 1 --quiet --fail-on never $corpus >/dev/null" \
  -n "sopncheck scan, $cores threads" "$bin scan -j $cores --quiet --fail-on never $corpus >/dev/null" \
  >/dev/null

python3 - "$out/results.json" "$bytes" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
size = int(sys.argv[2])
by = {r["command"]: r["mean"] for r in results}
rg1 = [v for k, v in by.items() if k.startswith("rg postcode, 1 ")][0]
rgn = [v for k, v in by.items() if k.startswith("rg postcode,") and " 1 " not in k][0]
print(f"{'command':32} {'seconds':>8} {'MB/s':>8} {'vs rg 1 thread':>15} {'vs rg all':>10}")
for name, mean in by.items():
    print(f"{name:32} {mean:8.3f} {size/mean/1e6:8.1f} {rg1/mean:14.2f}x {rgn/mean:9.2f}x")
PY

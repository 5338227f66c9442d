#!/usr/bin/env bash
# Whole-process check of the hostile-input bound: for each hostile file of
# `sopncheck-synth hostile`, a folder holding it beside two good notices
# (generated fixtures) is scanned, and the wall time, peak memory (resident
# set, from GNU time) and the number of documents the report lists are
# printed. The bound (issue "Hardening"): under the per-file time limit
# (30 s) plus a few seconds, peak under 500 MB, all three documents listed.
#
#   benches/hostile_folder.sh
#
# Needs GNU time (/usr/bin/time; Debian: time) and python3 for reading the
# JSON report.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench-out/hostile
cargo build --release --quiet --bins
bin=target/release/sopncheck
rm -rf "$out" && mkdir -p "$out/hostile" "$out/good"
target/release/sopncheck-synth hostile "$out/hostile"
target/release/sopncheck-synth fixtures "$out/good" >/dev/null
good=$(find "$out/good" -name '*.pdf' | sort | head -n 2)

printf '%-22s %8s %12s %10s %s\n' file seconds peak_MB documents exit
status=0
for hostile in "$out"/hostile/*; do
  name=$(basename "$hostile")
  dir=$out/folders/$name
  mkdir -p "$dir"
  cp "$hostile" $good "$dir/"
  set +e
  /usr/bin/time -f '%e %M' -o "$out/time.txt" "$bin" scan "$dir" --format json > "$out/report.json" 2>/dev/null
  code=$?
  set -e
  read -r seconds kilobytes < <(tail -n 1 "$out/time.txt")
  documents=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(len(c["documents"]) for c in r["councils"]))' "$out/report.json")
  printf '%-22s %8s %12s %10s %s\n' "$name" "$seconds" "$((kilobytes / 1024))" "$documents" "$code"
  if [ "$documents" != 3 ] || [ "$((kilobytes / 1024))" -ge 500 ] || [ "$(printf '%.0f' "$seconds")" -gt 35 ]; then
    status=1
  fi
done
exit $status

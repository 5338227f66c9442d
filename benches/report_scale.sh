#!/usr/bin/env bash
# Whole-process benchmark of reports at national scale: `sopncheck scan`
# of the synthetic benchmark corpus (`sopncheck-synth corpus`, 10,000
# notices by default, about 105 MB of PDF) with one thread and with two,
# writing only the Markdown summary and writing all five formats (JSON,
# CSV, Markdown, HTML, SARIF). Prints the wall time, the speed-up of
# `-j 2` over `-j 1` and the peak memory (resident set, from GNU time) as
# a Markdown table. The target (issue 12, point 7): with all five formats,
# `-j 2` at least 1.7x faster than `-j 1` and peak memory under 200 MB.
#
#   benches/report_scale.sh [COUNT]     (default 10000 notices)
#   SOPNCHECK=path/to/sopncheck benches/report_scale.sh    (another build)
#
# The corpus is generated once into target/bench-corpus/ and reused. Needs
# GNU time (/usr/bin/time; Debian: time); installs it with apt-get when
# missing and running as root. Other work on the machine skews the times:
# run it on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
seed=3
corpus=target/bench-corpus/corpus-$count-seed-$seed
out=bench-out/report-scale

if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi

cargo build --release --quiet --bins
bin=${SOPNCHECK:-target/release/sopncheck}
if [ ! -f "$corpus/.complete" ]; then
  rm -rf "$corpus" && mkdir -p "$corpus"
  target/release/sopncheck-synth corpus --count "$count" --seed "$seed" "$corpus" >/dev/null
  touch "$corpus/.complete"
fi
bytes=$(find "$corpus" -name '*.pdf' -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "corpus: $count notices, $bytes bytes of PDF; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# run NAME THREADS FORMAT...: prints "seconds peak_MB".
run() {
  local name=$1 threads=$2
  shift 2
  local formats=()
  for format in "$@"; do formats+=(--format "$format"); done
  rm -rf "$out/$name"
  /usr/bin/time -f '%e %M' -o "$out/$name.time" \
    "$bin" scan "$corpus" -j "$threads" "${formats[@]}" --out "$out/$name" --fail-on never --quiet
  read -r seconds kilobytes < <(tail -n 1 "$out/$name.time")
  echo "$seconds $((kilobytes / 1024))"
}

mkdir -p "$out"
all=(json csv markdown html sarif)
echo "| formats | -j 1 seconds | -j 2 seconds | speed-up | -j 1 peak MB | -j 2 peak MB |"
echo "|---|--:|--:|--:|--:|--:|"
for set in markdown all; do
  if [ "$set" = all ]; then formats=("${all[@]}"); label="all five"; else formats=(markdown); label=markdown; fi
  read -r s1 m1 < <(run "$set-j1" 1 "${formats[@]}")
  read -r s2 m2 < <(run "$set-j2" 2 "${formats[@]}")
  speedup=$(awk -v a="$s1" -v b="$s2" 'BEGIN { printf "%.2f", a / b }')
  echo "| $label | $s1 | $s2 | ${speedup}x | $m1 | $m2 |"
done

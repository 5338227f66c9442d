#!/usr/bin/env bash
# Crawl benchmark: a simulated web of HOSTS council sites with PAGES pages
# each (one a notice PDF), served on 127.0.0.1 by examples/crawl_web.rs,
# crawled by examples/crawl_seeds.rs with POLITENESS_MS between requests to
# one host. Prints total crawl time against the politeness lower bound
# (the largest per-host request count less one, times the delay: robots.txt
# plus PAGES fetches need PAGES gaps) and the crawler's peak memory.
#
#   HOSTS=200 PAGES=21 POLITENESS_MS=1000 CONCURRENCY=64 benches/crawl.sh
#
# Nothing leaves the machine: every host resolves to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${HOSTS:-200}
PAGES=${PAGES:-21}
POLITENESS_MS=${POLITENESS_MS:-1000}
CONCURRENCY=${CONCURRENCY:-64}

cargo build --release --example crawl_web --example crawl_seeds -q
work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

target/release/examples/crawl_web "$HOSTS" "$PAGES" > "$work/plan.txt" &
server_pid=$!
for _ in $(seq 1 100); do
    [ "$(wc -l < "$work/plan.txt")" -ge $((HOSTS * 2)) ] && break
    sleep 0.1
done

/usr/bin/time -v target/release/examples/crawl_seeds "$work/store" "$work/plan.txt" \
    "$POLITENESS_MS" "$CONCURRENCY" > "$work/summary.txt" 2> "$work/time.txt"

summary=$(cat "$work/summary.txt")
elapsed_ms=$(sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p' "$work/summary.txt")
max_requests=$(sed -n 's/.*max_requests_per_council=\([0-9]*\).*/\1/p' "$work/summary.txt")
peak_kb=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$work/time.txt")
# robots.txt is one more request per host, so max_requests + 1 requests
# need max_requests gaps of POLITENESS_MS.
bound_ms=$((max_requests * POLITENESS_MS))
echo "hosts=$HOSTS pages_per_host=$PAGES politeness_ms=$POLITENESS_MS concurrency=$CONCURRENCY"
echo "$summary"
awk -v e="$elapsed_ms" -v b="$bound_ms" -v k="$peak_kb" 'BEGIN {
    printf "crawl time %.2f s, politeness lower bound %.2f s, ratio %.3f\n", e / 1000, b / 1000, e / b;
    printf "peak memory %.1f MB\n", k / 1024;
}'

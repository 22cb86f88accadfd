#!/usr/bin/env bash
# Log backfill throughput against grep -cF (issue 4). Usage: bench/logs-bench.sh [MEGABYTES] [FORMAT]
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-1024}
FORMAT=${2:-detailed}
OUT=bench/out
mkdir -p "$OUT"
swift build -c release --target CachewatchLogs >/dev/null
swiftc -O -I .build/release/Modules bench/logs-harness.swift \
  .build/release/CachewatchCore.build/*.o .build/release/CachewatchLogs.build/*.o -o "$OUT/logs-harness"
LOG="$OUT/bench-$FORMAT-$MB.log"
[ -f "$LOG" ] || python3 bench/gen-log.py "$LOG" --megabytes "$MB" --format "$FORMAT"
cat "$LOG" > /dev/null   # warm the page cache for both contenders
start=$(date +%s.%N); count=$(grep -cF 'Cache backend not available:' "$LOG"); end=$(date +%s.%N)
grep_seconds=$(echo "$end - $start" | bc)
start=$(date +%s.%N); "$OUT/logs-harness" "$LOG" 86400 | tail -1; end=$(date +%s.%N)
ours_seconds=$(echo "$end - $start" | bc)
echo "grep -cF: $count lines in ${grep_seconds}s; cachewatch backfill: ${ours_seconds}s; ratio (grep time / ours) = $(echo "scale=2; $grep_seconds / $ours_seconds" | bc)"

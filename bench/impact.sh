#!/usr/bin/env bash
# Server impact of a census (issue 9 §2), run by bench/run.sh on its loaded redis-server (or by hand on any
# private one): the app is `redis-benchmark -t get -c 10 -n BENCH_IMPACT_REQUESTS --csv` and it runs
#   alone; next to a budgeted census (`cachewatch watch`, default --scan-budget, first pass); next to a loop of
#   full censuses (`cachewatch snapshot --json --full`, what `F` does); next to a `redis-cli --scan` loop; next to a
#   `redis-cli --memkeys` loop.
# Each scenario runs BENCH_IMPACT_RUNS times (default 3, scenarios taking turns); alone and budgeted, which always
# run back to back, then run in more such pairs up to BENCH_IMPACT_PAIRED_RUNS (default 11). The table shows the
# medians of requests/s, p50 and p99 (redis-benchmark's own percentiles), and for the loops the median time one
# iteration took (iterations started with the load; when none finished while the app ran, the first is waited for,
# ≤ 2 min). Goals: the budgeted census adds ≤ 10 % to the app's p99, judged on the median of the pairs' ratios
# (budgeted p99 / alone p99 of the same pair: the VM's speed drifts between pairs by as much as the effect measured);
# the full census hurts the p99 no more than the `redis-cli --scan` loop does while one pass finishes faster than one
# scan (on the medians).
# Usage: bench/impact.sh PORT   Environment: CACHEWATCH_BIN, BENCH_IMPACT_REQUESTS (default 500000: the app runs about as long as one
# census pass on 1 M keys, so a pass is timed under the load, not half of it on an idle server),
# BENCH_IMPACT_RUNS (default 3), BENCH_IMPACT_PAIRED_RUNS (default 11, at least BENCH_IMPACT_RUNS), GOALS (a file goal
# rows are appended to), TMP (a scratch dir).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:?usage: bench/impact.sh PORT}
BIN=${CACHEWATCH_BIN:-.build/release/cachewatch}
REQUESTS=${BENCH_IMPACT_REQUESTS:-500000}
RUNS=${BENCH_IMPACT_RUNS:-3}
PAIRED_RUNS=${BENCH_IMPACT_PAIRED_RUNS:-11}
die() { echo "impact: $*" >&2; exit 1; }
log() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
[[ $REQUESTS =~ ^[0-9]+$ && $REQUESTS -ge 100 ]] || die "BENCH_IMPACT_REQUESTS must be an integer >= 100."
[[ $RUNS =~ ^[0-9]+$ && $RUNS -ge 1 ]] || die "BENCH_IMPACT_RUNS must be a positive integer."
[[ $PAIRED_RUNS =~ ^[0-9]+$ ]] || die "BENCH_IMPACT_PAIRED_RUNS must be a non-negative integer."
(( PAIRED_RUNS >= RUNS )) || PAIRED_RUNS=$RUNS
[ -x "$BIN" ] || die "$BIN does not exist (swift build -c release)."
redis-cli -p "$PORT" ping >/dev/null 2>&1 || die "no redis-server answers on port $PORT."
OWN_TMP=""
if [ -z "${TMP:-}" ]; then OWN_TMP=$(mktemp -d); TMP=$OWN_TMP; fi
DIR=$TMP/impact
mkdir -p "$DIR"
LOAD_PID=""
stop_load() {
    if [ -n "$LOAD_PID" ]; then
        # The load runs in its own process group (setsid): stop the loop and whatever it is running.
        kill -TERM -- "-$LOAD_PID" 2>/dev/null || true
        wait "$LOAD_PID" 2>/dev/null || true
        LOAD_PID=""
    fi
}
cleanup() { stop_load; [ -n "$OWN_TMP" ] && rm -rf "$OWN_TMP"; true; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
# shellcheck source=bench/lib.sh
. bench/lib.sh

# start_loop NAME CMD: runs CMD again and again in its own process group, appending each iteration's seconds to
# $DIR/NAME.loop as "start end" (run_scenario turns them into $DIR/NAME.iterations).
start_loop() {
    local name=$1 cmd=$2
    setsid bash -c "while :; do s=\$EPOCHREALTIME; $cmd >/dev/null 2>&1 || exit 1; \
        echo \"\$s \$EPOCHREALTIME\" >>'$DIR/$name.loop'; done" &
    LOAD_PID=$!
}

# run_scenario NAME: the app alone or next to NAME's load; appends "rps p50 p99" to $DIR/NAME.results and the
# seconds of each loop iteration started with the load to $DIR/NAME.iterations.
run_scenario() {
    local name=$1
    rm -f "$DIR/$name.loop"
    local loaded=$EPOCHREALTIME
    case $name in
        alone) ;;
        budgeted)
            "$BIN" watch --json --interval 1s -h 127.0.0.1 -p "$PORT" >"$DIR/watch.jsonl" 2>"$DIR/watch.err" &
            LOAD_PID=$!
            # Wait until the census has read something (its partial report is in a document).
            for _ in $(seq 100); do grep -q '"scanned_keys":[1-9]' "$DIR/watch.jsonl" 2>/dev/null && break; sleep 0.1; done
            ;;
        full) start_loop full "'$BIN' snapshot --json --full --interval 100ms -h 127.0.0.1 -p $PORT" ;;
        scan) start_loop scan "redis-cli -p $PORT --scan" ;;
        memkeys) start_loop memkeys "redis-cli -p $PORT --memkeys" ;;
    esac
    [ "$name" = alone ] || sleep 1   # let the load get going
    local t0=$EPOCHREALTIME t1
    redis-benchmark -h 127.0.0.1 -p "$PORT" -t get -c 10 -n "$REQUESTS" --csv >"$DIR/bench.csv" 2>"$DIR/bench.err" \
        || die "redis-benchmark failed: $(head -c 400 "$DIR/bench.err")"
    t1=$EPOCHREALTIME
    if [ "$name" = budgeted ]; then
        kill -TERM "$LOAD_PID" 2>/dev/null || true
        wait "$LOAD_PID" 2>/dev/null || true
        LOAD_PID=""
        grep -q '"scanned_keys":[1-9]' "$DIR/watch.jsonl" || die "the budgeted census read nothing: $(head -c 400 "$DIR/watch.err")"
    else
        # A loop whose first iteration outlasted the app (a slow `--scan` on many keys): let it finish (≤ 2 min),
        # so the table can say how long one took.
        if [ "$name" != alone ]; then
            for _ in $(seq 1200); do [ -s "$DIR/$name.loop" ] && break; sleep 0.1; done
        fi
        stop_load
    fi
    # "GET","rps","avg","min","p50","p95","p99","max" (Redis 7 redis-benchmark --csv).
    awk -F'"' '$2 == "GET" { print $4, $10, $14 }' "$DIR/bench.csv" >>"$DIR/$name.results"
    [ -s "$DIR/$name.results" ] || die "could not read redis-benchmark's CSV: $(head -c 400 "$DIR/bench.csv")"
    if [ -f "$DIR/$name.loop" ]; then
        # Iterations started once the load did; most of each ran next to the app.
        awk -v a="$loaded" '$1 >= a - 0.001 { printf "%.3f\n", $2 - $1 }' "$DIR/$name.loop" >>"$DIR/$name.iterations"
    fi
}
scenario_alone() { run_scenario alone; }
scenario_budgeted() { run_scenario budgeted; }
scenario_full() { run_scenario full; }
scenario_scan() { run_scenario scan; }
scenario_memkeys() { run_scenario memkeys; }

log "impact: $RUNS rounds of redis-benchmark -t get -c 10 -n $REQUESTS: alone, budgeted census, full census loop, --scan loop, --memkeys loop"
rounds scenario_alone scenario_budgeted scenario_full scenario_scan scenario_memkeys
if (( PAIRED_RUNS > RUNS )); then
    log "impact: $((PAIRED_RUNS - RUNS)) more pairs of alone and budgeted census"
    MAIN_RUNS=$RUNS
    RUNS=$((PAIRED_RUNS - RUNS)) rounds scenario_alone scenario_budgeted
    RUNS=$MAIN_RUNS
fi

# column NAME N: the median of column N of NAME's results.
column() { awk -v n="$2" '{ print $n }' "$DIR/$1.results" >"$DIR/column.txt"; median_of "$DIR/column.txt"; }
iteration() {
    if [ -s "$DIR/$1.iterations" ]; then echo "$(median_of "$DIR/$1.iterations") s ($(wc -l <"$DIR/$1.iterations") done)"
    else echo "none finished"; fi
}
iteration_median() { [ -s "$DIR/$1.iterations" ] && median_of "$DIR/$1.iterations" || echo "n/a"; }

ALONE_RPS=$(column alone 1) ALONE_P99=$(column alone 3)
# The loops ran in the first RUNS rounds only: their "vs alone" compares with the alone runs of those rounds.
ROUNDS_ALONE_RPS=$(head -n "$RUNS" "$DIR/alone.results" | awk '{ print $1 }' >"$DIR/column.txt"; median_of "$DIR/column.txt")
echo "### Server impact (issue 9 §2): \`redis-benchmark -t get -c 10 -n $REQUESTS\` next to each census"
echo
echo "$(redis-cli -p "$PORT" dbsize) keys; medians of $RUNS runs per scenario (scenarios taking turns; alone and budgeted: $PAIRED_RUNS runs, in back-to-back pairs); p50/p99 are redis-benchmark's."
echo
echo "| App next to | requests/s | vs alone | p50 ms | p99 ms | one census / scan took (median) |"
echo "|---|---:|---:|---:|---:|---:|"
for name in alone budgeted full scan memkeys; do
    case $name in
        alone) label="nothing (alone)" ;;
        budgeted) label="budgeted census (\`cachewatch watch\`, default \`--scan-budget\`)" ;;
        full) label="full census loop (\`cachewatch snapshot --full\`, as \`F\`)" ;;
        scan) label="\`redis-cli --scan\` loop" ;;
        memkeys) label="\`redis-cli --memkeys\` loop" ;;
    esac
    rps=$(column "$name" 1)
    base=$ALONE_RPS
    case $name in alone|budgeted) ;; *) base=$ROUNDS_ALONE_RPS ;; esac
    change=$(awk -v a="$rps" -v b="$base" 'BEGIN { if (b > 0) printf "%+.0f %%", (a / b - 1) * 100; else print "n/a" }')
    took=""; [ "$name" = alone ] || [ "$name" = budgeted ] || took=$(iteration "$name")
    echo "| $label | $(awk -v r="$rps" 'BEGIN { printf "%.0f", r }') | $change | $(column "$name" 2) | $(column "$name" 3) | $took |"
done
echo
BUDGET_P99=$(column budgeted 3) FULL_P99=$(column full 3) SCAN_P99=$(column scan 3)
# Line k of alone.results and of budgeted.results come from the same pair (run back to back).
paste -d ' ' "$DIR/alone.results" "$DIR/budgeted.results" \
    | awk '$3 > 0 && $6 != "" { printf "%.9f\n", $6 / $3 }' >"$DIR/pair-ratios.txt"
# The verdict is judged on the unrounded median (1.1004 is not a PASS of ≤ 1.10 shown as 1.100).
PAIR_EXACT=$(median_of "$DIR/pair-ratios.txt" %.9f)
PAIR_RATIO=$(awk -v r="$PAIR_EXACT" 'BEGIN { if (r == "n/a") print "n/a"; else printf "%.3f", r }')
PAIR_SPREAD=$(sort -g "$DIR/pair-ratios.txt" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR == 0) print "n/a"; else printf "%.2f–%.2f", lo, hi }')
FULL_PASS=$(iteration_median full) SCAN_PASS=$(iteration_median scan)
echo "| Goal (issue 9 §2; on the medians) | Measured | Target | Result |"
echo "|---|---:|---:|---|"
goal "budgeted census: app p99 vs alone (median of $(wc -l <"$DIR/pair-ratios.txt") pairs' ratios, $PAIR_SPREAD; medians $BUDGET_P99 vs $ALONE_P99 ms)" \
    "${PAIR_RATIO}×" "≤ 1.10×" "$(verdict "$PAIR_EXACT" "<=" 1.10)"
goal "full census: app p99 vs \`redis-cli --scan\` loop" "$FULL_P99 ms" "≤ $SCAN_P99 ms" "$(verdict "$FULL_P99" "<=" "$SCAN_P99")"
goal "full census: one pass vs one \`redis-cli --scan\` (under the app's load)" "$FULL_PASS s" "< $SCAN_PASS s" \
    "$(awk -v a="$FULL_PASS" -v b="$SCAN_PASS" 'BEGIN { print (a != "n/a" && b != "n/a" && a + 0 < b + 0) ? "PASS" : "FAIL" }')"

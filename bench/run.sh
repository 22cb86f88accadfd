#!/usr/bin/env bash
# `make bench`: cachewatch against redis-cli, a C program over hiredis and grep, side by side, in one run.
#
#   1. a private redis-server (loopback, free port, temp dir, no persistence) loaded with BENCH_KEYS keys
#      (default 1,000,000) in the guide's shapes (bench/gen-keys.py | redis-cli --pipe);
#   2. census: `redis-cli --scan | wc -l`, bench/scan_ttl_type.c (SCAN COUNT 1000 + pipelined TYPE+PTTL),
#      `cachewatch snapshot --json --full`; with memory: `cachewatch … --memory` against `redis-cli --memkeys`;
#   3. offline families: `cachewatch families keys.txt` and `--tsv` on the `redis-cli --scan` output;
#   4. server impact (issue 9 §2, bench/impact.sh): `redis-benchmark -t get -c 10` alone and next to a budgeted
#      census, a full census loop, a `redis-cli --scan` loop and a `redis-cli --memkeys` loop;
#   5. logs: a BENCH_LOG_MB (default 1024) MiB log in the boilerplate's detailed format, backfilled by
#      `cachewatch snapshot --log` against `grep -cF 'Cache backend not available:'`;
#   6. steady state (issue 9 §1, bench/steady-state.sh): an open `watch` on ~100 k keys after its first pass;
#   7. one table per part and a final goal summary (stdout and bench/out/results.md), each goal PASS or FAIL.
#      A missed goal never fails the script; a wrong count does.
#
# Every contender runs BENCH_RUNS times (default 5), the contenders of a part taking turns round by round (the
# order reversed every other round); the tables show the median wall time with the min–max spread and the
# highest peak RSS seen, and every goal is stated on the medians. Wall time is the whole process (start-up,
# connect, output) measured by the shell; peak RSS is /usr/bin/time's %M (for a pipeline: its largest process).
# Environment: BENCH_KEYS, BENCH_LOG_MB, BENCH_RUNS, BENCH_IMPACT=0 (skip part 4), BENCH_IMPACT_REQUESTS,
# BENCH_IMPACT_RUNS, BENCH_IMPACT_PAIRED_RUNS, BENCH_STEADY=0 (skip part 6), STEADY_KEYS, STEADY_SECONDS,
# CACHEWATCH_BIN (default .build/release/cachewatch). A smoke run: BENCH_KEYS=20000 BENCH_LOG_MB=16 BENCH_RUNS=2 \
# STEADY_SECONDS=10 STEADY_KEYS=30000 BENCH_IMPACT_REQUESTS=5000 BENCH_IMPACT_RUNS=1 BENCH_IMPACT_PAIRED_RUNS=1 bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${BENCH_KEYS:-1000000}
LOG_MB=${BENCH_LOG_MB:-1024}
RUNS=${BENCH_RUNS:-5}
BIN=${CACHEWATCH_BIN:-.build/release/cachewatch}
OUT=bench/out
RESULTS=$OUT/results.md

# MARK: - Preconditions

die() { echo "bench: $*" >&2; exit 1; }
for tool in redis-server redis-cli redis-benchmark gcc pkg-config python3 grep awk setsid; do
    command -v "$tool" >/dev/null || die "$tool is not installed (make deps installs what cachewatch needs)."
done
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is not installed: apt-get install time."
[ -x "$BIN" ] || die "$BIN does not exist: run swift build -c release first (make bench does)."
[[ $KEYS =~ ^[0-9]+$ && $KEYS -ge 1 ]] || die "BENCH_KEYS must be a positive integer, not '$KEYS'."
[[ $LOG_MB =~ ^[0-9]+$ && $LOG_MB -ge 1 ]] || die "BENCH_LOG_MB must be a positive integer, not '$LOG_MB'."
[[ $RUNS =~ ^[0-9]+$ && $RUNS -ge 1 ]] || die "BENCH_RUNS must be a positive integer, not '$RUNS'."

# MARK: - Cleanup (also on Ctrl-C)

mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cachewatch-bench.XXXXXX")
GOALS=$TMP/goals.md
export GOALS
REDIS_PID=""
cleanup() {
    if [ -n "$REDIS_PID" ] && kill -0 "$REDIS_PID" 2>/dev/null; then
        kill "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM HUP

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
log() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# MARK: - Measuring (run_once, rounds, summarize, ratio, verdict, goal: bench/lib.sh)

# shellcheck source=bench/lib.sh
. bench/lib.sh
expect_ok() { [ "$STATUS" = 0 ] || die "$1 failed (exit $STATUS): $(head -c 600 "$TMP/stderr.txt")"; }
json_field() { python3 -c 'import json, sys
doc = json.load(open(sys.argv[1]))
for part in sys.argv[2].split("."):
    doc = doc[int(part)] if isinstance(doc, list) else doc.get(part)
    if doc is None: break
print(doc)' "$@"; }

# MARK: - 1. Redis with BENCH_KEYS keys

PORT=$(free_port)
log "redis-server on 127.0.0.1:$PORT (temp dir $TMP), loading $KEYS keys"
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" \
    --logfile "$TMP/redis.log" --daemonize no >/dev/null 2>&1 &
REDIS_PID=$!
for _ in $(seq 100); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
    kill -0 "$REDIS_PID" 2>/dev/null || die "redis-server did not start: $(tail -3 "$TMP/redis.log")"
    sleep 0.1
done
redis-cli -p "$PORT" ping >/dev/null 2>&1 || die "redis-server did not answer PING on port $PORT."
python3 bench/gen-keys.py "$KEYS" | redis-cli -p "$PORT" --pipe >"$TMP/pipe.txt" 2>&1 \
    || die "loading keys failed: $(tail -3 "$TMP/pipe.txt")"
grep -q 'errors: 0' "$TMP/pipe.txt" || die "redis-cli --pipe reported errors: $(tail -3 "$TMP/pipe.txt")"
DBSIZE=$(redis-cli -p "$PORT" dbsize)
NO_TTL=$(( DBSIZE - $(redis-cli -p "$PORT" info keyspace | sed -n 's/.*expires=\([0-9]*\).*/\1/p') ))
USED=$(redis-cli -p "$PORT" info memory | sed -n 's/^used_memory_human:\(.*\)\r$/\1/p')
log "DBSIZE $DBSIZE ($NO_TTL without TTL), used memory $USED"

# MARK: - 2. Census

gcc -O2 -o "$OUT/scan_ttl_type" bench/scan_ttl_type.c $(pkg-config --cflags --libs hiredis) \
    || die "could not compile bench/scan_ttl_type.c against hiredis."

# --interval 100ms: the smallest INFO-rate interval the CLI accepts; snapshot sleeps it before the census.
census_scan() {
    run_once scan "$TMP/scan.out" bash -c "redis-cli -p $PORT --scan | wc -l"
    expect_ok "redis-cli --scan | wc -l"
}
census_c() {
    run_once c "$TMP/c.out" "$OUT/scan_ttl_type" 127.0.0.1 "$PORT"
    expect_ok "bench/out/scan_ttl_type"
}
census_cw() {
    run_once cw "$TMP/cw.json" "$BIN" snapshot --json --full --interval 100ms -h 127.0.0.1 -p "$PORT"
    expect_ok "cachewatch snapshot --json --full"
}
memory_memkeys() {
    run_once memkeys "$TMP/memkeys.out" redis-cli -p "$PORT" --memkeys
    expect_ok "redis-cli --memkeys"
}
memory_cw() {
    run_once cwm "$TMP/cwm.json" "$BIN" snapshot --json --full --memory --interval 100ms -h 127.0.0.1 -p "$PORT"
    expect_ok "cachewatch snapshot --json --full --memory"
}

log "census: redis-cli --scan | wc -l, the C program (SCAN 1000 + pipelined TYPE+PTTL), cachewatch snapshot --full; $RUNS rounds"
rounds census_scan census_c census_cw
summarize scan; SCAN_MED=$MED SCAN_SPREAD=$(spread) SCAN_RSS=$RSS_MB
SCAN_KEYS=$(tr -d ' ' <"$TMP/scan.out")
summarize c; C_MED=$MED C_SPREAD=$(spread) C_RSS=$RSS_MB
C_KEYS=$(sed -n 's/.*keys=\([0-9]*\).*/\1/p' "$TMP/c.out")
C_NO_TTL=$(sed -n 's/.*no_ttl=\([0-9]*\).*/\1/p' "$TMP/c.out")
summarize cw; CW_MED=$MED CW_SPREAD=$(spread) CW_RSS=$RSS_MB
CW_KEYS=$(json_field "$TMP/cw.json" census.scanned_keys)
CW_COMPLETE=$(json_field "$TMP/cw.json" census.complete)
CW_NO_TTL=$(python3 -c 'import json, sys
print(sum(f["no_ttl"] for f in json.load(open(sys.argv[1]))["census"]["families"]))' "$TMP/cw.json")

log "census with memory: redis-cli --memkeys, cachewatch snapshot --full --memory; $RUNS rounds"
rounds memory_memkeys memory_cw
summarize memkeys; MK_MED=$MED MK_SPREAD=$(spread) MK_RSS=$RSS_MB
MK_KEYS=$(sed -n 's/^Sampled \([0-9]*\) keys.*/\1/p' "$TMP/memkeys.out" | head -1)
summarize cwm; CWM_MED=$MED CWM_SPREAD=$(spread) CWM_RSS=$RSS_MB
CWM_KEYS=$(json_field "$TMP/cwm.json" census.scanned_keys)
CWM_MEMORY=$(python3 -c 'import json, sys
print(sum(f["memory_bytes"] or 0 for f in json.load(open(sys.argv[1]))["census"]["families"]))' "$TMP/cwm.json")

# SCAN may return a key twice while the table rehashes; the C program and redis-cli do not deduplicate.
for pair in "redis-cli --scan:$SCAN_KEYS" "C program:$C_KEYS" "redis-cli --memkeys:$MK_KEYS"; do
    [ "${pair##*:}" = "$DBSIZE" ] || log "note: ${pair%:*} saw ${pair##*:} keys, DBSIZE is $DBSIZE"
done
[ "$CW_COMPLETE" = True ] || die "cachewatch census did not complete (complete=$CW_COMPLETE)."
[ "$CW_KEYS" = "$DBSIZE" ] || die "cachewatch census counted $CW_KEYS keys, DBSIZE is $DBSIZE."
[ "$CWM_KEYS" = "$DBSIZE" ] || die "cachewatch --memory census counted $CWM_KEYS keys, DBSIZE is $DBSIZE."
[ "$CW_NO_TTL" = "$NO_TTL" ] || die "cachewatch counted $CW_NO_TTL keys without TTL, INFO says $NO_TTL."
[ "$CWM_MEMORY" -gt 0 ] || die "cachewatch --memory reported no memory."

# MARK: - 3. Offline families

redis-cli -p "$PORT" --scan >"$TMP/keys.txt"
LINES=$(wc -l <"$TMP/keys.txt")
families_table() {
    run_once families "$TMP/families.out" "$BIN" families "$TMP/keys.txt"
    expect_ok "cachewatch families"
}
families_tsv() {
    run_once tsv /dev/null "$BIN" families --tsv "$TMP/keys.txt"
    expect_ok "cachewatch families --tsv"
}
log "families: cachewatch families keys.txt and --tsv ($LINES keys); $RUNS rounds"
rounds families_table families_tsv
summarize families; FAM_MED=$MED FAM_SPREAD=$(spread) FAM_RSS=$RSS_MB
FAM_COUNT=$(sed -n 's/^[0-9]* keys in \([0-9]*\) families.*/\1/p' "$TMP/families.out")
summarize tsv; TSV_MED=$MED TSV_SPREAD=$(spread) TSV_RSS=$RSS_MB
TSV_LINES=$("$BIN" families --tsv "$TMP/keys.txt" | wc -l)
[ "$TSV_LINES" = "$LINES" ] || die "families --tsv printed $TSV_LINES lines for $LINES keys."

# MARK: - 4. Server impact (issue 9 §2)

if [ "${BENCH_IMPACT:-1}" != 0 ]; then
    log "server impact: redis-benchmark -t get -c 10 alone and next to each census"
    CACHEWATCH_BIN="$BIN" TMP=$TMP GOALS=$TMP/goals-impact.md \
        bash bench/impact.sh "$PORT" >"$TMP/impact.md" || die "bench/impact.sh failed."
fi

# Redis is not needed any more: free its memory before the log benchmark.
kill "$REDIS_PID" 2>/dev/null || true
wait "$REDIS_PID" 2>/dev/null || true
REDIS_PID=""

# MARK: - 5. Logs

LOG=$TMP/app.log
log "logs: generating a $LOG_MB MiB detailed log"
python3 bench/gen-log.py "$LOG" --megabytes "$LOG_MB" --format detailed 2>"$TMP/gen-log.txt"
GEN_FAIL=$(sed -n 's/.*fail_open=\([0-9]*\).*/\1/p' "$TMP/gen-log.txt")
GEN_BACKEND=$(sed -n 's/.*backend=\([0-9]*\).*/\1/p' "$TMP/gen-log.txt")
GEN_RECORDS=$(sed -n 's/.*lines=\([0-9]*\).*/\1/p' "$TMP/gen-log.txt")
LOG_BYTES=$(stat -c %s "$LOG")
LOG_MIB=$(awk -v b="$LOG_BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
cat "$LOG" >/dev/null   # warm the page cache for both contenders

CLOSED_PORT=$(free_port)
logs_grep() {
    run_once grep "$TMP/grep.out" grep -cF 'Cache backend not available:' "$LOG"
    expect_ok "grep -cF"
}
logs_cw() {
    run_once logs "$TMP/logs.json" "$BIN" snapshot --json --log "$LOG" --backfill 7d --log-tz UTC \
        --interval 100ms -h 127.0.0.1 -p "$CLOSED_PORT"
    [ "$STATUS" = 1 ] || die "cachewatch snapshot --log with Redis down should exit 1, exited $STATUS: $(head -c 600 "$TMP/stderr.txt")"
}
log "logs: grep -cF 'Cache backend not available:' and cachewatch snapshot --log (Redis unreachable on port $CLOSED_PORT); $RUNS rounds"
rounds logs_grep logs_cw
summarize grep; GREP_MED=$MED GREP_SPREAD=$(spread) GREP_RSS=$RSS_MB GREP_COUNT=$(cat "$TMP/grep.out")
summarize logs; LOGS_MED=$MED LOGS_SPREAD=$(spread) LOGS_RSS=$RSS_MB
OTHER_COUNT=$(grep -cF "Cache unavailable while " "$LOG" || true)
LOGS_TOTAL=$(json_field "$TMP/logs.json" logs.fail_open.total)
LOGS_FORMAT=$(json_field "$TMP/logs.json" logs.sources.0.format)
# Counts must agree: grep's with the generator's, cachewatch's total with grep's two fail-open kinds.
[ "$GREP_COUNT" = "$GEN_BACKEND" ] || die "grep counted $GREP_COUNT backend lines, the generator wrote $GEN_BACKEND."
[ $((GREP_COUNT + OTHER_COUNT)) = "$GEN_FAIL" ] || die "grep counted $((GREP_COUNT + OTHER_COUNT)) fail-open lines, the generator wrote $GEN_FAIL."
[ "$LOGS_TOTAL" = "$GEN_FAIL" ] || die "cachewatch counted $LOGS_TOTAL fail-open lines, grep $GREP_COUNT + $OTHER_COUNT = $GEN_FAIL."
[ "$LOGS_FORMAT" = detailed ] || die "cachewatch recognised the log as '$LOGS_FORMAT', not detailed."
rm -f "$LOG"

# MARK: - 6. Results

GREP_MBS=$(awk -v m="$LOG_MIB" -v s="$GREP_MED" 'BEGIN { printf "%.0f", m / s }')
LOGS_MBS=$(awk -v m="$LOG_MIB" -v s="$LOGS_MED" 'BEGIN { printf "%.0f", m / s }')
CENSUS_RATIO=$(ratio "$CW_MED" "$C_MED")
MEMORY_RATIO=$(ratio "$CWM_MED" "$MK_MED")
PEAK_RSS=$(awk -v a="$CW_RSS" -v b="$CWM_RSS" 'BEGIN { print (a > b) ? a : b }')
FAM_RATE=$(per_second "$LINES" "$FAM_MED")
TSV_RATE=$(per_second "$LINES" "$TSV_MED")
LOGS_RATIO=$(ratio "$LOGS_MBS" "$GREP_MBS")
REDIS_VERSION=$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')

{
    echo "## cachewatch benchmarks ($STARTED)"
    echo
    echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM, load average before the run" \
         "$(cut -d' ' -f1-3 /proc/loadavg), redis-server $REDIS_VERSION on loopback;" \
         "$DBSIZE keys ($NO_TTL without TTL, $USED); log $LOG_MIB MiB, $GEN_RECORDS records, detailed format."
    echo "Wall seconds: median of $RUNS runs (min–max), contenders taking turns; peak RSS: highest of the runs (/usr/bin/time %M);" \
         "throughput and ratios on the medians."
    if [ "$KEYS" -lt 1000000 ] || [ "$LOG_MB" -lt 1024 ]; then
        echo "**Reduced run** (BENCH_KEYS=$KEYS, BENCH_LOG_MB=$LOG_MB): the goals are set for ~1,000,000 keys and a 1 GiB log;" \
             "at this size start-up and the 100 ms INFO interval dominate, so the verdicts below mean little."
    fi
    echo
    echo "| Benchmark | Command | Wall s, median (min–max) | Peak RSS MB | Throughput | Ratio |"
    echo "|---|---|---:|---:|---:|---:|"
    echo "| census | \`redis-cli --scan \| wc -l\` (keys only) | $SCAN_SPREAD | $SCAN_RSS | $(per_second "$SCAN_KEYS" "$SCAN_MED") keys/s | $(ratio "$SCAN_MED" "$C_MED")× C |"
    echo "| census | C: SCAN 1000 + pipelined TYPE+PTTL (hiredis) | $C_SPREAD | $C_RSS | $(per_second "$C_KEYS" "$C_MED") keys/s | 1.00× C |"
    echo "| census | \`cachewatch snapshot --json --full\` | $CW_SPREAD | $CW_RSS | $(per_second "$CW_KEYS" "$CW_MED") keys/s | **${CENSUS_RATIO}× C** |"
    echo "| memory | \`redis-cli --memkeys\` | $MK_SPREAD | $MK_RSS | $(per_second "$MK_KEYS" "$MK_MED") keys/s | 1.00× memkeys |"
    echo "| memory | \`cachewatch snapshot --json --full --memory\` | $CWM_SPREAD | $CWM_RSS | $(per_second "$CWM_KEYS" "$CWM_MED") keys/s | **${MEMORY_RATIO}× memkeys** |"
    echo "| families | \`cachewatch families keys.txt\` ($FAM_COUNT families) | $FAM_SPREAD | $FAM_RSS | $FAM_RATE keys/s | |"
    echo "| families | \`cachewatch families --tsv keys.txt > /dev/null\` | $TSV_SPREAD | $TSV_RSS | $TSV_RATE keys/s | |"
    echo "| logs | \`grep -cF 'Cache backend not available:'\` ($GREP_COUNT) | $GREP_SPREAD | $GREP_RSS | $GREP_MBS MiB/s | 1.00× grep |"
    echo "| logs | \`cachewatch snapshot --json --log … --backfill 7d\` ($LOGS_TOTAL fail-open) | $LOGS_SPREAD | $LOGS_RSS | $LOGS_MBS MiB/s | **${LOGS_RATIO}× grep** |"
    echo
    echo "| Goal (issues 3, 4, 9 §5; on the medians) | Measured | Target | Result |"
    echo "|---|---:|---:|---|"
    goal "full census time vs the C program" "$(ratio3 "$CW_MED" "$C_MED")×" "≤ 0.9×" "$(verdict "$(ratio_exact "$CW_MED" "$C_MED")" "<=" 0.9)"
    goal "census with memory vs \`redis-cli --memkeys\`" "$(ratio3 "$CWM_MED" "$MK_MED")×" "≤ 0.4×" "$(verdict "$(ratio_exact "$CWM_MED" "$MK_MED")" "<=" 0.4)"
    goal "peak RSS of the census (both modes)" "$PEAK_RSS MB" "≤ 64 MB" "$(verdict "$PEAK_RSS" "<=" 64)"
    goal "\`families\` offline (table; --tsv)" "$FAM_RATE; $TSV_RATE keys/s" "≥ 1,000,000 keys/s" \
        "$(verdict "$(awk -v a="$FAM_RATE" -v b="$TSV_RATE" 'BEGIN { print (a < b) ? a : b }')" ">=" 1000000)"
    goal "log backfill throughput vs grep" "$(ratio3 "$LOGS_MBS" "$GREP_MBS")×" "≥ 0.6×" "$(verdict "$(ratio_exact "$LOGS_MBS" "$GREP_MBS")" ">=" 0.6)"
    echo
    echo "Counts checked: cachewatch census $CW_KEYS keys = DBSIZE, $CW_NO_TTL without TTL = INFO keyspace" \
         "(C program: $C_KEYS keys, $C_NO_TTL without TTL; redis-cli --scan: $SCAN_KEYS; --memkeys: ${MK_KEYS:-?});" \
         "families --tsv printed one line per key; cachewatch fail-open total $LOGS_TOTAL =" \
         "grep 'Cache backend not available:' $GREP_COUNT + grep 'Cache unavailable while' $OTHER_COUNT (the generator wrote $GEN_FAIL)."
    echo "cachewatch snapshot times include start-up and its 100 ms INFO-rate interval (--interval 100ms, the minimum);" \
         "the log snapshot exits 1 because Redis is deliberately unreachable."
    if [ -s "$TMP/impact.md" ]; then
        echo
        cat "$TMP/impact.md"
    fi
} >"$RESULTS"

# MARK: - 7. Steady state (issue 9 §1): an open `watch` after its first complete pass, from INFO commandstats

if [ "${BENCH_STEADY:-1}" != 0 ]; then
    log "steady state: cachewatch watch on ${STEADY_KEYS:-100000} keys, ${STEADY_SECONDS:-300} s after its first complete pass"
    { echo; CACHEWATCH_BIN="$BIN" bash bench/steady-state.sh; } >>"$RESULTS" || die "bench/steady-state.sh failed."
fi

{
    echo
    echo "### Goals, $STARTED (medians of $RUNS runs)"
    echo
    echo "| Goal | Measured | Target | Result |"
    echo "|---|---:|---:|---|"
    [ -f "$TMP/goals-impact.md" ] && cat "$TMP/goals-impact.md" >>"$GOALS"
    cat "$GOALS"
    echo
    echo "$(grep -c 'PASS' "$GOALS") of $(wc -l <"$GOALS") goals PASS."
} >>"$RESULTS"
echo
cat "$RESULTS"
echo
echo "(written to $RESULTS)"

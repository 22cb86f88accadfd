#!/usr/bin/env bash
# `make bench`: cachewatch against redis-cli, a C program over hiredis and grep, side by side, in one run.
#
#   1. a private redis-server (loopback, free port, temp dir, no persistence) loaded with BENCH_KEYS keys
#      (default 1,000,000) in the guide's shapes (bench/gen-keys.py | redis-cli --pipe);
#   2. census: `redis-cli --scan | wc -l`, bench/scan_ttl_type.c (SCAN COUNT 1000 + pipelined TYPE+PTTL),
#      `cachewatch snapshot --json --full`; with memory: `cachewatch … --memory` against `redis-cli --memkeys`;
#   3. offline families: `cachewatch families keys.txt` and `--tsv` on the `redis-cli --scan` output;
#   4. logs: a BENCH_LOG_MB (default 1024) MiB log in the boilerplate's detailed format, backfilled by
#      `cachewatch snapshot --log` against `grep -cF 'Cache backend not available:'`;
#   5. one table (stdout and bench/out/results.md) with wall seconds, peak RSS, ratios and the goals of
#      issues 3 and 4, each marked met / NOT met. A missed goal never fails the script; a wrong count does.
#
# Every contender runs BENCH_RUNS times (default 3); the table shows the fastest run's wall time and the
# highest peak RSS seen. Wall time is the whole process (start-up, connect, output) measured by the
# shell; peak RSS is /usr/bin/time's %M (for a pipeline: its largest process).
# Environment: BENCH_KEYS, BENCH_LOG_MB, BENCH_RUNS, CACHEWATCH_BIN (default .build/release/cachewatch).
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${BENCH_KEYS:-1000000}
LOG_MB=${BENCH_LOG_MB:-1024}
RUNS=${BENCH_RUNS:-3}
BIN=${CACHEWATCH_BIN:-.build/release/cachewatch}
OUT=bench/out
RESULTS=$OUT/results.md

# MARK: - Preconditions

die() { echo "bench: $*" >&2; exit 1; }
for tool in redis-server redis-cli gcc pkg-config python3 grep awk; do
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

# MARK: - Measuring

# measure OUTFILE CMD...: runs CMD RUNS times with stdout to OUTFILE; sets WALL (fastest run, seconds),
# RSS_MB (highest peak RSS) and STATUS (exit status of the last run; the caller decides what is expected).
measure() {
    local out=$1; shift
    local run t0 t1 seconds kb
    WALL=""; RSS_MB=0; STATUS=0
    for ((run = 1; run <= RUNS; run++)); do
        STATUS=0
        t0=$EPOCHREALTIME
        /usr/bin/time -f '%M' -o "$TMP/time.txt" "$@" >"$out" 2>"$TMP/stderr.txt" || STATUS=$?
        t1=$EPOCHREALTIME
        # GNU time ignores Ctrl-C and exits normally after its child died of it, so bash does not
        # run the INT trap: stop here ourselves (128 + SIGINT/SIGTERM).
        if [ "$STATUS" = 130 ] || [ "$STATUS" = 143 ]; then echo "bench: interrupted" >&2; exit "$STATUS"; fi
        seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
        kb=$(tail -n 1 "$TMP/time.txt")
        [[ $kb =~ ^[0-9]+$ ]] || die "could not read peak RSS of: $* ($(cat "$TMP/time.txt"))"
        WALL=$(awk -v best="$WALL" -v s="$seconds" 'BEGIN { print (best == "" || s < best) ? s : best }')
        RSS_MB=$(awk -v m="$RSS_MB" -v k="$kb" 'BEGIN { r = k / 1024; printf "%.1f", (r > m) ? r : m }')
    done
}
expect_ok() { [ "$STATUS" = 0 ] || die "$1 failed (exit $STATUS): $(head -c 600 "$TMP/stderr.txt")"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == "<=") ? (v <= t) : (v >= t); print ok ? "met" : "NOT met" }'; }
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

log "census: redis-cli --scan | wc -l"
measure "$TMP/scan.out" bash -c "redis-cli -p $PORT --scan | wc -l"
expect_ok "redis-cli --scan | wc -l"
SCAN_WALL=$WALL SCAN_RSS=$RSS_MB SCAN_KEYS=$(tr -d ' ' <"$TMP/scan.out")

log "census: C program (hiredis, SCAN COUNT 1000 + pipelined TYPE+PTTL)"
measure "$TMP/c.out" "$OUT/scan_ttl_type" 127.0.0.1 "$PORT"
expect_ok "bench/out/scan_ttl_type"
C_WALL=$WALL C_RSS=$RSS_MB
C_KEYS=$(sed -n 's/.*keys=\([0-9]*\).*/\1/p' "$TMP/c.out")
C_NO_TTL=$(sed -n 's/.*no_ttl=\([0-9]*\).*/\1/p' "$TMP/c.out")

# --interval 100ms: the smallest INFO-rate interval the CLI accepts; snapshot sleeps it before the census.
log "census: cachewatch snapshot --json --full"
measure "$TMP/cw.json" "$BIN" snapshot --json --full --interval 100ms -h 127.0.0.1 -p "$PORT"
expect_ok "cachewatch snapshot --json --full"
CW_WALL=$WALL CW_RSS=$RSS_MB
CW_KEYS=$(json_field "$TMP/cw.json" census.scanned_keys)
CW_COMPLETE=$(json_field "$TMP/cw.json" census.complete)
CW_NO_TTL=$(python3 -c 'import json, sys
print(sum(f["no_ttl"] for f in json.load(open(sys.argv[1]))["census"]["families"]))' "$TMP/cw.json")

log "census with memory: redis-cli --memkeys"
measure "$TMP/memkeys.out" redis-cli -p "$PORT" --memkeys
expect_ok "redis-cli --memkeys"
MK_WALL=$WALL MK_RSS=$RSS_MB
MK_KEYS=$(sed -n 's/^Sampled \([0-9]*\) keys.*/\1/p' "$TMP/memkeys.out" | head -1)

log "census with memory: cachewatch snapshot --json --full --memory"
measure "$TMP/cwm.json" "$BIN" snapshot --json --full --memory --interval 100ms -h 127.0.0.1 -p "$PORT"
expect_ok "cachewatch snapshot --json --full --memory"
CWM_WALL=$WALL CWM_RSS=$RSS_MB
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
log "families: cachewatch families keys.txt ($LINES keys)"
measure "$TMP/families.out" "$BIN" families "$TMP/keys.txt"
expect_ok "cachewatch families"
FAM_WALL=$WALL FAM_RSS=$RSS_MB
FAM_COUNT=$(sed -n 's/^[0-9]* keys in \([0-9]*\) families.*/\1/p' "$TMP/families.out")
log "families: cachewatch families --tsv keys.txt > /dev/null"
measure /dev/null "$BIN" families --tsv "$TMP/keys.txt"
expect_ok "cachewatch families --tsv"
TSV_WALL=$WALL TSV_RSS=$RSS_MB
TSV_LINES=$("$BIN" families --tsv "$TMP/keys.txt" | wc -l)
[ "$TSV_LINES" = "$LINES" ] || die "families --tsv printed $TSV_LINES lines for $LINES keys."

# Redis is not needed any more: free its memory before the log benchmark.
kill "$REDIS_PID" 2>/dev/null || true
wait "$REDIS_PID" 2>/dev/null || true
REDIS_PID=""

# MARK: - 4. Logs

LOG=$TMP/app.log
log "logs: generating a $LOG_MB MiB detailed log"
python3 bench/gen-log.py "$LOG" --megabytes "$LOG_MB" --format detailed 2>"$TMP/gen-log.txt"
GEN_FAIL=$(sed -n 's/.*fail_open=\([0-9]*\).*/\1/p' "$TMP/gen-log.txt")
GEN_BACKEND=$(sed -n 's/.*backend=\([0-9]*\).*/\1/p' "$TMP/gen-log.txt")
GEN_RECORDS=$(sed -n 's/.*lines=\([0-9]*\).*/\1/p' "$TMP/gen-log.txt")
LOG_BYTES=$(stat -c %s "$LOG")
LOG_MIB=$(awk -v b="$LOG_BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
cat "$LOG" >/dev/null   # warm the page cache for both contenders

log "logs: grep -cF 'Cache backend not available:'"
measure "$TMP/grep.out" grep -cF 'Cache backend not available:' "$LOG"
expect_ok "grep -cF"
GREP_WALL=$WALL GREP_RSS=$RSS_MB GREP_COUNT=$(cat "$TMP/grep.out")
OTHER_COUNT=$(grep -cF "Cache unavailable while " "$LOG" || true)

CLOSED_PORT=$(free_port)
log "logs: cachewatch snapshot --json --log FILE --backfill 100000h (Redis unreachable on port $CLOSED_PORT)"
measure "$TMP/logs.json" "$BIN" snapshot --json --log "$LOG" --backfill 100000h --log-tz UTC \
    --interval 100ms -h 127.0.0.1 -p "$CLOSED_PORT"
[ "$STATUS" = 1 ] || die "cachewatch snapshot --log with Redis down should exit 1, exited $STATUS: $(head -c 600 "$TMP/stderr.txt")"
LOGS_WALL=$WALL LOGS_RSS=$RSS_MB
LOGS_TOTAL=$(json_field "$TMP/logs.json" logs.fail_open.total)
LOGS_FORMAT=$(json_field "$TMP/logs.json" logs.sources.0.format)
LOGS_LINES=$(json_field "$TMP/logs.json" logs.sources.0.lines)
# Counts must agree: grep's with the generator's, cachewatch's total with grep's two fail-open kinds.
[ "$GREP_COUNT" = "$GEN_BACKEND" ] || die "grep counted $GREP_COUNT backend lines, the generator wrote $GEN_BACKEND."
[ $((GREP_COUNT + OTHER_COUNT)) = "$GEN_FAIL" ] || die "grep counted $((GREP_COUNT + OTHER_COUNT)) fail-open lines, the generator wrote $GEN_FAIL."
[ "$LOGS_TOTAL" = "$GEN_FAIL" ] || die "cachewatch counted $LOGS_TOTAL fail-open lines, grep $GREP_COUNT + $OTHER_COUNT = $GEN_FAIL."
[ "$LOGS_FORMAT" = detailed ] || die "cachewatch recognised the log as '$LOGS_FORMAT', not detailed."
rm -f "$LOG"

# MARK: - 5. Results

GREP_MBS=$(awk -v m="$LOG_MIB" -v s="$GREP_WALL" 'BEGIN { printf "%.0f", m / s }')
LOGS_MBS=$(awk -v m="$LOG_MIB" -v s="$LOGS_WALL" 'BEGIN { printf "%.0f", m / s }')
CENSUS_RATIO=$(ratio "$CW_WALL" "$C_WALL")
MEMORY_RATIO=$(ratio "$CWM_WALL" "$MK_WALL")
PEAK_RSS=$(awk -v a="$CW_RSS" -v b="$CWM_RSS" 'BEGIN { print (a > b) ? a : b }')
FAM_RATE=$(per_second "$LINES" "$FAM_WALL")
TSV_RATE=$(per_second "$LINES" "$TSV_WALL")
LOGS_RATIO=$(ratio "$LOGS_MBS" "$GREP_MBS")
REDIS_VERSION=$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')

{
    echo "## cachewatch benchmarks ($(date -u '+%Y-%m-%d %H:%M UTC'))"
    echo
    echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM, redis-server $REDIS_VERSION on loopback;" \
         "$DBSIZE keys ($NO_TTL without TTL, $USED); log $LOG_MIB MiB, $GEN_RECORDS records, detailed format."
    echo "Best wall time of $RUNS runs (whole process), highest peak RSS (/usr/bin/time %M)."
    if [ "$KEYS" -lt 1000000 ] || [ "$LOG_MB" -lt 1024 ]; then
        echo "**Reduced run** (BENCH_KEYS=$KEYS, BENCH_LOG_MB=$LOG_MB): the goals are set for ~1,000,000 keys and a 1 GiB log;" \
             "at this size start-up and the 100 ms INFO interval dominate, so the verdicts below mean little."
    fi
    echo
    echo "| Benchmark | Command | Wall s | Peak RSS MB | Throughput | Ratio |"
    echo "|---|---|---:|---:|---:|---:|"
    echo "| census | \`redis-cli --scan \| wc -l\` (keys only) | $SCAN_WALL | $SCAN_RSS | $(per_second "$SCAN_KEYS" "$SCAN_WALL") keys/s | $(ratio "$SCAN_WALL" "$C_WALL")× C |"
    echo "| census | C: SCAN 1000 + pipelined TYPE+PTTL (hiredis) | $C_WALL | $C_RSS | $(per_second "$C_KEYS" "$C_WALL") keys/s | 1.00× C |"
    echo "| census | \`cachewatch snapshot --json --full\` | $CW_WALL | $CW_RSS | $(per_second "$CW_KEYS" "$CW_WALL") keys/s | **${CENSUS_RATIO}× C** |"
    echo "| memory | \`redis-cli --memkeys\` | $MK_WALL | $MK_RSS | $(per_second "$MK_KEYS" "$MK_WALL") keys/s | 1.00× memkeys |"
    echo "| memory | \`cachewatch snapshot --json --full --memory\` | $CWM_WALL | $CWM_RSS | $(per_second "$CWM_KEYS" "$CWM_WALL") keys/s | **${MEMORY_RATIO}× memkeys** |"
    echo "| families | \`cachewatch families keys.txt\` ($FAM_COUNT families) | $FAM_WALL | $FAM_RSS | $FAM_RATE keys/s | |"
    echo "| families | \`cachewatch families --tsv keys.txt > /dev/null\` | $TSV_WALL | $TSV_RSS | $TSV_RATE keys/s | |"
    echo "| logs | \`grep -cF 'Cache backend not available:'\` ($GREP_COUNT) | $GREP_WALL | $GREP_RSS | $GREP_MBS MiB/s | 1.00× grep |"
    echo "| logs | \`cachewatch snapshot --json --log … --backfill 100000h\` ($LOGS_TOTAL fail-open) | $LOGS_WALL | $LOGS_RSS | $LOGS_MBS MiB/s | **${LOGS_RATIO}× grep** |"
    echo
    echo "| Goal (issues 3, 4) | Measured | Target | Result |"
    echo "|---|---:|---:|---|"
    echo "| full census time vs the C program | ${CENSUS_RATIO}× | ≤ 1.0× | $(verdict "$CENSUS_RATIO" "<=" 1.0) |"
    echo "| census with memory vs \`redis-cli --memkeys\` | ${MEMORY_RATIO}× | ≤ 0.5× | $(verdict "$MEMORY_RATIO" "<=" 0.5) |"
    echo "| peak RSS of the census (both modes) | $PEAK_RSS MB | ≤ 64 MB | $(verdict "$PEAK_RSS" "<=" 64) |"
    echo "| \`families\` offline (table; --tsv) | $FAM_RATE; $TSV_RATE keys/s | ≥ 1,000,000 keys/s | $(verdict "$(awk -v a="$FAM_RATE" -v b="$TSV_RATE" 'BEGIN { print (a < b) ? a : b }')" ">=" 1000000) |"
    echo "| log backfill speed vs grep | ${LOGS_RATIO}× | ≥ 0.5× | $(verdict "$LOGS_RATIO" ">=" 0.5) |"
    echo
    echo "Counts checked: cachewatch census $CW_KEYS keys = DBSIZE, $CW_NO_TTL without TTL = INFO keyspace" \
         "(C program: $C_KEYS keys, $C_NO_TTL without TTL; redis-cli --scan: $SCAN_KEYS; --memkeys: ${MK_KEYS:-?});" \
         "families --tsv printed one line per key; cachewatch fail-open total $LOGS_TOTAL =" \
         "grep 'Cache backend not available:' $GREP_COUNT + grep 'Cache unavailable while' $OTHER_COUNT (the generator wrote $GEN_FAIL)."
    echo "cachewatch snapshot times include start-up and its 100 ms INFO-rate interval (--interval 100ms, the minimum);" \
         "the log snapshot exits 1 because Redis is deliberately unreachable."
} >"$RESULTS"
echo
cat "$RESULTS"
echo
echo "(written to $RESULTS)"

# MARK: - 6. Steady state (issue 9 §1): an open `watch` after its first complete pass, from INFO commandstats
if [ "${BENCH_STEADY:-1}" != 0 ]; then
    echo
    CACHEWATCH_BIN="$BIN" bench/steady-state.sh | tee -a "$RESULTS"
fi

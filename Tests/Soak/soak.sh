#!/usr/bin/env bash
# `make soak`: an accelerated soak of cachewatch: as many polls as a day of the default 1 s interval,
# at a 50 ms interval, with a live census and a busy, rotating app log.
#
#   1. a private redis-server (loopback, free port, temp dir) with SOAK_KEYS keys in the guide's shapes and
#      a writer that keeps rewriting and expiring some of them (so census passes keep changing);
#   2. an app log in the `detailed` format written at ~SOAK_LOG_RATE lines/s (fail-open bursts, junk,
#      tracebacks), rename-rotated every 2 minutes like the boilerplate's 10 MB × 5 handler;
#   3. `cachewatch watch --json --interval 50ms` (stdout counted, not kept: this one makes the day of polls)
#      and the dashboard in a detached tmux session at 132x43 with `--interval 100ms` (its minimum), both
#      following the log;
#   4. every 10 s: RSS, open file descriptors and threads of both processes (from /proc).
# Pass: after the warm-up (the first SOAK_WARMUP_PERCENT of the run, default 10 %), RSS grows by less than
# 5 % (measured on the median of the last minute against the median of the minute after warm-up),
# file descriptors and threads end where they were after warm-up, both processes are alive, and watch
# wrote a document for at least 90 % of its intervals.
# Environment: SOAK_SECONDS (default 4320 = 86,400 polls at 50 ms), SOAK_KEYS (20000), SOAK_LOG_RATE (200),
# SOAK_INTERVAL (0.05s), SOAK_DASHBOARD_INTERVAL (0.1s), CACHEWATCH_BIN (default .build/release/cachewatch). Results: bench/out/soak.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_TOTAL=${SOAK_SECONDS:-4320}
KEYS=${SOAK_KEYS:-20000}
LOG_RATE=${SOAK_LOG_RATE:-200}
INTERVAL=${SOAK_INTERVAL:-0.05s}
DASH_INTERVAL=${SOAK_DASHBOARD_INTERVAL:-0.1s}   # the dashboard redraws at most every 100 ms
WARMUP_PERCENT=${SOAK_WARMUP_PERCENT:-10}
BIN=${CACHEWATCH_BIN:-.build/release/cachewatch}
OUT=bench/out
RESULTS=$OUT/soak.md

die() { echo "soak: $*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
. bench/lib.sh
require_tools redis-server redis-cli python3 tmux awk
require_binary "$BIN" soak
require_integer SOAK_SECONDS "$SECONDS_TOTAL" 60
require_integer SOAK_KEYS "$KEYS"
require_integer SOAK_LOG_RATE "$LOG_RATE"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

mkdir -p "$OUT"
TMUX_SESSION="cw-soak-$$"
stop_tmux() { tmux kill-session -t "$TMUX_SESSION" 2>/dev/null || true; }
CLEANUP_HOOK=stop_tmux
private_temp_dir cachewatch-soak soak

# MARK: - Redis with a changing keyspace

PORT=$(free_port)
start_private_redis "$PORT" "$TMP" --maxmemory 256mb --maxmemory-policy allkeys-lru
python3 - "$KEYS" >"$TMP/seed.resp" <<'PY'
import sys, random
n = int(sys.argv[1]); random.seed(7)
def cmd(*args):
    out = [f"*{len(args)}\r\n"]
    for a in args:
        b = str(a).encode()
        out.append(f"${len(b)}\r\n{b.decode()}\r\n")
    return "".join(out)
shapes = [("widget:{}", 3600), ("session:{:08x}-aaaa-bbbb-cccc-000000000000", 86400), ("user_{}_widgets:page_1:size_10:{}", 180),
          ("widget_search:{:016x}", 600), ("product:{}:price", 1200), ("cart:{}:items", None)]
for i in range(n):
    fmt, ttl = shapes[i % len(shapes)]
    key = fmt.format(i, i) if fmt.count("{}") == 2 else fmt.format(i)
    ttl = None if ttl is None else ttl + random.randint(0, 300)
    sys.stdout.write(cmd("SET", key, "{}", "EX", ttl) if ttl else cmd("SET", key, "{}"))
PY
redis-cli -p "$PORT" --pipe <"$TMP/seed.resp" >/dev/null
python3 - "$PORT" <<'PY' &
import socket, sys, time, random
port = int(sys.argv[1]); random.seed(3)
s = socket.create_connection(("127.0.0.1", port))
i = 0
while True:
    batch = []
    for _ in range(50):
        i += 1
        fam = random.choice(["widget:%d", "deploy_v%d:widget:%%d" % (i // 50000)])
        key = (fam % (i % 5000)) if "%d" in fam else fam
        batch.append(f"*5\r\n$3\r\nSET\r\n${len(key)}\r\n{key}\r\n$2\r\n{{}}\r\n$2\r\nEX\r\n$2\r\n{random.randint(10, 99)}\r\n")
    s.sendall("".join(batch).encode())
    s.recv(65536)
    time.sleep(0.1)
PY
PIDS+=($!)

# MARK: - A busy, rotating app log

APPLOG="$TMP/app.log"
python3 - "$APPLOG" "$LOG_RATE" <<'PY' &
import os, sys, time, random
path, rate = sys.argv[1], int(sys.argv[2]); random.seed(5)
f = open(path, "a", buffering=1)
rotated = time.time()
while True:
    now = time.time()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
    for _ in range(max(1, rate // 10)):
        r = random.random()
        if r < 0.05:
            f.write(f"{stamp} [ WARNING] src.infrastructure.cache.decorator: Cache backend not available: Error 111 connecting to redis:6379. Connection refused.\n")
        elif r < 0.06:
            f.write("Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\nValueError: junk \x1b[31m\n")
        else:
            f.write(f"{stamp} [    INFO] src.app: GET /widgets/{random.randint(1, 9999)} 200\n")
    if now - rotated > 120:
        f.close()
        os.replace(path, path + ".1")
        f = open(path, "a", buffering=1)
        rotated = now
    time.sleep(0.1)
PY
PIDS+=($!)

# MARK: - cachewatch: watch and the dashboard

"$BIN" watch --json --interval "$INTERVAL" -p "$PORT" --log "$APPLOG" --no-auth-warning 2>"$TMP/watch.stderr" \
    | awk '{ n++ } END { print n > "/dev/stderr" }' 2>"$TMP/watch.count" &
PIDS+=($!)
sleep 0.5
WATCH_PID=$(pgrep -n -f "$BIN watch --json --interval $INTERVAL -p $PORT") || die "watch did not start: $(cat "$TMP/watch.stderr")"
tmux new-session -d -s "$TMUX_SESSION" -x 132 -y 43 \
    "'$BIN' --interval '$DASH_INTERVAL' -p '$PORT' --log '$APPLOG' --stderr-log '$TMP/dash.stderr' --no-auth-warning; echo EXITED-\$? ; sleep 3600"
sleep 1
DASH_PID=$(pgrep -n -f "^$BIN --interval $DASH_INTERVAL -p $PORT") || die "the dashboard did not start: $(tmux capture-pane -p -t "$TMUX_SESSION" | head -3)"

# MARK: - Sampling

sample() {   # pid -> "rss_kb fds threads", or "dead"
    local pid=$1
    [ -d "/proc/$pid" ] || { echo dead; return; }
    local rss threads fds
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    echo "$rss $fds $threads"
}
log "soak: ${SECONDS_TOTAL}s at interval $INTERVAL, $KEYS keys, ~$LOG_RATE log lines/s (redis :$PORT, watch $WATCH_PID, dashboard $DASH_PID)"
: >"$TMP/samples.tsv"
start=$(date +%s)
while :; do
    elapsed=$(( $(date +%s) - start ))
    w=$(sample "$WATCH_PID"); d=$(sample "$DASH_PID")
    [ "$w" = dead ] && die "watch died after ${elapsed}s: $(tail -c 400 "$TMP/watch.stderr")"
    [ "$d" = dead ] && die "the dashboard died after ${elapsed}s: $(tail -c 400 "$TMP/dash.stderr" 2>/dev/null)"
    echo "$elapsed $w $d" >>"$TMP/samples.tsv"
    [ "$elapsed" -ge "$SECONDS_TOTAL" ] && break
    if (( elapsed % 300 < 10 )); then log "  ${elapsed}s  watch rss/fds/threads $w  dashboard $d"; fi
    sleep 10
done

# MARK: - Verdict

kill -TERM "$WATCH_PID" 2>/dev/null || true
tmux send-keys -t "$TMUX_SESSION" q
sleep 2
DOCS=$(cat "$TMP/watch.count" 2>/dev/null || echo 0)
[[ $DOCS =~ ^[0-9]+$ ]] || DOCS=0
INTERVAL_S=$(awk -v t="$INTERVAL" 'BEGIN { v = t + 0; if (t ~ /ms$/) v /= 1000; print v }')
EXPECTED=$(awk -v s="$SECONDS_TOTAL" -v i="$INTERVAL_S" 'BEGIN { printf "%d", s / i }')
WARM=$(( SECONDS_TOTAL * WARMUP_PERCENT / 100 ))
verdict=$(awk -v warm="$WARM" -v total="$SECONDS_TOTAL" -v docs="$DOCS" -v expected="$EXPECTED" '
function median(arr, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }; return arr[int((n + 1) / 2)] }
{ t = $1
  if (t >= warm && t < warm + 60) { wa[++nwa] = $2; da[++nda] = $5; if (!wf0) { wf0 = $3; wt0 = $4; df0 = $6; dt0 = $7 } }
  if (t >= total - 60) { wb[++nwb] = $2; db[++ndb] = $5 }
  wf1 = $3; wt1 = $4; df1 = $6; dt1 = $7 }
END {
  w0 = median(wa, nwa); w1 = median(wb, nwb); d0 = median(da, nda); d1 = median(db, ndb)
  wg = (w1 - w0) / w0 * 100; dg = (d1 - d0) / d0 * 100
  ok = (wg < 5 && dg < 5 && wf1 == wf0 && df1 == df0 && wt1 == wt0 && dt1 == dt0 && docs >= 0.9 * expected)
  printf "| process | RSS after warm-up | RSS at end | growth | fds | threads |\n|---|---:|---:|---:|---|---|\n"
  printf "| watch | %.1f MB | %.1f MB | %+.1f %% | %d -> %d | %d -> %d |\n", w0 / 1024, w1 / 1024, wg, wf0, wf1, wt0, wt1
  printf "| dashboard | %.1f MB | %.1f MB | %+.1f %% | %d -> %d | %d -> %d |\n", d0 / 1024, d1 / 1024, dg, df0, df1, dt0, dt1
  printf "\nwatch wrote %d documents (%d intervals).\n", docs, expected
  printf "VERDICT %s\n", ok ? "PASS" : "FAIL"
}' "$TMP/samples.tsv")
{
    echo "# cachewatch soak, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "${SECONDS_TOTAL}s at interval $INTERVAL ($EXPECTED polls; a day of 1 s polls is 86,400), $KEYS keys with a writer, ~$LOG_RATE log lines/s rotated every 2 min."
    echo
    echo "$verdict" | grep -v '^VERDICT'
    echo
    echo "$verdict" | grep '^VERDICT'
} | tee "$RESULTS"
cp "$TMP/samples.tsv" "$OUT/soak-samples.tsv"
echo "$verdict" | grep -q '^VERDICT PASS' || { echo "soak: FAILED (see $RESULTS)" >&2; exit 1; }

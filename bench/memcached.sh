#!/usr/bin/env bash
# `make bench`, memcached part: a census of BENCH_MC_ITEMS items (default 1,000,000) by
# `cachewatch snapshot --json --full --memcached` against a plain read of `lru_crawler metadump all`
# (the same command, read to END by a few lines of Python: nc is not installed by make deps).
#
#   1. a private memcached (loopback, free port, -m 1024, -U 0) loaded with items in the guide's shapes,
#      with expiries, some without, through the text protocol (noreply sets);
#   2. both contenders BENCH_RUNS times (default 5), taking turns: median wall time (min–max), highest peak RSS;
#   3. counts checked: the census sees exactly the items the plain read lists;
#   4. a table on stdout and in bench/out/memcached.md. A slow run never fails the script; a wrong count does.
# Memcached paces its own crawler, so the plain read is the floor: the goal is a ratio near 1.
set -euo pipefail
cd "$(dirname "$0")/.."

ITEMS=${BENCH_MC_ITEMS:-1000000}
RUNS=${BENCH_RUNS:-5}
BIN=${CACHEWATCH_BIN:-.build/release/cachewatch}
OUT=bench/out
RESULTS=$OUT/memcached.md

die() { echo "bench: $*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
. bench/lib.sh
require_tools memcached python3 awk
require_gnu_time
require_binary "$BIN" bench
require_integer BENCH_MC_ITEMS "$ITEMS"
require_integer BENCH_RUNS "$RUNS"

mkdir -p "$OUT"
private_temp_dir cachewatch-bench-mc bench

PORT=$(free_port)
USER_FLAG=(); [ "$(id -u)" = 0 ] && USER_FLAG=(-u root)
memcached "${USER_FLAG[@]}" -l 127.0.0.1 -p "$PORT" -U 0 -m 1024 &
PIDS+=($!)
wait_for_port "$PORT" || die "memcached on $PORT did not start."

log "loading $ITEMS items into memcached on port $PORT"
python3 - "$PORT" "$ITEMS" <<'PY'
import socket, sys
port, items = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
shapes = [(b"widget:%d", 3600), (b"user_%d_widgets:page_1:size_10", 120), (b"session:%08x", 86400), (b"feature_flags:%d", 0)]
batch = []
for i in range(items):
    shape, ttl = shapes[i % 4]
    batch.append(b"set " + (shape % i) + b" 0 %d 2 noreply\r\nab\r\n" % (ttl + (i % 60 if ttl else 0)))
    if len(batch) == 10000:
        s.sendall(b"".join(batch)); batch = []
s.sendall(b"".join(batch) + b"version\r\n")
reply = b""
while not reply.endswith(b"\r\n"): reply += s.recv(100)
PY

cat > "$TMP/plain.py" <<PY
import socket
s = socket.create_connection(("127.0.0.1", $PORT))
s.sendall(b"lru_crawler metadump all\r\n")
tail, lines = b"", 0
while True:
    data = s.recv(1 << 20)
    if not data: break
    chunk = tail + data
    lines += chunk.count(b"\nkey=") + (1 if lines == 0 and chunk.startswith(b"key=") else 0)
    tail = chunk[-4:]
    if chunk.endswith(b"END\r\n"): break
print(lines)
PY

# Contenders taking turns, BENCH_RUNS rounds (bench/lib.sh): medians with the min–max spread.
mc_plain() { run_once plain "$TMP/plain.out" python3 "$TMP/plain.py"; [ "$STATUS" = 0 ] || die "plain read failed: $(head -c 400 "$TMP/stderr.txt")"; }
mc_census() {
    run_once census "$TMP/census.out" "$BIN" snapshot --json --full --interval 100ms --memcached "127.0.0.1:$PORT"
    [ "$STATUS" = 0 ] || die "cachewatch census failed: $(head -c 400 "$TMP/stderr.txt")"
}
log "plain metadump read and cachewatch census, $RUNS rounds"
rounds mc_plain mc_census
summarize plain; PLAIN_WALL=$MED PLAIN_SPREAD=$(spread); PLAIN_COUNT=$(cat "$TMP/plain.out")
summarize census; CW_WALL=$MED CW_SPREAD=$(spread) CW_RSS=$RSS_MB
CW_COUNT=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["census"]["scanned_keys"])' "$TMP/census.out")
[ "$CW_COUNT" = "$PLAIN_COUNT" ] || die "count mismatch: cachewatch $CW_COUNT, plain metadump $PLAIN_COUNT"
[ "$CW_COUNT" = "$ITEMS" ] || die "count mismatch: cachewatch $CW_COUNT, loaded $ITEMS"

RATIO=$(ratio "$CW_WALL" "$PLAIN_WALL")
{
    echo "Medians of $RUNS runs (min–max), contenders taking turns."
    echo
    echo "| what | baseline | cachewatch | ratio | peak RSS |"
    echo "|---|---:|---:|---:|---:|"
    echo "| memcached census of $ITEMS items | plain \`lru_crawler metadump all\` read: ${PLAIN_SPREAD} s | ${CW_SPREAD} s | ${RATIO}× | ${CW_RSS} MB |"
} | tee "$RESULTS"

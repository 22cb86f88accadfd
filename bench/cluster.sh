#!/usr/bin/env bash
# `make bench`, Redis Cluster part: a census of BENCH_CLUSTER_KEYS keys (default 1,000,000, the guide's shapes from
# bench/gen-keys.py) on a private 3-primary cluster, by `cachewatch snapshot --json --full` (every primary walked in
# parallel from one seed) against bench/scan_ttl_type.c run on each primary (in parallel, and one after another).
# Counts must match the summed DBSIZE exactly (a wrong count fails the script; a slow run never does).
# Environment: BENCH_CLUSTER_KEYS, BENCH_RUNS (default 3), CACHEWATCH_BIN (default .build/release/cachewatch).
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${BENCH_CLUSTER_KEYS:-1000000}
RUNS=${BENCH_RUNS:-3}
BIN=${CACHEWATCH_BIN:-.build/release/cachewatch}
OUT=bench/out
RESULTS=$OUT/cluster-results.md

die() { echo "bench/cluster: $*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
. bench/lib.sh
require_tools redis-server redis-cli gcc pkg-config python3 awk
require_gnu_time
require_binary "$BIN" bench
require_integer BENCH_CLUSTER_KEYS "$KEYS"
require_integer BENCH_RUNS "$RUNS"

mkdir -p "$OUT"
private_temp_dir cachewatch-bench-cluster bench/cluster

measure() {   # measure OUTFILE CMD…: fastest wall seconds of RUNS runs in WALL, highest peak RSS (MiB) in RSS_MB
    local out=$1; shift
    local run t0 t1 seconds kb status
    WALL=""; RSS_MB=0
    for ((run = 1; run <= RUNS; run++)); do
        status=0
        t0=$EPOCHREALTIME
        /usr/bin/time -f '%M' -o "$TMP/time.txt" "$@" >"$out" 2>"$TMP/stderr.txt" || status=$?
        t1=$EPOCHREALTIME
        [ "$status" = 0 ] || die "$* failed (exit $status): $(head -c 600 "$TMP/stderr.txt")"
        seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
        kb=$(tail -n 1 "$TMP/time.txt")
        WALL=$(awk -v best="$WALL" -v s="$seconds" 'BEGIN { print (best == "" || s < best) ? s : best }')
        RSS_MB=$(awk -v m="$RSS_MB" -v k="$kb" 'BEGIN { r = k / 1024; printf "%.1f", (r > m) ? r : m }')
    done
}

# MARK: - A 3-primary cluster

PORTS=()
for i in 1 2 3; do
    port=$(cluster_port)
    [ -n "$port" ] || die "no free port with a free bus port."
    mkdir -p "$TMP/$port"
    start_private_redis "$port" "$TMP/$port" --cluster-enabled yes --cluster-config-file nodes.conf
    PORTS+=("$port")
done
log "cluster on ${PORTS[*]} (temp dir $TMP)"
redis-cli --cluster create "127.0.0.1:${PORTS[0]}" "127.0.0.1:${PORTS[1]}" "127.0.0.1:${PORTS[2]}" --cluster-yes \
    >"$TMP/create.txt" 2>&1 || die "redis-cli --cluster create failed: $(tail -3 "$TMP/create.txt")"
for _ in $(seq 300); do
    ok=1
    for port in "${PORTS[@]}"; do redis-cli -p "$port" cluster info | grep -q 'cluster_state:ok' || ok=0; done
    [ "$ok" = 1 ] && break
    sleep 0.1
done
[ "$ok" = 1 ] || die "the cluster did not reach cluster_state:ok."

# MARK: - BENCH_CLUSTER_KEYS keys, each written to the primary serving its slot

SPECS=()
for port in "${PORTS[@]}"; do
    ranges=$(redis-cli -p "$port" cluster nodes | awk '/myself/ { for (i = 9; i <= NF; i++) if ($i !~ /^\[/) printf "%s%s:'"$port"'", (n++ ? "," : ""), $i }')
    SPECS+=("$ranges")
done
log "loading $KEYS keys"
python3 bench/gen-keys.py "$KEYS" | python3 bench/cluster-load.py "$TMP" "${SPECS[@]}"
TOTAL=0
for port in "${PORTS[@]}"; do
    if [ -f "$TMP/$port.resp" ]; then
        redis-cli -p "$port" --pipe <"$TMP/$port.resp" >"$TMP/pipe.txt" 2>&1 || die "loading $port failed: $(tail -3 "$TMP/pipe.txt")"
        grep -q 'errors: 0' "$TMP/pipe.txt" || die "redis-cli --pipe reported errors on $port: $(tail -3 "$TMP/pipe.txt")"
    fi
    TOTAL=$((TOTAL + $(redis-cli -p "$port" dbsize)))
done
log "summed DBSIZE $TOTAL"

# MARK: - Census

gcc -O2 -o "$OUT/scan_ttl_type" bench/scan_ttl_type.c $(pkg-config --cflags --libs hiredis) \
    || die "could not compile bench/scan_ttl_type.c against hiredis."
C_CMD=""
for port in "${PORTS[@]}"; do C_CMD+="$OUT/scan_ttl_type 127.0.0.1 $port & "; done
log "census: C program on each primary, in parallel"
measure "$TMP/c-par.out" bash -c "$C_CMD wait"
C_PAR_WALL=$WALL C_PAR_RSS=$RSS_MB
C_KEYS=$(sed -n 's/.*keys=\([0-9]*\).*/\1/p' "$TMP/c-par.out" | awk '{ s += $1 } END { print s + 0 }')
log "census: C program on each primary, one after another"
measure "$TMP/c-seq.out" bash -c "for p in ${PORTS[*]}; do $OUT/scan_ttl_type 127.0.0.1 \$p; done"
C_SEQ_WALL=$WALL
log "census: cachewatch snapshot --json --full (one seed)"
measure "$TMP/cw.json" "$BIN" snapshot --json --full --interval 100ms -h 127.0.0.1 -p "${PORTS[0]}"
CW_WALL=$WALL CW_RSS=$RSS_MB
read -r CW_KEYS CW_COMPLETE CW_NODES <<<"$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); c = d["census"]
print(c["scanned_keys"], str(c["complete"]).lower(), len(d["target"].get("nodes", [])))' "$TMP/cw.json")"

[ "$C_KEYS" = "$TOTAL" ] || die "the C programs counted $C_KEYS keys, the primaries hold $TOTAL."
[ "$CW_KEYS" = "$TOTAL" ] && [ "$CW_COMPLETE" = true ] || die "cachewatch counted $CW_KEYS keys (complete: $CW_COMPLETE), the primaries hold $TOTAL."
[ "$CW_NODES" = 3 ] || die "cachewatch found $CW_NODES nodes, not 3."

{
    echo "## Redis Cluster census: $TOTAL keys on 3 primaries (loopback)"
    echo
    echo "| contender | wall s | keys/s | peak RSS MiB | vs C in parallel |"
    echo "|---|---|---|---|---|"
    echo "| bench/scan_ttl_type.c on each primary, in parallel | $C_PAR_WALL | $(awk -v n="$TOTAL" -v s="$C_PAR_WALL" 'BEGIN { printf "%.0f", n / s }') | $C_PAR_RSS | 1.00 |"
    echo "| bench/scan_ttl_type.c on each primary, one after another | $C_SEQ_WALL | $(awk -v n="$TOTAL" -v s="$C_SEQ_WALL" 'BEGIN { printf "%.0f", n / s }') | - | $(ratio "$C_SEQ_WALL" "$C_PAR_WALL") |"
    echo "| cachewatch snapshot --json --full (one seed) | $CW_WALL | $(awk -v n="$TOTAL" -v s="$CW_WALL" 'BEGIN { printf "%.0f", n / s }') | $CW_RSS | $(ratio "$CW_WALL" "$C_PAR_WALL") |"
    echo
    echo "Counts: summed DBSIZE $TOTAL, C programs $C_KEYS, cachewatch $CW_KEYS (complete) — equal. Fastest of $RUNS runs."
} | tee "$RESULTS"

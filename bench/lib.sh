# Shared by bench/run.sh, bench/memcached.sh, bench/cluster.sh, bench/impact.sh and Tests/Soak/soak.sh (sourced, not
# run): repeated runs, medians, verdicts; checks of the environment, a temp dir cleaned on exit, free ports and private
# servers (at the end).
#
# Each contender is a shell function that calls `run_once NAME OUTFILE CMD...` once. `rounds F1 F2 …` calls the
# functions RUNS times, one round at a time, reversing the order every other round (A B C, C B A, A B C, …) so
# a contender is not always the one after the page cache warmed or another process stopped. `summarize NAME`
# then sets MED, MIN, MAX (wall seconds) and RSS_MB (highest peak RSS) of NAME's runs.
# Needs TMP (a temp dir), RUNS, and die/log from the caller.

# run_once NAME OUTFILE CMD...: one timed run with stdout to OUTFILE; STATUS is its exit status (the caller decides
# what is expected). Wall time is the whole process measured by the shell; peak RSS is GNU time's %M.
run_once() {
    local name=$1 out=$2; shift 2
    local t0 t1 kb
    STATUS=0
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$TMP/time.txt" "$@" >"$out" 2>"$TMP/stderr.txt" || STATUS=$?
    t1=$EPOCHREALTIME
    # GNU time ignores Ctrl-C and exits normally after its child died of it, so bash does not run the INT
    # trap: stop here ourselves (128 + SIGINT/SIGTERM).
    if [ "$STATUS" = 130 ] || [ "$STATUS" = 143 ]; then echo "bench: interrupted" >&2; exit "$STATUS"; fi
    kb=$(tail -n 1 "$TMP/time.txt")
    [[ $kb =~ ^[0-9]+$ ]] || die "could not read peak RSS of: $* ($(cat "$TMP/time.txt"))"
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >>"$TMP/$name.walls"
    echo "$kb" >>"$TMP/$name.rss"
}

# rounds F1 F2 …: RUNS rounds of the contender functions, the order reversed every other round.
rounds() {
    local round f
    local -a order
    for ((round = 1; round <= RUNS; round++)); do
        order=("$@")
        if ((round % 2 == 0)); then
            order=()
            for f in "$@"; do order=("$f" "${order[@]}"); done
        fi
        for f in "${order[@]}"; do "$f"; done
    done
}

# median_of FILE [FORMAT]: the median of the numbers in FILE, one a line (mean of the middle two for an even count),
# printed with FORMAT (default %.3f); n/a for an empty file.
median_of() {
    sort -g "$1" | awk -v f="${2:-%.3f}" '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf f, m }'
}

# summarize NAME: MED, MIN, MAX of NAME's wall times; RSS_MB its highest peak RSS; N the number of runs.
summarize() {
    local walls=$TMP/$1.walls
    [ -s "$walls" ] || die "no runs recorded for $1"
    MED=$(median_of "$walls")
    MIN=$(sort -g "$walls" | head -n 1)
    MAX=$(sort -g "$walls" | tail -n 1)
    N=$(wc -l <"$walls")
    RSS_MB=$(sort -n "$TMP/$1.rss" | tail -n 1 | awk '{ printf "%.1f", $1 / 1024 }')
}

# spread: "MED (MIN–MAX)" of the last summarize.
spread() { echo "$MED ($MIN–$MAX)"; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "n/a") printf "%.2f", a / b; else print "n/a" }'; }
# ratio_exact A B: A / B unrounded (verdicts are judged on it, so 0.4045 is not a PASS of ≤ 0.4 shown as 0.40).
ratio_exact() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "n/a") printf "%.9f", a / b; else print "n/a" }'; }
# ratio3 A B: A / B to three decimals (the goal rows).
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "n/a") printf "%.3f", a / b; else print "n/a" }'; }
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }'; }
# verdict VALUE OP TARGET: PASS or FAIL (OP is <= or >=; n/a is a FAIL).
verdict() {
    awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { if (v == "n/a" || v == "") { print "FAIL"; exit }
        ok = (op == "<=") ? (v + 0 <= t + 0) : (v + 0 >= t + 0); print ok ? "PASS" : "FAIL" }'
}
# goal ROW...: appends a row "| what | measured | target | PASS/FAIL |" to the run's goal summary (GOALS file).
goal() {
    local what=$1 measured=$2 target=$3 result=$4
    [ -n "${GOALS:-}" ] && echo "| $what | $measured | $target | **$result** |" >>"$GOALS"
    echo "| $what | $measured | $target | **$result** |"
}

# MARK: - Environment, clean-up, private servers (bench/cluster.sh, bench/memcached.sh, Tests/Soak/soak.sh)
# These need die from the caller (its own prefix).

# log MESSAGE…: one timestamped line on stderr.
log() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# require_tools TOOL…: dies unless every TOOL is on PATH.
require_tools() {
    local tool
    for tool in "$@"; do command -v "$tool" >/dev/null || die "$tool is not installed (make deps installs what cachewatch needs)."; done
}

# require_gnu_time: dies without /usr/bin/time (GNU time, for peak RSS).
require_gnu_time() { [ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is not installed: apt-get install time."; }

# require_binary BIN TARGET: dies unless BIN (a release build) is executable; TARGET is the make target that builds it.
require_binary() { [ -x "$1" ] || die "$1 does not exist: run swift build -c release first (make $2 does)."; }

# require_integer NAME VALUE [MIN]: dies unless VALUE is an integer of at least MIN (default 1).
require_integer() {
    local min=${3:-1}
    [[ $2 =~ ^[0-9]+$ && $2 -ge $min ]] && return
    if [ "$min" = 1 ]; then die "$1 must be a positive integer, not '$2'."; fi
    die "$1 must be an integer of at least $min, not '$2'."
}

# private_temp_dir PREFIX NAME: sets TMP (a new temp dir) and PIDS (the processes to stop; append with PIDS+=($!)).
# On exit CLEANUP_HOOK (a function name, when set) runs, then every PID is stopped and waited for and TMP removed;
# Ctrl-C prints "NAME: interrupted" and exits 130, TERM and HUP exit 143.
private_temp_dir() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    PIDS=()
    INTERRUPTED_NAME=$2
    trap stop_private EXIT
    trap 'echo "$INTERRUPTED_NAME: interrupted" >&2; exit 130' INT
    trap 'exit 143' TERM HUP
}

# stop_private: the EXIT trap of private_temp_dir.
stop_private() {
    local pid
    if [ -n "${CLEANUP_HOOK:-}" ]; then "$CLEANUP_HOOK" || true; fi
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$TMP"
}

# free_port: a free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# cluster_port: a free port ≤ 55535 whose Redis Cluster bus port (+10000) is free too (empty when none was found).
cluster_port() {
    python3 -c 'import socket
for _ in range(500):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    if p > 55535: continue
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 10000)); b.close(); print(p); break
    except OSError:
        b.close()'
}

# wait_for_port PORT: waits up to 10 s until something accepts connections on 127.0.0.1:PORT; false if nothing did.
wait_for_port() {
    local try
    for try in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $1)).close()" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# start_private_redis PORT DIR [ARG…]: a redis-server on 127.0.0.1:PORT without persistence, its files and
# redis.log in DIR, extra ARGs after the defaults; added to PIDS; dies unless it answers PING within 10 s.
start_private_redis() {
    local port=$1 dir=$2 try
    shift 2
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --logfile "$dir/redis.log" \
        --daemonize no "$@" >/dev/null 2>&1 &
    PIDS+=($!)
    for try in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
    die "redis-server on $port did not start: $(tail -3 "$dir/redis.log" 2>/dev/null)"
}
